"""R-BK-7: confirmation calls the day before and one hour before, with outcomes; one unanswered by its
deadline escalates to the service manager once (controllable clock)."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from contracts import names
from kit.db import outbox_table
from kit.errors import DomainError
from services.booking import handlers
from services.booking.domain import confirmations
from tests.support.db import service_work
from tests.support.factories import make_mobile, make_plate, make_vin

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")
STARTS = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def setup(tmp_path, at=STARTS):
    work = service_work("booking", tmp_path)
    clock = work.clock = Clock(T0)
    appointment = work.run(
        handlers.book_appointment,
        {
            "customer": {"name": "王先生", "mobile": make_mobile()},
            "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
            "starts_at": at,
            "advisor_id": "A001",
        },
        actor_id="B001",
    )
    return work, clock, appointment


def tasks(work, appointment_id):
    return {t["kind"]: t for t in work.read(handlers.confirmation_tasks, T0, appointment_id)}


def escalations(work):
    def query(session):
        outbox = outbox_table(session.info["metadata"])
        rows = session.execute(
            sa.select(outbox.c.body).where(outbox.c.event_type == names.CONFIRMATION_ESCALATED)
        ).all()
        return [json.loads(r.body)["payload"] for r in rows]

    return work.read(query)


def test_the_day_before_and_the_hour_before_tasks_are_set_with_their_deadlines():
    day, hour = confirmations.tasks_for(STARTS, T0)
    assert (day.kind, day.due_at, day.answer_by) == (
        "day_before",
        STARTS - timedelta(days=1),
        STARTS - timedelta(days=1) + timedelta(hours=4),
    )
    assert (hour.kind, hour.due_at, hour.answer_by) == (
        "hour_before",
        STARTS - timedelta(hours=1),
        STARTS - timedelta(minutes=30),
    )


def test_a_booking_for_later_today_needs_only_the_hour_before_call():
    later_today = datetime(2026, 12, 1, 15, 0, tzinfo=SHANGHAI)
    assert [t.kind for t in confirmations.tasks_for(later_today, T0)] == ["hour_before"]


def test_an_unanswered_confirmation_escalates_one_second_after_its_deadline_and_only_once(tmp_path):
    work, clock, appointment = setup(tmp_path)
    deadline = tasks(work, appointment.appointment_id)["day_before"]["answer_by"]
    clock.now = deadline
    assert work.run(handlers.escalate_overdue_confirmations) == []
    assert work.read(handlers.overdue_confirmations, clock.now) == 0
    clock.now = deadline + timedelta(seconds=1)
    assert work.read(handlers.overdue_confirmations, clock.now) == 1
    [escalated] = work.run(handlers.escalate_overdue_confirmations)
    assert escalated == tasks(work, appointment.appointment_id)["day_before"]["task_id"]
    assert tasks(work, appointment.appointment_id)["day_before"]["escalated_at"] == clock.now
    [event] = escalations(work)
    assert event["kind"] == "day_before" and event["appointment_id"] == appointment.appointment_id
    assert event["advisor_id"] == "A001"
    clock.now += timedelta(minutes=5)
    assert work.run(handlers.escalate_overdue_confirmations) == []  # once per task
    assert len(escalations(work)) == 1


def test_a_no_answer_is_recorded_and_the_task_still_escalates(tmp_path):
    work, clock, appointment = setup(tmp_path)
    task = tasks(work, appointment.appointment_id)["day_before"]
    clock.now = task["due_at"] + timedelta(minutes=5)
    answer = work.run(handlers.answer_confirmation, task["task_id"], "no_answer", "关机", actor_id="B001")
    assert answer["status"] == "open"
    clock.now = task["answer_by"] + timedelta(seconds=1)
    assert work.run(handlers.escalate_overdue_confirmations) == [task["task_id"]]
    assert escalations(work)[0]["attempts"] == 1


def test_a_confirmed_task_never_escalates_and_cannot_be_answered_twice(tmp_path):
    work, clock, appointment = setup(tmp_path)
    task = tasks(work, appointment.appointment_id)["day_before"]
    clock.now = task["due_at"]
    work.run(handlers.answer_confirmation, task["task_id"], "confirmed", "", actor_id="B001")
    confirmed = tasks(work, appointment.appointment_id)["day_before"]
    assert (confirmed["status"], confirmed["answered_by"], confirmed["answered_at"]) == ("confirmed", "B001", clock.now)
    assert confirmed["attempts"][0]["outcome"] == "confirmed"
    clock.now = task["answer_by"] + timedelta(hours=1)
    assert work.run(handlers.escalate_overdue_confirmations) == []
    with pytest.raises(DomainError) as closed:
        work.run(handlers.answer_confirmation, task["task_id"], "no_answer", "")
    assert closed.value.code == "confirmation_closed"


def test_a_customer_who_cannot_come_is_offered_other_times(tmp_path):
    work, clock, appointment = setup(tmp_path)
    task = tasks(work, appointment.appointment_id)["day_before"]
    clock.now = task["due_at"]
    answer = work.run(handlers.answer_confirmation, task["task_id"], "cannot_come", "出差")
    assert answer["status"] == "cannot_come"
    assert answer["offers"] and STARTS not in answer["offers"]
    assert all(o > clock.now for o in answer["offers"])


def test_a_moved_or_cancelled_appointment_leaves_no_open_task_for_its_old_time(tmp_path):
    work, clock, appointment = setup(tmp_path)
    new_time = STARTS + timedelta(days=1)
    work.run(handlers.reschedule_appointment, appointment.appointment_id, starts_at=new_time)
    current = work.read(handlers.confirmation_tasks, T0, appointment.appointment_id)
    assert sorted((t["status"], t["for_starts_at"] == new_time) for t in current) == [
        ("open", True),
        ("open", True),
        ("void", False),
        ("void", False),
    ]
    work.run(handlers.cancel_appointment, appointment.appointment_id, reason="", by_dealership=False)
    assert {t["status"] for t in work.read(handlers.confirmation_tasks, T0, appointment.appointment_id)} == {"void"}
    clock.now = new_time
    assert work.run(handlers.escalate_overdue_confirmations) == []


def test_an_unknown_outcome_is_refused_naming_the_field(tmp_path):
    work, _clock, appointment = setup(tmp_path)
    task = tasks(work, appointment.appointment_id)["hour_before"]
    with pytest.raises(DomainError) as refused:
        work.run(handlers.answer_confirmation, task["task_id"], "maybe", "")
    assert refused.value.field == "outcome"


def test_a_customer_who_cannot_come_is_moved_to_the_time_they_chose_or_refused_with_nothing_recorded(tmp_path):
    work, clock, appointment = setup(tmp_path)
    other = work.run(
        handlers.book_appointment,
        {
            "customer": {"name": "李女士", "mobile": make_mobile()},
            "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
            "starts_at": STARTS + timedelta(minutes=15),
            "advisor_id": "A001",
        },
    )
    task = tasks(work, appointment.appointment_id)["day_before"]
    clock.now = task["due_at"]
    with pytest.raises(DomainError) as taken:
        work.run(handlers.answer_confirmation, task["task_id"], "cannot_come", "", reschedule_to=other.starts_at)
    assert taken.value.code == "slot_taken" and taken.value.details["alternatives"]
    assert tasks(work, appointment.appointment_id)["day_before"]["status"] == "open"  # nothing recorded
    later = STARTS + timedelta(days=1)
    answer = work.run(handlers.answer_confirmation, task["task_id"], "cannot_come", "改到后天", reschedule_to=later)
    assert answer["starts_at"] == later and answer["offers"] == []
    assert work.read(handlers.appointment, appointment.appointment_id)["starts_at"] == later
