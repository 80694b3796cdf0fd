"""Booking's side of the workshop's capacity RPC (an adapter: kit.rpc to services.workshop): holds around a
booking (R-BK-4) and the load view (R-BK-10).

The workshop owns its capacity; booking asks it synchronously (kit.rpc) and holds capacity *before* it stores
the appointment:

1. the booking's own checks first (mobile, VIN, the advisor's reception slot), so that a bad booking is refused
   for what is wrong with it and holds nothing;
2. `hold` in the workshop (idempotent by the new appointment's id): refused -> the free reception slots of
   the advisor at which the job fits are offered, nothing stored;
3. the appointment is stored (its appointment_booked confirms the hold); if storing fails (another clerk took
   the slot) the hold is released at once, and if even that fails it lapses by itself after a few minutes.

Workshop down: refused at once with a Chinese message naming starts_at, nothing stored. Workshop busy (a hold not
answered within RPC_TIMEOUT_SECONDS, e.g. 64 cars in the line at once): asked again, up to HOLD_TRIES times, with
the same appointment id, which holds nothing twice; still silent: refused like a stopped workshop.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from kit.rpc import Client, ServiceUnavailable

from ..domain.capacity import ALTERNATIVE_DAYS, NoCapacity, load_figures
from ..domain.slots import SlotRules, check_slot, free_slots_from
from . import appointment_rows
from .schedule import booked_times

HOLD_TRIES = 3  # a busy workshop's answer is waited for up to three time limits (RPC_TIMEOUT_SECONDS each)


def hold_capacity(workshop: Client, **kwargs) -> dict:
    """R-BK-4: the workshop's `hold`, asked again when it did not answer in time (kit.rpc's attempts). A hold is
    idempotent by its appointment id, so a first request the workshop did take after all and the next one hold it
    once; a stopped workshop is refused at once."""
    return workshop.call("hold", field="starts_at", attempts=HOLD_TRIES, **kwargs)


def check_before_holding(session, cmd: dict, rules: SlotRules, tz: ZoneInfo, now: datetime) -> list[datetime]:
    """The booking command's own checks, read-only, before any capacity is held (they run again when storing).
    Returns the advisor's free reception slots from the booked day on (`candidate_times`), read with the
    same statement."""
    return _checked(session, cmd, rules, tz, now)[0]


def _checked(session, cmd: dict, rules: SlotRules, tz: ZoneInfo, now: datetime):
    """`check_before_holding`, also answering with the booked times it read (the booked day's among them)."""
    appointment_rows.booking_keys(cmd)
    starts_at = cmd["starts_at"]
    day = starts_at.astimezone(tz).date()
    taken = booked_times(session, cmd["advisor_id"], day, tz, days=ALTERNATIVE_DAYS)  # other days' never match
    check_slot(starts_at, rules, tz, taken, now)
    return _free_from(day, rules, tz, taken, now), taken


def candidate_times(
    session, advisor_id: str, day: date, rules: SlotRules, tz: ZoneInfo, now: datetime
) -> list[datetime]:
    """The advisor's free reception slots from `day` on: what the workshop may offer instead (R-BK-3)."""
    return _free_from(day, rules, tz, booked_times(session, advisor_id, day, tz, days=ALTERNATIVE_DAYS), now)


def _free_from(day: date, rules: SlotRules, tz: ZoneInfo, taken: list[datetime], now: datetime) -> list[datetime]:
    """Free slots of ALTERNATIVE_DAYS days from `day`, `taken` holding the booked times of all of them."""
    return free_slots_from(day, ALTERNATIVE_DAYS, rules, tz, taken, now)


def book_holding_capacity(
    workshop: Client,
    db,
    cmd: dict,
    rules: SlotRules,
    tz: ZoneInfo,
    now: datetime,
    store: Callable[[dict, list[datetime]], object],
):
    """Hold workshop capacity, then `store(cmd, taken)` (which writes the appointment with cmd["appointment_id"];
    `taken`: the advisor's booked times as the checks read them, for the booking's own check of its slot); release
    the hold if storing fails. Returns what `store` returns."""
    candidates, taken = db.read(_checked, cmd, rules, tz, now)
    cmd["appointment_id"] = cmd.get("appointment_id") or str(uuid.uuid4())
    starts_at = cmd["starts_at"]
    answer = hold_capacity(
        workshop,
        appointment_id=cmd["appointment_id"],
        starts_at=starts_at.isoformat(),
        labour_codes=list(cmd.get("planned_labour", [])),
        candidates=[c.isoformat() for c in candidates if c != starts_at],
    )
    if not answer["held"]:
        raise NoCapacity(starts_at, tz, [datetime.fromisoformat(a).astimezone(tz) for a in answer["alternatives"]])
    try:
        return store(cmd, taken)
    except BaseException:
        try:
            workshop.call("release", appointment_id=cmd["appointment_id"])
        except ServiceUnavailable:
            pass  # the unconfirmed hold lapses by itself (WORKSHOP_HOLD_MINUTES)
        raise


def reschedule_holding_capacity(
    workshop: Client,
    db,
    appointment: dict,
    starts_at: datetime,
    advisor_id: str,
    rules: SlotRules,
    tz: ZoneInfo,
    now: datetime,
    store: Callable[[], object],
):
    """R-BK-4 for a moved booking: the workshop moves the appointment's hold to the new time first (refused ->
    the advisor's free times at which the job fits, nothing changed), then `store()` writes the reschedule
    (its appointment_rescheduled confirms the move); if storing fails the hold goes back to the old time."""
    labour = list(appointment.get("planned_labour") or [])

    def hold_at(when: datetime, candidates=()) -> dict:
        return hold_capacity(
            workshop,
            appointment_id=appointment["appointment_id"],
            starts_at=when.isoformat(),
            labour_codes=labour,
            candidates=[c.isoformat() for c in candidates],
        )

    candidates = db.read(candidate_times, advisor_id, starts_at.astimezone(tz).date(), rules, tz, now)
    answer = hold_at(starts_at, [c for c in candidates if c != starts_at])
    if not answer["held"]:
        raise NoCapacity(starts_at, tz, [datetime.fromisoformat(a).astimezone(tz) for a in answer["alternatives"]])
    try:
        return store()
    except BaseException:
        try:
            hold_at(appointment["starts_at"])
        except ServiceUnavailable:
            pass  # appointment_rescheduled never comes; the workshop keeps the hold where it was asked last
        raise


def load_view(workshop: Client, day: date) -> dict:
    """R-BK-10: the workshop's load by hour (that day) and by day (14 days), as the booking desk's page shows it."""
    return load_figures(workshop.call("load", field="day", day=day.isoformat()))
