"""A full write-up on the advisor's tablet (1024x768, touch) in Chromium: check-in of the booked car, the
walk-around sheet with damage tapped on the car diagram, complaint and diagnosis with the knowledge base's
suggestion, jobs, the order's fields, the customer's signature drawn on the pad, the advisor's signature;
the signed order is checked through the API and reaches the workshop (issue #5)."""

import re

import pytest
from playwright.sync_api import expect

from contracts import names
from tests.browser.test_department_ui import sign_in, zh
from tests.support.http import Client, eventually
from tests.support.visit import Visit

pytestmark = pytest.mark.browser


def test_a_full_write_up_on_a_tablet(browser, line):
    visit = Visit(line, client=Client(line))
    visit.book()
    plate, vin = visit.booking["vehicle"]["plate"], visit.booking["vin"]
    eventually(
        lambda: visit.client.get(names.RECEPTION, f"/api/expected-arrivals?appointment_id={visit.appointment_id}")[
            "expected_arrivals"
        ],
        30,
        what="reception to expect the car",
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    try:
        # check-in of the booked car (R-BK-5)
        sign_in(page, line, "A001", then=line.url(names.RECEPTION, "/"))
        page.locator(f"button[data-check-in='{plate}']").tap()
        expect(page.locator(".flash.ok")).to_have_text(zh("Checked in"))
        visit.visit_id = re.search(r"/visits/([^/?#]+)", page.url).group(1)

        # R-PN-1: the address the customer gives at the desk, for the progress notices
        email = page.locator("#notice-email")
        email.locator("input[name='email']").fill("wang@example.com")
        email.get_by_role("button", name=zh("Save")).tap()
        expect(page.locator(".flash.ok")).to_have_text(zh("Progress notices go to this address"))
        stored = visit.client.get(names.RECEPTION, f"/api/visits/{visit.visit_id}")["customer"]
        assert stored["email"] == "wang@example.com"

        # R-RC-1: covers in front of the customer, each with its time
        covers = page.locator(f"form[action='/visits/{visit.visit_id}/covers']")
        for name in ("seat", "steering_wheel", "floor", "customer_present"):
            covers.locator(f"input[name='{name}']").tap()
        covers.get_by_role("button", name=zh("Record covers")).tap()
        expect(page.locator("[data-cover-time]")).to_have_count(3)

        # R-RC-2: a wrong VIN is refused in Chinese next to its field, then the sheet as it goes
        sheet = page.locator(f"form[action='/visits/{visit.visit_id}/walk-around']")
        wrong = vin[:8] + ("0" if vin[8] != "0" else "1") + vin[9:]
        sheet.locator("input[name='vin']").fill(wrong)
        sheet.get_by_role("button", name=zh("Save the sheet")).tap()
        expect(page.locator("[data-field='vin']")).to_contain_text("校验位")
        sheet = page.locator(f"form[action='/visits/{visit.visit_id}/walk-around']")
        sheet.locator("input[name='vin']").fill(vin)
        sheet.locator("input[name='mileage_km']").fill("12345")
        sheet.locator("select[name='fuel_eighths']").select_option("6")
        for check in ("tyres", "lights", "glass", "interior", "oil_dipstick", "coolant", "brake_fluid"):
            sheet.locator(f"[data-check='{check}'] input[value='ok']").tap()
        sheet.locator("[data-check='valuables'] input[value='none']").tap()
        sheet.get_by_role("button", name=zh("Save the sheet")).tap()
        expect(page.locator(".flash.ok")).to_have_text(zh("Walk-around saved"))

        # damage tapped on the car diagram
        page.locator(".car-diagram [data-zone='left_front_door']").tap()
        expect(page.locator("[data-chosen-zone]")).to_have_text(zh("Left front door"))
        damage = page.locator("#damage-form")
        damage.locator("select[name='kind']").select_option("scratch")
        damage.locator("input[name='note']").fill("约10厘米")
        damage.get_by_role("button", name=zh("Mark the damage")).tap()
        expect(page.locator("tr[data-damage='left_front_door']")).to_contain_text(zh("Scratch"))
        expect(page.locator(".car-diagram [data-zone='left_front_door']")).to_have_class(re.compile("damaged"))

        page.get_by_role("button", name=zh("Complete the walk-around sheet")).tap()
        expect(page.locator("[data-sheet-complete]")).to_be_visible()

        # R-RC-4: the knowledge base's suggestion becomes jobs; the diagnosis apart from the customer's words
        suggestion = page.locator("[data-symptom='COLD-ROUGH-IDLE']")
        expect(suggestion).to_contain_text("节气门")
        suggestion.get_by_role("button", name=zh("Add its jobs")).tap()
        expect(page.locator("tr[data-job='LAB-THROTTLE']")).to_be_visible()
        diagnosis = page.locator(f"form[action='/visits/{visit.visit_id}/diagnosis']")
        expect(diagnosis.locator("textarea[name='customer_words']")).to_have_value(visit.booking["complaint"])
        diagnosis.locator("textarea[name='concern']").fill("冷车怠速抖动")
        diagnosis.locator("textarea[name='cause']").fill("节气门积碳")
        diagnosis.locator("textarea[name='correction']").fill("清洗节气门")
        diagnosis.get_by_role("button", name=zh("Save the diagnosis")).tap()
        expect(page.locator(".flash.ok")).to_have_text(zh("Diagnosis saved"))

        # a job from the price list
        jobs = page.locator(f"form[action='/visits/{visit.visit_id}/jobs']").last
        jobs.locator("select[name='code']").select_option("labour:LAB-OIL")
        jobs.get_by_role("button", name=zh("Add")).tap()
        expect(page.locator("tr[data-job='LAB-OIL']")).to_be_visible()

        # R-RC-5..7: key tag, the customer waits; the promise from the workshop's load
        order = page.locator(f"form[action='/visits/{visit.visit_id}/order']")
        order.locator("input[name='key_tag']").fill(f"K-{visit.appointment_id[:6]}")
        order.locator("input[name='customer_waits'][value='waits']").tap()
        order.get_by_role("button", name=zh("Write the order and have the customer sign")).tap()
        expect(page.locator(".flash.ok")).to_have_text(zh("The order is written"))
        order_id = re.search(r"/orders/([^/]+)/sign", page.url).group(1)
        expect(page.locator("[data-key-tag]")).to_have_text(f"K-{visit.appointment_id[:6]}".upper())

        # R-RC-6: the customer signs on the pad, then the advisor
        page.locator(".signature canvas").scroll_into_view_if_needed()
        box = page.locator(".signature canvas").bounding_box()
        page.mouse.move(box["x"] + 30, box["y"] + 150)
        page.mouse.down()
        for x, y in ((90, 60), (150, 170), (230, 70), (300, 160), (380, 90)):
            page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
        page.mouse.up()
        page.get_by_role("button", name=zh("Confirm signature")).tap()
        expect(page.locator(".signature .captured")).to_be_visible()
        digest = page.locator("input[name='customer_signature_sha256']").input_value()
        page.get_by_role("button", name=zh("Advisor signs the order")).tap()
        expect(page.locator(".flash.ok[role='status']")).to_have_text(zh("The order is signed"))
    except Exception:
        page.screenshot(path="var/browser/write-up-failure.png", full_page=True)
        raise
    finally:
        context.close()

    signed = visit.client.get(names.RECEPTION, f"/api/orders/{order_id}")
    assert signed["status"] == "signed"
    body = signed["versions"][0]["signed"]["order"]
    assert body["customer_signature_sha256"] == digest
    assert [line["code"] for line in body["lines"]] == ["LAB-THROTTLE", "LAB-OIL"]
    assert body["mileage_km"] == 12345 and body["customer_waits"] is True and body["promise_source"] == "workshop"
    assert body["complaint"]["cause"] == "节气门积碳" and body["complaint"]["symptom_codes"] == ["COLD-ROUGH-IDLE"]
    assert body["walk_around"]["damages"] == [{"zone": "left_front_door", "kind": "scratch", "note": "约10厘米"}]
    work_order = eventually(
        lambda: visit.client.get_if(names.WORKSHOP, f"/api/work-orders/{order_id}"),
        30,
        what="the workshop to take the signed order",
    )
    assert [job["code"] for job in work_order["jobs"]] == ["LAB-THROTTLE", "LAB-OIL"]


def test_a_lower_mileage_is_refused_on_the_tablet_until_the_service_manager_confirms_an_odometer_change(browser, line):
    """R-RC-2: the Chinese refusal names the mileage next to its field; the manager's confirmation (their own
    permission) lets the lower reading through, and the page shows who confirmed it."""
    first = Visit(line, client=Client(line))
    first.book()
    first.check_in()
    first.write_and_sign_order(mileage_km=35210)
    again = first.client.post(
        names.RECEPTION,
        "/api/visits",
        {"customer": first.booking["customer"], "vehicle": {**first.booking["vehicle"], "vin": first.booking["vin"]}},
        as_="A001",
        expect=201,
    )
    url = line.url(names.RECEPTION, f"/visits/{again['visit_id']}")

    def save_mileage(page, km):
        sheet = page.locator(f"form[action='/visits/{again['visit_id']}/walk-around']")
        sheet.locator("input[name='mileage_km']").fill(str(km))
        sheet.get_by_role("button", name=zh("Save the sheet")).tap()

    context = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, line, "A001", then=url)
        save_mileage(page, 1200)
        expect(page.locator("[data-field='mileage_km']")).to_have_text("行驶里程不能低于上次记录 35210 公里")
        expect(page.locator("input[name='mileage_km']")).to_have_value("1200")  # what was typed is kept
        assert page.locator(f"form[action='/visits/{again['visit_id']}/odometer-change']").count() == 0  # advisor

        manager = context.browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768}, has_touch=True)
        desk = manager.new_page()
        sign_in(desk, line, "M001", then=url)
        desk.get_by_text(zh("Confirm an odometer change (service manager)")).tap()
        form = desk.locator(f"form[action='/visits/{again['visit_id']}/odometer-change']")
        form.locator("input[name='reason']").fill("仪表总成更换")
        form.get_by_role("button", name=zh("Confirm the odometer change")).tap()
        expect(desk.locator(".flash.ok")).to_have_text(zh("Odometer change confirmed"))
        manager.close()

        page.goto(url)
        save_mileage(page, 1200)
        expect(page.locator(".flash.ok")).to_have_text(zh("Walk-around saved"))
        expect(page.locator("input[name='mileage_km']")).to_have_value("1200")
        expect(page.locator("[data-odometer-change]")).to_contain_text("M001")
        expect(page.locator("[data-odometer-change]")).to_contain_text("仪表总成更换")
    except Exception:
        page.screenshot(path="var/browser/odometer-failure.png", full_page=True)
        raise
    finally:
        context.close()


