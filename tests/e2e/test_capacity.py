"""Booking against the workshop's real capacity on the whole line (R-BK-4, R-BK-10): the last capacity goes to
exactly one of twenty clerks booking at once, cancel releases the hold in the workshop, a workshop that is down
makes booking refuse with a clear message and store nothing."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from contracts import names
from services.booking.domain.slots import SlotRules, reception_slots
from tests.support.factories import make_booking
from tests.support.http import Client, eventually

pytestmark = pytest.mark.e2e
TZ = ZoneInfo("Asia/Shanghai")
HAN = "\u4e00"
DAY = (datetime.now(TZ) + timedelta(days=10)).date()
MOVE_DAY = DAY + timedelta(days=3)  # the reschedule test's own days on the module's shared line


def chinese(text: str) -> bool:
    return any(HAN <= ch <= "\u9fff" for ch in text)


@pytest.fixture
def postgresql_databases(pg_server_url):
    """Workshop and booking each on a fresh PostgreSQL database (the per-dealership deployment)."""
    server = make_url(pg_server_url)
    prefix = f"t{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    urls = {}
    with admin.connect() as conn:
        for service in (names.WORKSHOP, names.BOOKING):
            conn.execute(sa.text(f'CREATE DATABASE "{prefix}_{service}"'))
            url = server.set(database=f"{prefix}_{service}").render_as_string(hide_password=False)
            urls[f"{service.upper()}_DATABASE_URL"] = url
    yield urls
    with admin.connect() as conn:
        for service in (names.WORKSHOP, names.BOOKING):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{prefix}_{service}" WITH (FORCE)'))
    admin.dispose()


def test_twenty_clerks_booking_the_last_workshop_capacity_at_once_exactly_one_succeeds(line_factory):
    """R-BK-4: never booked beyond the workshop's capacity. Twenty different advisors at different reception
    slots (so the one-booking-per-advisor-and-slot rule refuses nobody) each want a brake-disc job (1.5 h,
    mechanical) on one day, when the bookable mechanical hours of that day (5 % of ten technicians' hours,
    nothing may run on into the next day) hold exactly one such job: one is booked, nineteen are told
    in Chinese that the workshop is full then, with other times that fit; after the race the day is full, so a
    clerk asking then is offered only later days, and one of them books."""
    last_capacity_race(line_factory)


def test_the_same_race_on_postgresql(line_factory, postgresql_databases):
    """The serialising day update on PostgreSQL: a second hold waits for the first and sees what it took."""
    last_capacity_race(line_factory, **postgresql_databases)


def last_capacity_race(line_factory, **env):
    line = line_factory(WORKSHOP_APPOINTMENT_SHARE="0.05", WORKSHOP_SPILL_DAYS="0", **env)
    line.start()
    client = Client(line)
    slots = reception_slots(DAY, SlotRules(), TZ)[:20]
    bookings = [
        make_booking(
            starts_at=slot.isoformat(),
            advisor_id=f"A{100 + n}",
            planned_labour=["LAB-BRAKE-DISC"],
            planned_parts=[],
        )
        for n, slot in enumerate(slots)
    ]
    before = eventually(  # the workshop plans with the published standard hours (price_list_published)
        lambda: (v := client.get(names.WORKSHOP, f"/api/capacity?day={DAY}"))["price_list_version"] and v,
        30,
        what="the standard hours in the workshop",
    )
    assert before["by_day"][0]["booked_hours"] == "0.0"
    client.token("B001")
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(
            pool.map(lambda b: client.request("POST", names.BOOKING, "/api/appointments", b, as_="B001"), bookings)
        )
    assert sorted(a.status_code for a in answers) == [201] + [422] * 19, [
        a.text for a in answers if a.status_code != 422
    ]
    for refused in (a.json()["error"] for a in answers if a.status_code == 422):
        assert refused["code"] == "no_capacity" and refused["field"] == "starts_at", refused
        assert chinese(refused["message"]) and "车间" in refused["message"]
        # times that fit when that hold was answered: a late slot that never fits the day (a job may not run on
        # into the next) can be answered before the winner's hold, with the day's morning still free
        assert refused["alternatives"], refused
    assert len(client.get(names.BOOKING, "/api/appointments?per_page=100")["appointments"]) == 1
    winner = next(a.json() for a in answers if a.status_code == 201)
    hold = eventually(
        lambda: (
            (h := client.get(names.WORKSHOP, f"/api/capacity/holds/{winner['appointment_id']}"))["status"]
            == "confirmed"
            and h
        ),
        30,
        what="the winner's hold confirmed by appointment_booked",
    )
    assert hold["hours"] == "1.5" and not hold["over_capacity"]
    load = client.get(names.WORKSHOP, f"/api/capacity?day={DAY}")
    assert load["by_day"][0]["booked_hours"] == "1.5"
    for hour in load["by_hour"]:  # never over what appointments may book, in any hour (R-BK-4)
        for skill in hour["by_skill"].values():
            assert float(skill["booked_hours"]) <= float(skill["bookable_hours"])
    # the day is full now: a clerk asking after the race is offered only later days, and such a time books
    late = make_booking(
        starts_at=slots[0].isoformat(), advisor_id="A120", planned_labour=["LAB-BRAKE-DISC"], planned_parts=[]
    )
    answer = client.request("POST", names.BOOKING, "/api/appointments", late, as_="B001")
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "no_capacity", answer.text
    offered = answer.json()["error"]["alternatives"]
    assert offered and all(datetime.fromisoformat(t).astimezone(TZ).date() > DAY for t in offered), offered
    retry = make_booking(starts_at=offered[0], advisor_id="A120", planned_labour=["LAB-BRAKE-DISC"], planned_parts=[])
    assert client.request("POST", names.BOOKING, "/api/appointments", retry, as_="B001").status_code == 201


def test_cancelling_releases_the_workshop_capacity_held_for_the_appointment(client, line):
    eventually(
        lambda: client.get(names.WORKSHOP, f"/api/capacity?day={DAY}")["price_list_version"], 30, what="standard hours"
    )
    booking = make_booking(starts_at=reception_slots(DAY, SlotRules(), TZ)[0].isoformat())
    appointment = client.post(names.BOOKING, "/api/appointments", booking, as_="B001", expect=201)
    path = f"/api/capacity/holds/{appointment['appointment_id']}"
    confirmed = eventually(
        lambda: (h := client.get(names.WORKSHOP, path))["status"] == "confirmed" and h, 30, what="hold confirmed"
    )
    assert confirmed["hours"] == "1.1" and confirmed["chunks"]  # LAB-THROTTLE 0.6 h + LAB-OIL 0.5 h
    assert client.get(names.WORKSHOP, f"/api/capacity?day={DAY}")["by_day"][0]["booked_hours"] != "0.0"
    client.post(
        names.BOOKING,
        f"/api/appointments/{appointment['appointment_id']}/cancel",
        {"reason": "客户改期", "by_dealership": False},
        as_="B001",
        expect=200,
    )
    released = eventually(
        lambda: (h := client.get(names.WORKSHOP, path))["status"] == "released" and h, 30, what="hold released"
    )
    assert released["chunks"] == []
    assert client.get(names.WORKSHOP, f"/api/capacity?day={DAY}")["by_day"][0]["booked_hours"] == "0.0"


@pytest.mark.own_line
def test_with_the_workshop_down_booking_refuses_in_chinese_naming_the_time_and_stores_nothing(client, line):
    line.kill(names.WORKSHOP)
    answer = client.request("POST", names.BOOKING, "/api/appointments", make_booking(), as_="B001")
    assert answer.status_code == 503, answer.text
    error = answer.json()["error"]
    assert error["code"] == "service_unavailable" and error["field"] == "starts_at"
    assert "车间" in error["message"] and "未保存" in error["message"]
    assert client.get(names.BOOKING, "/api/appointments")["appointments"] == []
    # and the booking desk's load page says so too, instead of failing
    assert client.request("GET", names.BOOKING, "/api/load", as_="B001").status_code == 503
    line.restart(names.WORKSHOP)
    assert client.request("POST", names.BOOKING, "/api/appointments", make_booking(), as_="B001").status_code == 201


def test_the_booking_desk_sees_the_workshop_load_by_hour_and_by_day(client, line):
    """R-BK-10: the booking view shows the load per hour and per day (asked from the workshop), with charts."""
    day: date = DAY
    view = client.get(names.BOOKING, f"/api/load?day={day}", as_="B001")
    assert len(view["by_day"]) == 14 and view["by_hour"][0]["label"] == "08:00"
    page = client.request("GET", names.BOOKING, f"/load?day={day}", as_="B001")
    assert page.status_code == 200 and page.text.count('class="chart-bar') == len(view["by_hour"]) + 14
    assert "每小时已预约工时" in page.text
    workshop_page = client.request("GET", names.WORKSHOP, f"/load?day={day}", as_="D001")
    assert workshop_page.status_code == 200 and "每日已预约工时" in workshop_page.text


def test_rescheduling_moves_the_workshop_hold_before_the_booking_moves(client, line):
    """R-BK-4 for a moved booking: the desk asks the workshop to move the hold first, then stores the move."""
    eventually(
        lambda: client.get(names.WORKSHOP, f"/api/capacity?day={MOVE_DAY}")["price_list_version"],
        30,
        what="standard hours",
    )
    booking = make_booking(starts_at=reception_slots(MOVE_DAY, SlotRules(), TZ)[0].isoformat())
    appointment = client.post(names.BOOKING, "/api/appointments", booking, as_="B001", expect=201)
    path = f"/api/capacity/holds/{appointment['appointment_id']}"
    eventually(lambda: client.get(names.WORKSHOP, path)["status"] == "confirmed", 30, what="hold confirmed")
    later = reception_slots(MOVE_DAY + timedelta(days=1), SlotRules(), TZ)[0]
    client.post(
        names.BOOKING,
        f"/api/appointments/{appointment['appointment_id']}/reschedule",
        {"starts_at": later.isoformat(), "reason": "客户出差", "by_dealership": False},
        as_="B001",
        expect=200,
    )
    # moved synchronously, before appointment_rescheduled reaches the workshop
    moved = client.get(names.WORKSHOP, path)
    assert datetime.fromisoformat(moved["starts_at"]) == later and moved["status"] == "confirmed"
    assert client.get(names.WORKSHOP, f"/api/capacity?day={MOVE_DAY}")["by_day"][0]["booked_hours"] == "0.0"
    assert client.get(names.WORKSHOP, f"/api/capacity?day={MOVE_DAY}")["by_day"][1]["booked_hours"] == "1.1"
