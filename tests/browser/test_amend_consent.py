"""R-WS-3 on the tablet: the customer reads the found work, declines a line, and signs the change on the pad
(the sign page's signature capture); without a signature nothing is signed."""

import re

import pytest
from playwright.sync_api import expect

from contracts import names
from tests.support.http import Client, eventually
from tests.support.visit import TECHNICIAN, Visit

from .test_department_ui import sign_in, zh

pytestmark = pytest.mark.browser


def test_the_customer_declines_one_line_and_signs_the_other_on_the_tablet(browser, line):
    visit = Visit(line, client=Client(line))
    visit.book()
    visit.check_in()
    visit.write_and_sign_order()
    visit.dispatch()
    found = {
        "reason": "前刹车片磨损至极限，四轮定位偏差",
        "lines": [{"kind": "part", "code": "P-PAD-F", "quantity": "1"}, {"kind": "labour", "code": "LAB-ALIGN"}],
    }
    visit.client.post(
        names.WORKSHOP, f"/api/work-orders/{visit.order_id}/additional-work", found, as_=TECHNICIAN, expect=201
    )
    [request] = eventually(
        lambda: visit.client.get(names.RECEPTION, f"/api/additional-work?order_id={visit.order_id}")["additional_work"],
        30,
        what="found work at reception",
    )

    context = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, line, visit.advisor, then=line.url(names.RECEPTION, "/additional-work"))
        page.get_by_role("button", name=zh("Price and ask the customer")).click()
        expect(page).to_have_url(re.compile(r"/amendments/"))
        amendment_id = page.url.rsplit("/", 1)[-1]
        page.get_by_role("checkbox", name=re.compile("LAB-ALIGN")).uncheck()  # the customer declines it
        page.get_by_role("button", name=zh("Advisor signs the new version")).click()  # no signature yet
        expect(page.locator("[data-field='customer_signature_sha256']")).to_contain_text(
            zh("The customer has not consented to the change; the order is unchanged")
        )

        page.locator(".signature canvas").scroll_into_view_if_needed()
        box = page.locator(".signature canvas").bounding_box()
        page.mouse.move(box["x"] + 30, box["y"] + 120)
        page.mouse.down()
        for x, y in ((90, 50), (150, 140), (230, 60), (300, 130)):
            page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
        page.mouse.up()
        page.get_by_role("button", name=zh("Confirm signature")).click()
        expect(page.locator(".signature .captured")).to_be_visible()
        digest = page.locator("input[name='customer_signature_sha256']").input_value()
        expect(page.get_by_role("checkbox", name=re.compile("LAB-ALIGN"))).not_to_be_checked()  # kept as answered
        page.get_by_role("button", name=zh("Advisor signs the new version")).click()
        expect(page.locator(".flash.ok[role='status']").first).to_be_visible()
    except Exception:
        page.screenshot(path="var/browser/amend-consent-failure.png", full_page=True)
        raise
    finally:
        context.close()

    amendment = visit.client.get(names.RECEPTION, f"/api/amendments/{amendment_id}")
    assert amendment["status"] == "signed" and amendment["new_version"] == 2
    v2 = visit.client.get(names.RECEPTION, f"/api/orders/{visit.order_id}/versions/2")
    assert v2["verification"]["valid"]
    body = v2["signed"]["order"]
    assert body["consent"]["method"] == "signature" and body["customer_signature_sha256"] == digest
    assert [d["code"] for d in body["declined_lines"]] == ["LAB-ALIGN"]
    assert body["lines"][-1]["code"] == "P-PAD-F"
    answered = visit.client.get(names.RECEPTION, f"/api/additional-work?status=all&order_id={visit.order_id}")
    assert [(r["request_id"], r["status"]) for r in answered["additional_work"]] == [
        (request["request_id"], "answered")
    ]
