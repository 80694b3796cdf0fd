"""The department UIs in a real browser: sign-in, role fences, Chinese form errors, the signature pad."""

import re

import pytest
from playwright.sync_api import Page, expect

from contracts import names
from kit.i18n import translate
from services.staff.seed import DEMO_PASSWORD
from tests.support.http import Client
from tests.support.visit import Visit

pytestmark = pytest.mark.browser
HAN = re.compile(r"[\u4e00-\u9fff]")


def zh(msgid: str) -> str:
    """The Chinese the UI shows for a message id (and a check that it is Chinese)."""
    text = translate(msgid, "zh_CN")
    assert HAN.search(text), f"{msgid!r} has no Chinese translation"
    return text


def sign_in(page: Page, line, staff_id: str, then: str | None = None):
    page.goto(line.url(names.STAFF, "/login"))
    page.get_by_label("工号").fill(staff_id)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    if then:
        page.goto(then)


def test_staff_sign_in_once_and_work_in_another_department(page: Page, line):
    sign_in(page, line, "B001")
    expect(page.locator("nav.top")).to_contain_text("赵敏 (B001)")
    page.goto(line.url(names.BOOKING, "/"))  # another service, same sign-in
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("nav.top a.here")).to_have_text(zh("Booking"))


def test_a_page_of_another_role_is_refused_in_chinese(page: Page, line):
    sign_in(page, line, "F001", then=line.url(names.BILLING, "/"))  # a follow-up agent sees no prices
    expect(page.locator(".notice")).to_have_text(zh("Your role may not do this"))
    assert page.locator("table").count() == 0


def test_signing_in_without_a_session_sends_you_to_the_sign_in_page(page: Page, line):
    page.goto(line.url(names.WORKSHOP, "/"))
    expect(page.locator(".notice")).to_have_text(zh("Please sign in first"))
    page.get_by_role("link", name=zh("Go to sign-in")).click()
    page.get_by_label("工号").fill("D001")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(rf":{line.ports[names.WORKSHOP]}/$"))
    expect(page.locator("nav.top a.here")).to_have_text(zh("Workshop"))


def test_a_form_error_is_shown_in_chinese_next_to_its_field_and_keeps_the_input(page: Page, line):
    sign_in(page, line, "ADMIN")
    form = page.locator("form[action='/admin/staff']")
    form.get_by_label("工号").fill("A009")
    form.get_by_label("姓名").fill("钱多多")
    form.get_by_label("手机").fill("12345")
    form.get_by_label("岗位").select_option("service_advisor")
    form.get_by_label("初始密码").fill("long-enough-1")
    form.get_by_role("button", name="新增").click()
    expect(page.locator("[data-field='mobile']")).to_contain_text("手机号码格式不正确")
    form = page.locator("form[action='/admin/staff']")
    expect(form.get_by_label("姓名")).to_have_value("钱多多")
    expect(form.get_by_label("工号")).to_have_value("A009")
    assert "A009" not in page.locator("table").inner_text()  # nothing stored


def test_the_english_switch_changes_the_page_language(page: Page, line):
    sign_in(page, line, "M001", then=line.url(names.WORKSHOP, "/"))
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.top a.here")).to_have_text("Workshop")
    page.goto(line.url(names.BOOKING, "/"))  # the choice holds in every department
    expect(page.locator("nav.top a.here")).to_have_text("Booking")


