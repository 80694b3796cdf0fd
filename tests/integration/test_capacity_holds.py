"""Holding workshop capacity for appointments on the workshop's real (SQLite) schema (R-BK-4, R-RC-5, R-BK-10):
idempotent holds, refusals with alternatives, confirm / release / move by the appointment events, lapses, and
20 clerks racing for the last capacity."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contracts import names
from kit.uow import Work
from services.billing import seed as billing_seed
from services.workshop import handlers
from services.workshop import handlers as planning
from services.workshop.domain.capacity import CapacityRules
from tests.support.db import service_work, wire_event

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.now(TZ).date() + timedelta(days=7)
# one mechanic, one bay, 9:00-12:00, half bookable: 90 booked minutes a day, exactly one brake-disc job (1.5 h)
RULES = CapacityRules(
    appointment_share=Decimal("0.5"), opens=time(9), closes=time(12), handover_minutes=0, spill_days=0
)
DISC = ["LAB-BRAKE-DISC"]


def at(hh: int, mm: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), TZ)


@pytest.fixture
def work(tmp_path):
    work = service_work("workshop", tmp_path, consumer="workshop.test")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, billing_seed.PRICE_LIST), planning.take_price_list)
    work.run(small_workshop)
    return work


def small_workshop(uow):
    handlers.add_technician(uow, "T1", "刘师傅", "机电")
    handlers.add_bay(uow, "B1", "一号工位")
    uow.session.flush()
    planning.set_technician_capacity(uow, "T1", skills="mechanical")


def hold(work, appointment_id=None, starts_at=None, labour=DISC, candidates=None):
    return work.run(
        planning.hold,
        appointment_id or str(uuid.uuid4()),
        starts_at or at(9),
        list(labour),
        candidates=candidates,
        rules=RULES,
        tz=TZ,
    )


def booked(appointment_id, starts_at=None, labour=DISC):
    payload = {
        "appointment_id": appointment_id,
        "visit_id": str(uuid.uuid4()),
        "customer": {"name": "王先生", "mobile": "13912345678"},
        "vehicle": {"vin": "LSVAM4187C2184847", "plate": "沪A12345", "model": "帕萨特"},
        "starts_at": starts_at or at(9),
        "advisor_id": "A001",
        "planned_labour": list(labour),
    }
    return wire_event(names.APPOINTMENT_BOOKED, payload)


def test_the_last_capacity_is_held_once_and_the_next_is_refused_with_times_that_fit(work):
    first = hold(work)
    assert first["held"] and first["hours"] == Decimal("1.5")
    refused = hold(work, starts_at=at(9, 30), candidates=[at(10), at(9, day=DAY + timedelta(days=1))])
    assert refused["held"] is False
    assert refused["alternatives"] == [at(9, day=DAY + timedelta(days=1))]


def test_asking_again_for_the_same_appointment_holds_nothing_more(work):
    appointment_id = str(uuid.uuid4())
    first = hold(work, appointment_id)
    again = hold(work, appointment_id)
    assert again == first
    assert work.read(planning.hold_view, appointment_id)["hours"] == Decimal("1.5")
    assert sum(h["booked_hours"] for h in load(work)["by_hour"]) == Decimal("1.5")


def load(work):
    return work.read(planning.load_view, DAY, datetime.now(UTC), rules=RULES, tz=TZ, days=2)


def test_releasing_frees_the_capacity_at_once(work):
    appointment_id = str(uuid.uuid4())
    hold(work, appointment_id)
    assert hold(work)["held"] is False
    work.run(planning.release, appointment_id)
    assert work.read(planning.hold_view, appointment_id)["status"] == "released"
    assert hold(work)["held"] is True


def test_cancel_and_no_show_release_the_hold(work):
    for event_type in (names.APPOINTMENT_CANCELLED, names.APPOINTMENT_NO_SHOW):
        appointment_id = str(uuid.uuid4())
        hold(work, appointment_id)
        work.handle(booked(appointment_id), planning.confirm_booked, RULES, TZ)
        payload = {"appointment_id": appointment_id, "visit_id": str(uuid.uuid4())}
        payload.update(
            {"reason": "客户改期", "by_dealership": False}
            if event_type == names.APPOINTMENT_CANCELLED
            else {"starts_at": at(9)}
        )
        work.handle(wire_event(event_type, payload), planning.release_for_event)
        assert work.read(planning.hold_view, appointment_id)["status"] == "released"
        assert work.read(planning.hold_view, appointment_id)["chunks"] == []


def test_a_hold_never_confirmed_lapses_and_a_confirmed_one_does_not(tmp_path, work):
    crashed, kept = str(uuid.uuid4()), str(uuid.uuid4())
    hold(work, crashed)
    later = Work(
        work.session_factory,
        service="workshop",
        dealer_id="demo-4s",
        consumer="workshop.test",
        clock=lambda: datetime.now(UTC) + timedelta(minutes=RULES.hold_minutes + 1),
    )
    # the booking crashed between hold and commit: a few minutes later the capacity is free again
    assert hold(later, kept)["held"] is True
    later.handle(booked(kept), planning.confirm_booked, RULES, TZ)
    assert later.run(planning.expire_lapsed) == 1
    assert work.read(planning.hold_view, crashed)["status"] == "expired"
    much_later = Work(
        work.session_factory,
        service="workshop",
        dealer_id="demo-4s",
        clock=lambda: datetime.now(UTC) + timedelta(hours=1),
    )
    assert hold(much_later)["held"] is False  # the confirmed one still counts


def test_a_cancel_that_overtakes_the_booking_is_not_undone_by_it(work):
    appointment_id = str(uuid.uuid4())
    hold(work, appointment_id)
    cancelled = {"appointment_id": appointment_id, "visit_id": str(uuid.uuid4()), "by_dealership": False}
    work.handle(wire_event(names.APPOINTMENT_CANCELLED, cancelled), planning.release_for_event)
    work.handle(booked(appointment_id), planning.confirm_booked, RULES, TZ)
    assert work.read(planning.hold_view, appointment_id)["status"] == "released"
    assert hold(work)["held"] is True


def test_a_booking_that_arrives_without_a_hold_is_planned_and_flagged_when_no_room_is_left(work):
    hold(work)
    appointment_id = str(uuid.uuid4())
    work.handle(booked(appointment_id), planning.confirm_booked, RULES, TZ)
    view = work.read(planning.hold_view, appointment_id)
    assert view["status"] == "confirmed" and view["over_capacity"] is True
    assert sum(c["minutes"] for c in view["chunks"]) == 90


def test_rescheduling_moves_the_hold_and_frees_the_old_time(work):
    appointment_id = str(uuid.uuid4())
    hold(work, appointment_id)
    work.handle(booked(appointment_id), planning.confirm_booked, RULES, TZ)
    tomorrow = at(9, day=DAY + timedelta(days=1))
    moved = {
        "appointment_id": appointment_id,
        "visit_id": str(uuid.uuid4()),
        "starts_at": tomorrow,
        "previous_starts_at": at(9),
        "advisor_id": "A001",
        "by_dealership": False,
    }
    work.handle(wire_event(names.APPOINTMENT_RESCHEDULED, moved), planning.move_rescheduled, RULES, TZ)
    view = work.read(planning.hold_view, appointment_id)
    assert view["status"] == "confirmed" and view["starts_at"] == tomorrow
    assert hold(work)["held"] is True  # the old day is free again
    assert hold(work, starts_at=tomorrow)["held"] is False


def test_twenty_clerks_holding_the_last_capacity_at_once_get_it_exactly_once(work):
    """R-BK-4: never overbooked; the serialising day update decides, the others get alternatives."""
    candidates = [at(9, day=DAY + timedelta(days=d)) for d in range(1, 4)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda m: hold(work, starts_at=at(9, m), candidates=candidates), [0, 15, 30, 45] * 5))
    assert sum(a["held"] for a in answers) == 1
    for refused in (a for a in answers if not a["held"]):
        assert refused["alternatives"] == candidates
    assert sum(h["booked_hours"] for h in load(work)["by_hour"]) == Decimal("1.5")


def test_the_promised_time_follows_the_load(work):
    """R-RC-5: an empty workshop finishes 1 h of work an hour after it starts; booked work comes first."""
    now = datetime.now(UTC)
    empty = work.read(planning.promise_time, Decimal("1"), at(9), now, rules=RULES, tz=TZ)
    assert empty == at(10)
    hold(work)  # 90 of the mechanic's 180 minutes
    busy = work.read(planning.promise_time, Decimal("1"), at(9), now, rules=RULES, tz=TZ)
    assert busy > empty


def test_the_load_view_shows_booked_against_bookable_and_all_hours(work):
    hold(work)
    view = load(work)
    assert [h["label"] for h in view["by_hour"]] == ["09:00", "10:00", "11:00"]
    nine = view["by_hour"][0]
    assert (nine["booked_hours"], nine["bookable_hours"], nine["capacity_hours"]) == (
        Decimal("0.5"),
        Decimal("0.5"),
        Decimal("1.0"),
    )
    assert view["by_day"][0]["booked_hours"] == Decimal("1.5") and view["by_day"][0]["bookable_hours"] == Decimal("1.5")
    assert view["by_day"][1]["booked_hours"] == 0


def test_holds_made_before_the_price_list_arrived_are_planned_again_with_its_standard_hours(tmp_path):
    """Booked before the workshop heard of the price list: planned at the default hour per job, then with
    the published standard hours (LAB-BRAKE-DISC 1.5 h) once price_list_published arrives."""
    work = service_work("workshop", tmp_path, consumer="workshop.test")
    work.run(small_workshop)
    appointment_id = str(uuid.uuid4())
    assert hold(work, appointment_id)["hours"] == Decimal("1")  # default_hours
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, billing_seed.PRICE_LIST), planning.take_price_list, RULES, TZ)
    view = work.read(planning.hold_view, appointment_id)
    assert view["hours"] == Decimal("1.5") and sum(c["minutes"] for c in view["chunks"]) == 90
    assert view["status"] == "held" and not view["over_capacity"]
