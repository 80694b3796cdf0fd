"""Settlement and delivery in the browser: the advisor delivers on the tablet with the customer's waiver signed
on the pad (R-BL-2..6); the cashier settles with two payment methods (R-BL-1); the guard checks a gate pass
(R-BL-6), accepted once and refused the second time."""

import re

import pytest
from playwright.sync_api import expect

from contracts import names
from tests.support.broker import envelope, publish
from tests.support.http import Client, eventually
from tests.support.visit import Visit

from .test_department_ui import sign_in, zh

pytestmark = pytest.mark.browser

TABLET = {"width": 1024, "height": 768}


def at_quality_check(line) -> Visit:
    visit = Visit(line, client=Client(line))
    visit.book()
    visit.wait_parts_reserved()
    visit.check_in()
    visit.write_and_sign_order()
    visit.dispatch()
    visit.finish_jobs()
    visit.pass_quality_check()
    visit.invoice()
    return visit


def test_the_advisor_delivers_on_the_tablet_with_the_waiver_signed_on_the_pad(browser, line):
    visit = at_quality_check(line)
    work_order = visit.client.get(names.WORKSHOP, f"/api/work-orders/{visit.order_id}")
    ready = {
        "order_id": visit.order_id,
        "order_version": 1,
        "jobs_done": [
            {"line_no": j["line_no"], "code": j["code"], "hours": "0.5", "technician_id": "T001"}
            for j in work_order["jobs"]
        ],
        "parts_used": [
            {"line_no": 3, "part_no": "P-OIL-5W30", "quantity": "1"},
            {"line_no": 4, "part_no": "P-FILTER-OIL", "quantity": "1"},
        ],
        "inspector_id": "Q001",
        "ready_at": "2026-12-01T08:00:00+00:00",
        "deferred_work": [{"description": "后制动片剩余2mm", "urgency": "safety"}],
        "wear": [{"item": "tyre_fl", "measured_mm": "3.2", "limit_mm": "1.6"}],
    }
    publish(line.env["AMQP_URI"], line.env["BUS_NAMESPACE"], envelope(names.VEHICLE_READY, ready, visit.visit_id))
    eventually(
        lambda: visit.client.get(names.BILLING, f"/api/deliveries/{visit.order_id}")["safety_declined"],
        30,
        what="the QC findings at delivery",
    )

    context = browser.new_context(locale="zh-CN", viewport=TABLET, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, line, visit.advisor, then=line.url(names.BILLING, f"/deliveries/{visit.order_id}"))
        expect(page.locator("[data-deferred]")).to_contain_text("后制动片剩余2mm")
        expect(page.locator("[data-wear]")).to_contain_text("tyre_fl")
        page.locator("select[name='fate_3']").select_option("returned_to_customer")
        page.locator("select[name='fate_4']").select_option("scrapped")
        for check in (
            "Work explained (with the QC findings)",
            "Bill explained",
            "Remaining life of tyres and pads told",
        ):
            page.get_by_label(zh(check)).check()
        page.get_by_label(zh("Protective covers removed")).check()
        page.get_by_label(zh("Copies of the documents handed over or e-mailed")).check()

        page.get_by_role("button", name=zh("Delivered; to the cashier")).click()  # the waiver is not signed yet
        expect(page.locator(".flash")).to_contain_text(zh("The customer signs the waiver for the declined safety work"))

        for name, value in (("fate_3", "returned_to_customer"), ("fate_4", "scrapped")):
            page.locator(f"select[name='{name}']").select_option(value)
        for check in (
            "Work explained (with the QC findings)",
            "Bill explained",
            "Remaining life of tyres and pads told",
            "Protective covers removed",
            "Copies of the documents handed over or e-mailed",
        ):
            page.get_by_label(zh(check)).check()
        canvas = page.locator(".signature canvas")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + 30, box["y"] + 60)
        page.mouse.down()
        for x, y in ((90, 30), (150, 80), (230, 40), (300, 90)):
            page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
        page.mouse.up()
        page.get_by_role("button", name=zh("Confirm signature")).click()
        expect(page.locator(".signature .captured")).to_be_visible()
        page.get_by_role("button", name=zh("Delivered; to the cashier")).click()
        expect(page.locator("[data-delivered]")).to_be_visible()
        expect(page.locator("body")).to_contain_text(zh("Waiver signed by the customer"))
    finally:
        context.close()
    delivered = visit.client.get(names.BILLING, f"/api/deliveries/{visit.order_id}")["delivered"]
    assert len(delivered["waiver_signature"]) == 64
    assert {p["fate"] for p in delivered["old_parts"]} == {"returned_to_customer", "scrapped"}


def test_the_cashier_settles_with_two_payment_methods(browser, line):
    visit = at_quality_check(line)
    visit.deliver()
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, line, "C001", then=line.url(names.BILLING, f"/invoices/{visit.invoice_id}"))
        page.get_by_label(zh("Amount (yuan)")).first.fill("741.284")
        page.get_by_role("button", name=zh("Take payment")).click()
        expect(page.locator(".flash")).to_contain_text("741.284")  # more than two decimals: refused, not rounded
        page.get_by_label(zh("Amount (yuan)")).first.fill("300.00")
        page.get_by_label(zh("Method")).first.select_option("cash")
        page.get_by_role("button", name=zh("Take payment")).click()
        expect(page.locator("[data-balance]")).to_have_text("441.28")
        page.get_by_label(zh("Method")).first.select_option("wechat")
        page.get_by_role("button", name=zh("Take payment")).click()  # the balance is filled in
        expect(page.locator("[data-status]")).to_have_attribute("data-status", "paid")
        expect(page.locator("[data-payments]")).to_contain_text(zh("Cash"))
        expect(page.locator("[data-payments]")).to_contain_text(zh("WeChat Pay"))
        expect(page.locator("[data-gate-pass]")).to_be_visible()
    finally:
        context.close()


def test_the_guard_checks_a_gate_pass_once(browser, line):
    visit = Visit(line, client=Client(line))
    visit.through_to_delivery()
    view = visit.client.get(names.BILLING, f"/api/invoices/{visit.invoice_id}")
    token, plate = view["gate_pass"]["token"], visit.booking["vehicle"]["plate"]
    context = browser.new_context(locale="zh-CN", viewport=TABLET, has_touch=True)
    page = context.new_page()
    try:
        sign_in(page, line, "G001", then=line.url(names.BILLING, "/gate"))
        for expected in (re.escape(plate), zh("This gate pass has already been used")):
            page.get_by_label(zh("Gate pass (scan the QR code or type it)")).fill(token)
            page.get_by_label(zh("Plate of the car at the gate")).fill(plate)
            page.get_by_role("button", name=zh("Check the gate pass")).click()
            expect(page.locator(".flash")).to_contain_text(re.compile(expected))
        expect(page.locator("body")).to_contain_text(zh("Gate passes refused"))
    finally:
        context.close()