def test_the_customer_signs_on_a_tablet_and_the_order_is_signed(browser, line):
    visit = Visit(line, client=Client(line))
    visit.book()
    visit.check_in()
    visit.walk_around(mileage_km=12000)  # R-RC-1..3: signed only on a complete walk-around sheet
    draft = visit.write_order([{"kind": "labour", "code": "LAB-OIL"}], 12000)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1024, "height": 768}, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, line, "A001", then=line.url(names.RECEPTION, f"/orders/{draft['order_id']}/sign"))
        expect(page.locator("[data-total]")).to_have_text(draft["draft"]["total"])
        page.get_by_role("button", name=zh("Advisor signs the order")).click()  # not signed by the customer yet
        expect(page.locator("[data-field='customer_signature_sha256']")).to_contain_text(
            zh("The customer has not signed yet")
        )

        box = page.locator(".signature canvas").bounding_box()
        page.mouse.move(box["x"] + 30, box["y"] + 150)
        page.mouse.down()
        for x, y in ((90, 60), (150, 170), (230, 70), (300, 160), (380, 90)):
            page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
        page.mouse.up()
        page.get_by_role("button", name=zh("Confirm signature")).click()
        expect(page.locator(".signature .captured")).to_be_visible()
        digest = page.locator("input[name='customer_signature_sha256']").input_value()
        assert re.fullmatch(r"[0-9a-f]{64}", digest)
        page.get_by_role("button", name=zh("Advisor signs the order")).click()
        expect(page.locator(".flash.ok[role='status']")).to_be_visible()
    except Exception:
        page.screenshot(path="var/browser/signature-failure.png", full_page=True)
        raise
    finally:
        context.close()

    order = visit.client.get(names.RECEPTION, f"/api/orders/{draft['order_id']}")
    assert order["status"] == "signed"
    signed_body = order["versions"][0]["signed"]["order"]
    assert signed_body["customer_signature_sha256"] == digest
    image = visit.client.request("GET", names.RECEPTION, f"/signatures/{digest}")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    import hashlib

    assert hashlib.sha256(image.content).hexdigest() == digest


def test_the_booking_desk_books_through_its_page_and_the_customer_is_on_the_welcome_board(page: Page, line):
    """R-BK-3, R-BK-9: a booking made in the UI for today shows on the welcome board, surname only."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from services.booking.domain.slots import SlotRules, reception_slots
    from tests.support.factories import make_plate, make_vin

    tz = ZoneInfo("Asia/Shanghai")
    now = datetime.now(tz)
    upcoming = [s for s in reception_slots(now.date(), SlotRules(), tz) if s > now + timedelta(minutes=5)]
    day, slot = (now.date(), upcoming[0]) if upcoming else (now.date() + timedelta(days=1), None)
    slot = slot or reception_slots(day, SlotRules(), tz)[-1]  # the last: the module's other visits take the first
    plate = make_plate()

    sign_in(page, line, "B001", then=line.url(names.BOOKING, "/"))
    form = page.locator("form[action='/appointments']")
    form.get_by_label("客户姓名", exact=True).fill("王建国")
    form.locator("select[name='salutation']").select_option("mr")
    form.get_by_label("手机", exact=True).fill("13801380001")
    form.locator("select[name='privacy']").select_option("surname")
    form.get_by_label("车牌", exact=True).fill(plate)
    form.locator("input[name='vin']").fill("LSVAM4188C2184847")  # wrong check digit first
    form.locator("input[name='date']").fill(day.isoformat())
    form.locator("input[name='time']").fill(slot.strftime("%H:%M"))
    form.get_by_role("button", name="预约", exact=True).click()
    expect(page.locator("[data-field='vin']")).to_contain_text("校验位")
    form = page.locator("form[action='/appointments']")
    expect(form.get_by_label("车牌", exact=True)).to_have_value(plate)  # what was typed is kept
    form.locator("input[name='vin']").fill(make_vin())
    form.get_by_role("button", name="预约", exact=True).click()
    expect(page.locator(".flash.ok")).to_have_text("预约成功")

    if day == now.date():
        page.goto(line.url(names.BOOKING, "/welcome"))
        row = page.locator(f"tr[data-plate='{plate}']")
        expect(row).to_contain_text("王先生")
        expect(row).not_to_contain_text("王建国")  # the customer chose surname only
        expect(row).to_contain_text(slot.strftime("%H:%M"))
    else:  # after the last slot of the day the board is tomorrow's business; the booking is on the list
        expect(page.locator("table").first).to_contain_text(plate)
