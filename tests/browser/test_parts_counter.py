"""The parts clerk in a real browser: a request from the workshop on the counter's queue, issued against its
signed lines by "scanning" (typing the part number and Enter; R-WS-2), and goods-in scanned the same way."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from contracts import names
from tests.browser.test_booking_desk import sign_in
from tests.support.factories import make_booking, next_slot
from tests.support.http import Client, eventually
from tests.support.visit import Visit

pytestmark = pytest.mark.browser

LINE_SETTINGS = {"PARTS_AUTO_ISSUE": "0"}  # requests wait on the counter's queue for the clerk


def test_the_clerk_issues_against_the_pick_list_by_scanning(page: Page, line):
    client = Client(line)
    visit = Visit(line, booking=make_booking(starts_at=next_slot(tomorrow=True).isoformat()), client=client)
    visit.book()
    visit.wait_parts_reserved()

    # R-BK-6: the booked parts are on the pick list; the clerk puts each on the shelf and scans it
    sign_in(page, line, "P001", line.url(names.PARTS, "/pick-list"))
    row = page.locator("#pick-list tr", has_text=visit.appointment_id[:8]).filter(has_text="P-OIL-5W30")
    row.locator("input[name='part_no']").press_sequentially("P-FILTER-OIL")  # the wrong part: refused
    row.locator("input[name='part_no']").press("Enter")
    expect(page.locator(".flash")).to_contain_text("但该行是 P-OIL-5W30")
    row = page.locator("#pick-list tr", has_text=visit.appointment_id[:8]).filter(has_text="P-OIL-5W30")
    row.locator("input[name='part_no']").press_sequentially("P-OIL-5W30")
    row.locator("input[name='part_no']").press("Enter")
    expect(page.locator(".flash")).to_contain_text("已确认上架")
    row = page.locator("#pick-list tr", has_text=visit.appointment_id[:8]).filter(has_text="P-OIL-5W30")
    expect(row).to_contain_text("✓ P001")

    visit.check_in()
    visit.write_and_sign_order()
    visit.dispatch()
    eventually(
        lambda: any(r["order_id"] == visit.order_id for r in client.get(names.PARTS, "/api/queue")["requests"]),
        30,
        what="the request on the counter's queue",
    )

    page.goto(line.url(names.PARTS, "/counter"))
    page.locator("#queue tr", has_text=visit.order_id[:8]).get_by_role("link", name="拣货单").click()
    scan = page.locator("#scan")
    expect(scan).to_be_focused()  # a scanner types into the focused field

    scan.press_sequentially("P-DISC-F")  # not on the signed order: refused, nothing issued
    scan.press("Enter")
    expect(page.locator(".flash")).to_contain_text("签字委托书上没有 P-DISC-F")

    page.locator("#scan").press_sequentially("p-oil-5w30")
    page.locator("#scan").press("Enter")
    expect(page.locator(".flash")).to_contain_text("已发放 P-OIL-5W30 1")
    oil = page.locator("#pick-lines tr", has_text="P-OIL-5W30")
    expect(oil.locator(".due")).to_have_text("0")
    expect(oil.locator(".issued")).to_have_text("1")

    page.locator("#scan").press_sequentially("P-OIL-5W30")  # the line is issued in full: no more
    page.locator("#scan").press("Enter")
    expect(page.locator(".flash")).to_contain_text("第 3 行已全部发放")

    page.locator("#scan").press_sequentially("P-FILTER-OIL")
    page.locator("#scan").press("Enter")
    expect(page.locator(".flash")).to_contain_text("已发放 P-FILTER-OIL 1")
    expect(page.locator("#scan")).to_have_count(0)  # done: nothing left to scan
    issued = client.get(names.PARTS, f"/api/issues?order_id={visit.order_id}")["issues"]
    assert sorted((i["part_no"], i["quantity"], i["issued_by"]) for i in issued) == [
        ("P-FILTER-OIL", "1", "P001"),
        ("P-OIL-5W30", "1", "P001"),
    ]


def test_goods_in_by_scanning(page: Page, line):
    client = Client(line)
    before = next(
        s["quantity"]
        for s in client.get(names.PARTS, "/api/stock")["stock"]
        if s["part_no"] == "P-ATF" and s["location"] == "MAIN"
    )
    sign_in(page, line, "P001", line.url(names.PARTS, "/goods-in"))
    page.locator("#quantity").fill("1e308")  # refused: nothing moves
    page.locator("#scan").press_sequentially("P-ATF")
    page.locator("#scan").press("Enter")
    expect(page.locator(".flash")).to_contain_text("数量最多为 9999")
    page.locator("#quantity").fill("20.5")
    page.locator("#scan").press_sequentially("P-ATF")
    page.locator("#scan").press("Enter")
    expect(page.locator(".flash")).to_contain_text("已入库")
    expect(page.locator("#received tr", has_text="P-ATF").first).to_contain_text("20.5")
    after = next(
        s["quantity"]
        for s in client.get(names.PARTS, "/api/stock")["stock"]
        if s["part_no"] == "P-ATF" and s["location"] == "MAIN"
    )
    assert Decimal(after) - Decimal(before) == Decimal("20.5")
