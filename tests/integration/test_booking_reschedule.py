"""Reschedule and no-show, each an event (appointment_rescheduled, appointment_no_show): reschedule keeps the
one-booking-per-advisor-slot rule (refused with alternatives, like booking); the customer is told at once when
the dealership moves a booking, with other times offered (R-BK-8); parts move or release the shelf
reservation, reception moves or drops the expected arrival."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from contracts import names
from kit import notify
from kit.db import outbox_table
from kit.errors import DomainError
from services.booking import handlers
from services.booking.domain.slots import SlotUnavailable
from services.parts import handlers as parts
from services.parts import seed as parts_seed
from services.reception.handlers import arrivals as reception
from services.reception.models import ExpectedArrival
from tests.support.db import service_work, snapshot, wire_event
from tests.support.factories import make_mobile, make_plate, make_vin

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def booking_work(tmp_path):
    work = service_work("booking", tmp_path)
    clock = work.clock = Clock(T0)
    return work, clock


def book(work, at=NINE, advisor="A001", email=None):
    return work.run(
        handlers.book_appointment,
        {
            "customer": {"name": "王先生", "mobile": make_mobile()},
            "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": "帕萨特"},
            "starts_at": at,
            "advisor_id": advisor,
            "email": email,
            "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": "1"}],
        },
        actor_id="B001",
    )


def events(work, event_type):
    def query(session):
        outbox = outbox_table(session.info["metadata"])
        rows = session.execute(sa.select(outbox.c.body).where(outbox.c.event_type == event_type)).all()
        return [json.loads(r.body)["payload"] for r in rows]

    return work.read(query)


def test_a_reschedule_to_a_free_slot_is_an_event_with_the_previous_time(tmp_path):
    work, _ = booking_work(tmp_path)
    appointment = book(work)
    later = NINE + timedelta(days=1, hours=1)
    work.run(
        handlers.reschedule_appointment,
        appointment.appointment_id,
        starts_at=later,
        advisor_id="A002",
        reason="客户出差",
        actor_id="B001",
    )
    view = work.read(handlers.appointment, appointment.appointment_id)
    assert (view["starts_at"], view["advisor_id"], view["status"]) == (later, "A002", "booked")
    [moved] = events(work, names.APPOINTMENT_RESCHEDULED)
    assert datetime.fromisoformat(moved["previous_starts_at"]) == NINE
    assert moved["advisor_id"] == "A002" and moved["by_dealership"] is False
    # the old slot is free again for the advisor
    book(work, at=NINE)


@pytest.mark.parametrize(
    ("to", "code"),
    [(NINE + timedelta(minutes=15), "slot_taken"), (NINE + timedelta(minutes=45), "not_a_slot")],
)
def test_a_reschedule_into_a_taken_slot_or_a_buffer_is_refused_with_alternatives_and_nothing_changes(
    tmp_path, to, code
):
    work, _ = booking_work(tmp_path)
    appointment = book(work)
    book(work, at=NINE + timedelta(minutes=15))
    before = snapshot(work)
    with pytest.raises(SlotUnavailable) as refused:
        work.run(handlers.reschedule_appointment, appointment.appointment_id, starts_at=to)
    assert refused.value.code == code and refused.value.field == "starts_at"
    alternatives = refused.value.details["alternatives"]
    assert alternatives and to.isoformat() not in alternatives and NINE.isoformat() not in alternatives
    assert snapshot(work) == before


def test_when_the_dealership_moves_a_booking_the_customer_is_told_at_once_with_other_times(tmp_path):
    """R-BK-8: never only on arrival."""
    work, _ = booking_work(tmp_path)
    appointment = book(work, email="wang@example.com")
    later = NINE + timedelta(hours=1)
    work.run(
        handlers.reschedule_appointment,
        appointment.appointment_id,
        starts_at=later,
        reason="举升机故障",
        by_dealership=True,
    )
    told = work.read(notify.notifications_about, appointment.appointment_id)
    assert [n["subject"] for n in told][-1] == "您的预约时间已变更"
    body = work.read(
        lambda s: s.execute(
            sa.text("SELECT body FROM notifications WHERE about = :a ORDER BY id DESC"),
            {"a": appointment.appointment_id},
        ).scalar()
    )
    assert "举升机故障" in body and "12-02 10:00" in body.replace("2026-", "") and "12-02 09:00" in body
    assert "A001" in body


def test_a_no_show_is_only_possible_after_the_booked_time_and_then_is_an_event(tmp_path):
    work, clock = booking_work(tmp_path)
    appointment = book(work)
    with pytest.raises(DomainError) as early:
        work.run(handlers.mark_no_show, appointment.appointment_id)
    assert early.value.field == "starts_at" and early.value.code == "too_early"
    clock.now = NINE + timedelta(minutes=20)
    work.run(handlers.mark_no_show, appointment.appointment_id, actor_id="B001")
    assert work.read(handlers.appointment, appointment.appointment_id)["status"] == "no_show"
    [gone] = events(work, names.APPOINTMENT_NO_SHOW)
    assert gone["appointment_id"] == appointment.appointment_id
    with pytest.raises(DomainError) as twice:
        work.run(handlers.mark_no_show, appointment.appointment_id)
    assert twice.value.code == "not_booked"
    with pytest.raises(DomainError):
        work.run(handlers.reschedule_appointment, appointment.appointment_id, starts_at=NINE + timedelta(days=1))
    assert work.read(handlers.welcome_board, NINE.date()) == []


# --- parts and reception follow ---------------------------------------------------------------------------


def booked_payload():
    return {
        "appointment_id": "ap-1",
        "visit_id": "v-1",
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
        "starts_at": NINE,
        "advisor_id": "A001",
        "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": "1"}],
    }


RESCHEDULED = {
    "appointment_id": "ap-1",
    "visit_id": "v-1",
    "starts_at": NINE + timedelta(days=1),
    "previous_starts_at": NINE,
    "advisor_id": "A002",
    "reason": "",
    "by_dealership": False,
}
NO_SHOW = {"appointment_id": "ap-1", "visit_id": "v-1", "starts_at": NINE}


def shelf(work):
    return {
        (s["part_no"], s["location"]): s["quantity"] for s in work.read(parts.stock) if s["location"] == "APPT-SHELF"
    }


def test_parts_keep_the_reservation_on_the_shelf_when_rescheduled_and_release_it_on_a_no_show(tmp_path):
    work = service_work("parts", tmp_path, consumer="parts.test")
    parts_seed.reference_data(work)
    work.handle(wire_event(names.APPOINTMENT_BOOKED, booked_payload()), parts.reserve_for_appointment)
    assert shelf(work)[("P-OIL-5W30", "APPT-SHELF")] == Decimal("1")

    work.handle(wire_event(names.APPOINTMENT_RESCHEDULED, RESCHEDULED), parts.move_for_rescheduled)
    assert [r["status"] for r in work.read(parts.reservations, "ap-1")] == ["reserved"]
    assert shelf(work)[("P-OIL-5W30", "APPT-SHELF")] == Decimal("1")
    moved = [m for m in work.read(parts.stock_moves, "ap-1") if m["reason"] == "reschedule"]
    assert [(m["part_no"], m["reference"]) for m in moved] == [("P-OIL-5W30", "ap-1@2026-12-03T01:00Z")]

    work.handle(wire_event(names.APPOINTMENT_NO_SHOW, NO_SHOW), parts.release_for_no_show)
    assert [r["status"] for r in work.read(parts.reservations, "ap-1")] == ["released"]
    assert shelf(work)[("P-OIL-5W30", "APPT-SHELF")] == Decimal("0")
    # a late appointment_booked for a no-show reserves nothing again
    late = wire_event(names.APPOINTMENT_BOOKED, booked_payload())
    work.handle(late, parts.reserve_for_appointment)
    assert shelf(work)[("P-OIL-5W30", "APPT-SHELF")] == Decimal("0")


def test_reception_expects_the_car_at_its_new_time_and_forgets_a_no_show(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.test")
    work.handle(wire_event(names.APPOINTMENT_BOOKED, booked_payload()), reception.expect_arrival)
    work.handle(wire_event(names.APPOINTMENT_RESCHEDULED, RESCHEDULED), reception.move_arrival)
    [arrival] = work.read(reception.expected_arrivals, "ap-1")
    assert (arrival["starts_at"], arrival["advisor_id"]) == (NINE + timedelta(days=1), "A002")
    work.handle(wire_event(names.APPOINTMENT_NO_SHOW, NO_SHOW), reception.drop_arrival)
    assert work.read(lambda s: s.get(ExpectedArrival, "ap-1")) is None


def test_appointment_booked_carries_the_customers_e_mail_for_reception_s_progress_notices(tmp_path):
    """R-PN-1: reception tells the customer of progress; it learns where from the booking."""
    work, _ = booking_work(tmp_path)
    book(work, email="wang@example.com")
    book(work, at=NINE + timedelta(minutes=15))
    assert [e["customer"].get("email") for e in events(work, names.APPOINTMENT_BOOKED)] == ["wang@example.com", None]


def test_a_european_vin_without_a_check_digit_is_booked_and_the_desk_is_warned(tmp_path):
    """Issue #4: warn rather than refuse where the market does not use the check digit."""
    work, _ = booking_work(tmp_path)
    booked = work.run(
        handlers.book_appointment,
        {
            "customer": {"name": "王先生", "mobile": make_mobile()},
            "vehicle": {"vin": "WVWZZZ1KZAW000001", "plate": make_plate(), "model": "高尔夫(进口)"},
            "starts_at": NINE,
            "advisor_id": "A001",
        },
        actor_id="B001",
    )
    view = work.read(handlers.appointment, booked.appointment_id)
    assert view["vehicle"]["vin_check_digit"] == "not_used"
    assert (
        work.read(handlers.appointment, book(work, at=NINE + timedelta(minutes=15)).appointment_id)["vehicle"][
            "vin_check_digit"
        ]
        == "valid"
    )
