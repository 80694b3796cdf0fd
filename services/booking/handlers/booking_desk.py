"""The booking commands as the desk runs them, each over more than one transaction: the workshop's capacity held
around the store (R-BK-4, through handlers.workshop_capacity), and a slot another clerk took a moment ago refused
with the day's free times, exactly as a booking is (R-BK-3: the unique index decides). They take the kit
Database and the workshop's RPC client rather than one unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError

from kit.errors import NotFound
from kit.i18n import N_
from kit.rpc import Client
from kit.types import utcnow

from ..domain.slots import SlotRules, SlotUnavailable, free_slots
from . import appointment_commands, appointment_views, calls, confirmations, workshop_capacity
from .schedule import booked_times, open_slots

MAX_TRIES = 6  # slots tried by book_first_free: each is a capacity hold, and the caller waits on RPC


def take_slot(db, rules: SlotRules, tz: ZoneInfo, advisor_id: str, starts_at: datetime, run, /, *args, **kwargs):
    """Run a command that takes a slot; when another clerk took it a moment ago the unique index decided,
    and this one is refused with the day's free times, exactly as a booking is (R-BK-3)."""
    try:
        return db.run(run, *args, **kwargs)
    except IntegrityError:
        day = starts_at.astimezone(tz).date()
        taken = db.read(booked_times, advisor_id, day, tz)
        raise SlotUnavailable(
            N_("{time} is already booked for this advisor"),
            time=starts_at.astimezone(tz).strftime("%H:%M"),
            code="slot_taken",
            alternatives=free_slots(day, rules, tz, taken, utcnow()),
        ) from None


@dataclass(frozen=True)
class Booked:
    """A booking stored at the desk: what the audit names it by (Work.run), and the appointment as GET
    /api/appointments/<id> shows it, from what the command wrote (no second transaction reading it back)."""

    appointment_id: str
    visit_id: str
    starts_at: datetime
    advisor_id: str
    view: dict


def book_answering(uow, cmd: dict, rules: SlotRules, tz: ZoneInfo, taken: list[datetime] | None = None) -> Booked:
    appointment, customer, vehicle = appointment_commands.book_with_parties(uow, cmd, rules, tz, taken)
    view = appointment_views.written_view(appointment, customer, vehicle)
    return Booked(appointment.appointment_id, appointment.visit_id, appointment.starts_at, appointment.advisor_id, view)


book_answering.__name__ = "book_appointment"  # audited as the command it runs


def book(db, workshop: Client, cmd: dict, rules: SlotRules, tz: ZoneInfo, actor_id: str) -> Booked:
    """A booking at the desk: the workshop's capacity is held first, released again if it cannot be stored."""

    def store(cmd, taken):  # the advisor's day as the checks before the hold read it: not read again
        return take_slot(
            db,
            rules,
            tz,
            cmd["advisor_id"],
            cmd["starts_at"],
            book_answering,
            cmd,
            rules,
            tz,
            taken,
            actor_id=actor_id,
        )

    return workshop_capacity.book_holding_capacity(workshop, db, cmd, rules, tz, utcnow(), store)


def record_call_outcome(db, workshop: Client, call_id: str, cmd: dict, rules: SlotRules, tz: ZoneInfo, actor_id: str):
    """A call's outcome; "booked" is the booking command itself: the same checks, the same refusals, the same
    capacity hold (R-BK-1, R-BK-4)."""
    if cmd["outcome"] != "booked":
        return db.run(calls.record_outcome, call_id, cmd, rules, tz, actor_id=actor_id)
    booking = db.read(calls.booking_for_call, call_id, cmd)

    def store(booking, _taken):
        return take_slot(
            db,
            rules,
            tz,
            booking["advisor_id"],
            booking["starts_at"],
            calls.record_outcome,
            call_id,
            cmd,
            rules,
            tz,
            booking,
            actor_id=actor_id,
        )

    return workshop_capacity.book_holding_capacity(workshop, db, booking, rules, tz, utcnow(), store)


def reschedule(db, workshop: Client, appointment_id: str, cmd: dict, rules: SlotRules, tz: ZoneInfo, actor_id: str):
    """A reschedule moves the workshop's hold first, like a booking holds it (R-BK-4), then takes the new slot."""
    current = db.read(appointment_views.appointment, appointment_id)
    if current is None:
        raise NotFound("Appointment not found", field="appointment_id")
    advisor = cmd.get("advisor_id") or current["advisor_id"]

    def store():
        return take_slot(
            db,
            rules,
            tz,
            advisor,
            cmd["starts_at"],
            appointment_commands.reschedule_appointment,
            appointment_id,
            starts_at=cmd["starts_at"],
            advisor_id=advisor,
            reason=cmd["reason"],
            by_dealership=cmd["by_dealership"],
            rules=rules,
            tz=tz,
            actor_id=actor_id,
        )

    return workshop_capacity.reschedule_holding_capacity(
        workshop, db, current, cmd["starts_at"], advisor, rules, tz, utcnow(), store
    )


def answer_confirmation(db, task_id: str, cmd: dict, rules: SlotRules, tz: ZoneInfo, actor_id: str) -> dict:
    """R-BK-7: the customer's answer; "cannot come" with the time they chose takes that slot at once."""
    args = (task_id, cmd["outcome"], cmd["note"], rules, tz, cmd["starts_at"])
    if cmd["outcome"] == "cannot_come" and cmd["starts_at"]:
        task = db.read(confirmations.confirmation_task, task_id)
        advisor = task["advisor_id"] if task else ""
        return take_slot(
            db, rules, tz, advisor, cmd["starts_at"], appointment_commands.answer_confirmation, *args, actor_id=actor_id
        )
    return db.run(appointment_commands.answer_confirmation, *args, actor_id=actor_id)


def book_first_free(db, workshop: Client, cmd: dict, days: list, rules: SlotRules, tz: ZoneInfo, actor_id: str):
    """Another department books the customer's next visit (R-CR-4, R-BL-4) or a complaint's priority return
    (R-FU-5): the advisor's first free slot on the given days that the workshop can take, with the same checks
    as at the desk. Refused with the last refusal when none of the first few free slots fits."""
    from kit.errors import DomainError
    from kit.rpc import ServiceUnavailable

    refusal: DomainError | None = None
    tries = 0
    for day in days:
        for starts_at in db.read(open_slots, cmd["advisor_id"], day, utcnow(), rules, tz):
            if tries >= MAX_TRIES:
                break
            tries += 1
            try:
                return book(db, workshop, {**cmd, "starts_at": starts_at}, rules, tz, actor_id)
            except ServiceUnavailable:
                raise
            except DomainError as exc:
                if exc.field != "starts_at":
                    raise
                refusal = exc
    raise refusal or SlotUnavailable(N_("No free time on these days"), alternatives=[], code="no_slot")