def test_a_walk_in_is_checked_in_on_the_tablet_by_the_advisor_who_receives_it(page, line):
    """R-BK-5 for walk-ins: the advisor checking the car in receives it; a bad mobile is refused beside its
    field in Chinese and what was typed is kept."""
    from tests.support.factories import make_plate, make_vin

    plate, vin = make_plate(), make_vin()
    sign_in(page, line, "A001", then=line.url(names.RECEPTION, "/"))
    page.get_by_text(zh("Walk-in (no appointment)")).click()
    form = page.locator("form:has(input[name='walk_in'])")
    form.get_by_label(zh("Customer name")).fill("李女士")
    form.get_by_label(zh("Mobile")).fill("12345")
    form.get_by_label(zh("Plate")).fill(plate)
    form.get_by_label(zh("VIN")).fill(vin)
    form.get_by_role("button", name=zh("Check in the walk-in")).click()
    expect(page.locator("[data-field='mobile']")).to_contain_text("手机号码格式不正确")
    form = page.locator("form:has(input[name='walk_in'])")
    expect(form.get_by_label(zh("Plate"))).to_have_value(plate)
    form.get_by_label(zh("Mobile")).fill("13912345678")
    form.get_by_role("button", name=zh("Check in the walk-in")).click()
    expect(page.locator(".flash.ok")).to_have_text(zh("Checked in"))
    expect(page.locator(".write-up")).to_contain_text(plate)
    expect(page.locator(".write-up")).to_contain_text("A001")
