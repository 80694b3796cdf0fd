"""Booking's flows on the real line (issue #4): a reschedule moves the shelf reservation and the expected arrival,
a no-show releases them (checked in the parts and reception services), calls turn into appointments through
the booking command, inbound suggestions are priced from booking's copy of billing's price list, and the
customer file is found by pinyin initials."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contracts import names
from services.booking.domain.slots import SlotRules, reception_slots
from tests.support.factories import make_booking, make_mobile, make_plate, make_vin, next_slot
from tests.support.http import eventually
from tests.support.visit import Visit

pytestmark = pytest.mark.e2e
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shelf_moves(client, appointment_id):
    return client.get(names.PARTS, f"/api/stock-moves?appointment_id={appointment_id}")["moves"]


def reservations(client, appointment_id):
    return client.get(names.PARTS, f"/api/reservations?appointment_id={appointment_id}")["reservations"]


def expected(client, appointment_id):
    return client.get(names.RECEPTION, f"/api/expected-arrivals?appointment_id={appointment_id}")["expected_arrivals"]


def test_a_reschedule_moves_the_shelf_reservation_and_the_expected_arrival(client, line):
    visit = Visit(line, client=client)
    visit.book()
    assert visit.wait_parts_reserved()["parts_status"] == "reserved"
    eventually(lambda: expected(client, visit.appointment_id), 30, what="reception expects the car")
    new_time = datetime.fromisoformat(visit.booking["starts_at"]) + timedelta(days=1)

    refused = client.request(  # into a buffer: refused with the free times, like a booking (R-BK-3)
        "POST",
        names.BOOKING,
        f"/api/appointments/{visit.appointment_id}/reschedule",
        {"starts_at": (new_time.replace(hour=9, minute=45)).isoformat()},
        as_="B001",
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "starts_at" and refused.json()["error"]["alternatives"]

    moved = client.post(
        names.BOOKING,
        f"/api/appointments/{visit.appointment_id}/reschedule",
        {"starts_at": new_time.isoformat(), "advisor_id": "A002", "reason": "客户出差"},
        as_="B001",
        expect=200,
    )
    assert moved["advisor_id"] == "A002" and datetime.fromisoformat(moved["starts_at"]) == new_time

    moves = eventually(
        lambda: [m for m in shelf_moves(client, visit.appointment_id) if m["reason"] == "reschedule"],
        30,
        what="the shelf reservation moved in the parts ledger",
    )
    assert {m["part_no"] for m in moves} == {"P-OIL-5W30", "P-FILTER-OIL"}
    assert {r["status"] for r in reservations(client, visit.appointment_id)} == {"reserved"}  # still held
    arrival = eventually(
        lambda: (a := expected(client, visit.appointment_id)) and a[0]["advisor_id"] == "A002" and a[0],
        30,
        what="reception expects the car at its new time",
    )
    assert datetime.fromisoformat(arrival["starts_at"]) == new_time


def test_a_no_show_releases_the_shelf_reservation_in_the_parts_service(line_factory):
    """One-minute slots (per-dealership settings, R-BK-3) so the booked time can pass within the test."""
    from tests.support.http import Client

    now = datetime.now(SHANGHAI)
    if now.hour == 23 and now.minute >= 50:
        pytest.skip("too close to midnight for a slot later today")
    settings = {"BOOKING_OPENS": "00:00", "BOOKING_CLOSES": "23:59", "SLOT_MINUTES": "1", "SLOT_GROUP": "50"}
    line = line_factory(**settings)
    line.start()
    client = Client(line)
    client.token("B001")
    # the first one-minute slot at least 75 s from now, on the grid (after every 50 slots a buffer stays free)
    earliest = datetime.now(SHANGHAI) + timedelta(seconds=75)
    grid = reception_slots(earliest.date(), SlotRules.from_settings(settings), SHANGHAI)
    soon = next((t for t in grid if t >= earliest), None)
    if soon is None:
        pytest.skip("no one-minute slot left today")
    visit = Visit(line, client=client, booking=make_booking(starts_at=soon.isoformat()))
    visit.book()
    assert visit.wait_parts_reserved()["parts_status"] == "reserved"
    eventually(lambda: expected(client, visit.appointment_id), 30, what="reception expects the car")
    early = client.request("POST", names.BOOKING, f"/api/appointments/{visit.appointment_id}/no-show", {}, as_="B001")
    assert early.status_code == 422 and early.json()["error"]["field"] == "starts_at"

    def stock(location):
        return next(
            s["quantity"]
            for s in client.get(names.PARTS, "/api/stock")["stock"]
            if s["part_no"] == "P-OIL-5W30" and s["location"] == location
        )

    before = float(stock("MAIN"))
    gone = eventually(
        lambda: client.post_if(
            names.BOOKING, f"/api/appointments/{visit.appointment_id}/no-show", {}, as_="B001", ok=200
        ),
        120,
        interval=2,
        what="the booked time to pass and the no-show to be recorded",
    )
    assert gone["status"] == "no_show"
    released = eventually(
        lambda: (r := reservations(client, visit.appointment_id)) and all(x["status"] == "released" for x in r) and r,
        30,
        what="the shelf released in the parts service",
    )
    assert {r["part_no"] for r in released} == {"P-OIL-5W30", "P-FILTER-OIL"}
    assert float(stock("MAIN")) == before + 1
    eventually(lambda: expected(client, visit.appointment_id) == [], 30, what="reception no longer expects the car")


def test_a_proactive_call_books_through_the_booking_command_and_an_inbound_call_is_priced(client, line):
    # the customer file: a car bought 23 months and a half ago, so its brake fluid comes due (R-KB-2)
    vin, mobile = make_vin(), make_mobile()
    purchase = (datetime.now(SHANGHAI) - timedelta(days=715)).date().isoformat()
    created = client.post(
        names.BOOKING,
        "/api/customers",
        {
            "name": "张三",
            "mobile": mobile,
            "preferred_advisor_id": "A002",
            "birthday": "1985-03-02",
            "vehicles": [{"vin": vin, "plate": make_plate(), "model": "帕萨特", "purchase_date": purchase}],
        },
        as_="B001",
        expect=201,
    )
    found = client.get(names.BOOKING, "/api/customers?q=zs")["customers"]
    assert [c["customer_id"] for c in found] == [created["customer_id"]]
    assert client.get(names.BOOKING, f"/api/customers/{created['customer_id']}")["birthday"] == "1985-03-02"

    listed = client.post(names.BOOKING, "/api/call-list", {"days": 30}, as_="B001", expect=201)
    [call] = [c for c in listed["calls"] if c["vehicle"]["vin"] == vin]
    assert "BRAKE-FLUID" in {i["code"] for i in call["due_items"]}
    slot = next_slot()
    answered = client.post(
        names.BOOKING,
        f"/api/calls/{call['call_id']}/outcome",
        {"outcome": "booked", "note": "客户同意", "booking": {"starts_at": slot.isoformat()}},
        as_="B001",
        expect=200,
    )
    assert answered["status"] == "booked" and answered["outcomes"][0]["by"] == "B001"
    appointment = client.get(names.BOOKING, f"/api/appointments/{answered['appointment_id']}")
    assert appointment["advisor_id"] == "A002" and "LAB-BRAKE-FLUID" in appointment["planned_labour"]

    # the same slot from a second call: refused like any booking, with the free times
    other_vin = make_vin()
    client.post(
        names.BOOKING,
        "/api/customers",
        {
            "name": "李四",
            "mobile": make_mobile(),
            "preferred_advisor_id": "A002",
            "vehicles": [{"vin": other_vin, "plate": make_plate(), "model": "帕萨特", "purchase_date": purchase}],
        },
        as_="B001",
        expect=201,
    )
    listed = client.post(names.BOOKING, "/api/call-list", {"days": 30}, as_="B001", expect=201)
    [second] = [c for c in listed["calls"] if c["vehicle"]["vin"] == other_vin]
    refused = client.request(
        "POST",
        names.BOOKING,
        f"/api/calls/{second['call_id']}/outcome",
        {"outcome": "booked", "booking": {"starts_at": slot.isoformat()}},
        as_="B001",
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "slot_taken"
    assert client.get(names.BOOKING, f"/api/calls/{second['call_id']}")["outcomes"] == []

    # inbound: priced from booking's own copy of billing's published price list (R-BK-2)
    def priced_call():
        recorded = client.post(
            names.BOOKING,
            "/api/inbound-calls",
            {"customer": {"name": "李女士", "mobile": make_mobile()}, "words": "时速60左右踩刹车方向盘抖"},
            as_="B001",
            expect=201,
        )
        estimate = recorded["suggestions"][0]["estimate"]
        return estimate if estimate else None

    estimate = eventually(priced_call, 30, what="booking's copy of the price list")
    assert estimate["gross"] == "2203.50" and estimate["price_list_version"] == "2026.11-1"


def test_the_desk_pages_answer_in_chinese(client, line):
    import requests

    token = client.token("A001")
    vin = make_vin()
    customer = client.post(
        names.BOOKING,
        "/api/customers",
        {"name": "王五", "mobile": make_mobile(), "vehicles": [{"vin": vin, "plate": make_plate()}]},
        as_="B001",
        expect=201,
    )
    client.post(names.BOOKING, f"/api/vehicles/{vin}/mileage", {"mileage_km": 12000}, as_="B001", expect=201)
    lower = client.request("POST", names.BOOKING, f"/api/vehicles/{vin}/mileage", {"mileage_km": 11000}, as_="B001")
    assert lower.status_code == 422 and lower.json()["error"]["field"] == "mileage_km"
    file_page = f"/customers/{customer['customer_id']}"
    for path in ("/customers?q=ww", "/calls", "/advisor?advisor_id=A001", file_page):
        page = requests.get(line.url(names.BOOKING, path), cookies={"as_session": token}, timeout=15)
        assert page.status_code == 200, path
        assert 'lang="zh-CN"' in page.text
    page = requests.get(line.url(names.BOOKING, "/calls"), cookies={"as_session": token}, timeout=15)
    assert "预约电话" in page.text
    page = requests.get(line.url(names.BOOKING, file_page), cookies={"as_session": token}, timeout=15)
    assert "王五" in page.text and "12000" in page.text
    found = requests.get(line.url(names.BOOKING, "/customers?q=ww"), cookies={"as_session": token}, timeout=15)
    assert customer["customer_id"] in found.text
