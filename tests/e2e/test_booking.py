"""Booking on the real line: reception slots under concurrency, refusals that store nothing, cancellation."""

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from contracts import names
from tests.support.factories import make_booking, make_vin, next_slot
from tests.support.http import eventually
from tests.support.visit import Visit

pytestmark = pytest.mark.e2e
HAN = "\u4e00"


def stored(client, booking) -> list[dict]:
    """The appointments stored for this booking's car (found by its random plate; the line is shared)."""
    found = client.get(names.BOOKING, f"/api/appointments?q={quote(booking['vehicle']['plate'])}")["appointments"]
    return [a for a in found if a["vehicle"]["plate"] == booking["vehicle"]["plate"]]


def test_twenty_clerks_booking_the_same_last_slot_at_once_exactly_one_succeeds(client, line):
    """R-BK-3/R-BK-4: never booked beyond capacity; the others get a clear answer with alternative times."""
    slot = next_slot()
    bookings = [make_booking(starts_at=slot.isoformat(), advisor_id="A002") for _ in range(20)]
    client.token("B001")
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(
            pool.map(lambda b: client.request("POST", names.BOOKING, "/api/appointments", b, as_="B001"), bookings)
        )
    assert sorted(a.status_code for a in answers) == [201] + [422] * 19
    for refused in (a.json()["error"] for a in answers if a.status_code == 422):
        assert refused["code"] == "slot_taken" and refused["field"] == "starts_at"
        assert refused["alternatives"] and slot.isoformat() not in refused["alternatives"]
        assert any(HAN <= ch <= "\u9fff" for ch in refused["message"])
    booked = [a for b in bookings for a in stored(client, b)]  # this test's twenty customers only (shared line)
    assert len(booked) == 1 and booked[0]["advisor_id"] == "A002"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"vin": "LSVAM4188C2184847"}, "vin", "校验位"),
        ({"customer": {"name": "王先生", "mobile": "1380013"}}, "customer.mobile", "手机号码"),
        ({"starts_at": "2020-01-06T09:00:00+08:00"}, "starts_at", "早于当前时间"),
        ({"starts_at": "2030-01-07T09:45:00+08:00"}, "starts_at", "不是可预约的接待时段"),
    ],
)
def test_a_bad_booking_is_refused_in_chinese_naming_the_field_and_nothing_is_stored(
    client, line, change, field, message
):
    booking = make_booking(**change)
    answer = client.request("POST", names.BOOKING, "/api/appointments", booking, as_="B001")
    assert answer.status_code in (400, 422)
    error = answer.json()["error"]
    assert error["field"] == field and message in error["message"]
    assert stored(client, booking) == []


def test_cancelling_releases_the_shelf_reservation_in_the_parts_service(client, line):
    visit = Visit(line, client=client)
    visit.book()
    assert visit.wait_parts_reserved()["parts_status"] == "reserved"

    def main_stock(part_no):
        return next(
            s["quantity"]
            for s in client.get(names.PARTS, "/api/stock")["stock"]
            if s["part_no"] == part_no and s["location"] == "MAIN"
        )

    before = main_stock("P-OIL-5W30")
    cancelled = client.post(
        names.BOOKING,
        f"/api/appointments/{visit.appointment_id}/cancel",
        {"reason": "客户改期", "by_dealership": False},
        as_="B001",
        expect=200,
    )
    assert cancelled["status"] == "cancelled"

    path = f"/api/reservations?appointment_id={visit.appointment_id}"

    def all_released():
        reservations = client.get(names.PARTS, path)["reservations"]
        return reservations if all(r["status"] == "released" for r in reservations) else None

    released = eventually(all_released, 30, what="shelf released")
    assert {r["part_no"] for r in released} == {"P-OIL-5W30", "P-FILTER-OIL"}
    assert float(main_stock("P-OIL-5W30")) == float(before) + 1
    arrivals = f"/api/expected-arrivals?appointment_id={visit.appointment_id}"
    eventually(
        lambda: client.get(names.RECEPTION, arrivals)["expected_arrivals"] == [],
        30,
        what="reception no longer expects the car",
    )
    # the freed slot can be booked again
    again = make_booking(starts_at=visit.booking["starts_at"], vin=make_vin())
    assert client.request("POST", names.BOOKING, "/api/appointments", again, as_="B001").status_code == 201


def test_a_delivered_car_enters_the_due_list_for_its_next_service(client, line):
    """R-BL-4 / R-BK-1: the delivery feeds the customer file; the next oil change is due from that mileage."""
    from services.booking.domain.maintenance import plan_for

    visit = Visit(line, client=client)
    visit.through_to_delivery()  # the order's jobs include LAB-OIL at 35,210 km
    vin = visit.booking["vin"]

    def due_for_car():
        return next((v for v in client.get(names.BOOKING, "/api/due?days=730")["due"] if v["vin"] == vin), None)

    car = eventually(due_for_car, 30, what="the car in the due list")
    oil = next(i for i in car["items"] if i["code"] == "OIL")
    assert oil["due_km"] == 35210 + plan_for(visit.booking["vehicle"]["model"]).item("OIL").every_km
    assert not oil["overdue"]
    assert any(i["code"] == "BRAKE-FLUID" for i in car["items"])  # R-KB-2: within 24 months at the latest
