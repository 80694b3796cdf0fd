"""Workshop's capacity use cases: hold, confirm, move and release capacity for appointments; promise times;
the load by hour and by day (R-BK-4, R-BK-10, R-RC-5, R-WS-7). The rules are in domain/capacity.py; the
promised times and the load views read in handlers/load.py.

Never overbooked, also when many clerks book the last capacity at once: a hold first upserts the row of
every day it may touch (`capacity_days`), in date order, and only then reads the load and writes its chunks.
That row lock is the serialising step: SQLite has one writer at a time, and PostgreSQL makes a second hold on
the same day wait for the first to commit and then read what it wrote (READ COMMITTED takes a fresh snapshot
per statement). The load table and its locking are in handlers/load_table.py.
"""

from __future__ import annotations

import types
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm.util import identity_key

from contracts import Envelope

from ..domain import capacity
from ..domain.capacity import CapacityRules, Chunk
from ..models import CapacityChunk, CapacityHold, StandardHours, Technician
from .floor import capacity_settings
from .load_table import (
    ACTIVE,
    active,
    current_load,
    current_load_and_hold,
    days_of_chunks,
    lock_days,
    shift_load,
    write_plan,
)
from .roster import hours_and_roster, standard_hours

DEFAULT_RULES = CapacityRules()
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- reference data --------------------------------------------------------------------------------


def take_price_list(uow, event: Envelope, rules: CapacityRules | None = None, tz: ZoneInfo | None = None) -> None:
    """price_list_published -> the standard hours the workshop plans with (a newer list wins). Holds still to
    come that were planned with other hours (booked before the list arrived) are planned again."""
    published = event.payload
    rules, tz = rules or DEFAULT_RULES, tz or SHANGHAI
    for op in published["labour_operations"]:
        row = uow.session.get(StandardHours, op["code"])
        if row is not None and row.effective_from > published["effective_from"]:
            continue
        if row is None:
            row = StandardHours(code=op["code"])
            uow.session.add(row)
        row.name, row.hours = op["name"], op["standard_hours"]
        row.price_list_version, row.effective_from = published["version"], published["effective_from"]
    uow.session.flush()
    hours, now = standard_hours(uow.session), uow.clock()
    future = sa.select(CapacityHold).where(active(now), CapacityHold.starts_at > now).order_by(CapacityHold.starts_at)
    stale = [
        h
        for h in uow.session.scalars(future)
        if [list(n) for n in capacity.job_needs(h.labour, hours, rules)] != h.needs
    ]
    if not stale:
        return
    days = days_of_chunks(uow.session, [h.appointment_id for h in stale], tz)
    for h in stale:
        days.update(capacity.days_touched(h.starts_at, rules, tz))
    lock_days(uow.session, days)  # every day of every hold planned again, before the first (module docstring)
    for h in stale:
        _replan(uow, h, rules, tz)


def _replan(uow, h: CapacityHold, rules: CapacityRules, tz: ZoneInfo) -> None:
    """Plan an existing hold again with the current standard hours; flagged if it no longer fits."""
    status, expires_at = h.status, h.expires_at
    labour = list(h.labour)
    answer = hold(uow, h.appointment_id, h.starts_at, labour, candidates=[h.starts_at], rules=rules, tz=tz, again=True)
    if answer["held"]:
        h.status, h.expires_at = status, expires_at
        return
    needs = capacity.job_needs(h.labour, standard_hours(uow.session), rules)
    h.needs, h.over_capacity, h.updated_at = [list(n) for n in needs], True, uow.clock()
    write_plan(uow.session, h, _unbounded_plan(needs, h.starts_at, rules, tz))


def set_technician_capacity(uow, technician_id: str, *, skills: str, shift_starts=None, shift_ends=None) -> None:
    technician = uow.session.get(Technician, technician_id)
    if technician is not None:
        technician.skills = ",".join(sorted(capacity.parse_skills(skills))) or capacity.MECHANICAL
        technician.shift_starts, technician.shift_ends = shift_starts, shift_ends


def _window(starts_at: datetime, rules: CapacityRules, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return starts_at - timedelta(days=1), capacity.horizon(starts_at, rules, tz) + timedelta(days=1)


# --- holding capacity for an appointment -------------------------------------------------------------


def hold(
    uow,
    appointment_id: str,
    starts_at: datetime,
    labour_codes: list[str],
    *,
    candidates: list[datetime] | None = None,
    rules: CapacityRules,
    tz: ZoneInfo,
    again: bool = False,
) -> dict:
    """R-BK-4: hold the booked share of capacity for this appointment's planned labour, or refuse with times
    it would fit. Idempotent by appointment_id: asking again for the same time and jobs answers the same;
    asking for another time moves the hold (the old one stays if the new time is refused)."""
    session, now = uow.session, uow.clock()
    uow.correlation_id = appointment_id
    existing = _hold_of(session, appointment_id)
    if (
        not again
        and existing is not None
        and existing.status in ACTIVE
        and existing.starts_at == starts_at
        and existing.labour == list(labour_codes)
        and (existing.status == "confirmed" or existing.expires_at > now)
    ):
        return _held_answer(existing)
    # the days of its chunks too when it moves (a hold not yet there has no chunks: chunk rows need their hold)
    moved = days_of_chunks(session, [appointment_id], tz) if existing is not None else set()
    lock_days(session, {*capacity.days_touched(starts_at, rules, tz), *moved})
    hours, team = hours_and_roster(session)
    needs = capacity.job_needs(labour_codes, hours, rules)
    if existing is not None:  # read again under the locks
        existing = session.get(CapacityHold, appointment_id, populate_existing=True)
        load = current_load(session, *_window(starts_at, rules, tz), now, except_for=appointment_id)
    else:  # the load, and whether the hold is there after all (asked again meanwhile): one statement
        load, there = current_load_and_hold(session, *_window(starts_at, rules, tz), now, appointment_id)
        if there:
            existing = session.get(CapacityHold, appointment_id, populate_existing=True)
    plan = capacity.plan_booking(needs, starts_at, team, rules, tz, load)
    if plan is None:
        offered = candidates or capacity.default_candidates(starts_at.astimezone(tz).date(), rules, tz)
        days = {c.astimezone(tz).date() for c in offered}
        wide = current_load(
            session,
            datetime.combine(min(days, default=starts_at.date()), rules.opens, tz) - timedelta(days=1),
            datetime.combine(max(days, default=starts_at.date()), rules.closes, tz)
            + timedelta(days=rules.spill_days + 1),
            now,
            except_for=appointment_id,
        )
        times = capacity.alternatives(needs, offered, team, rules, tz, wide, now)
        return {"held": False, "appointment_id": appointment_id, "alternatives": times}
    if existing is None:  # a new hold: written by prebuilt Core inserts, the hold before its chunks
        placed = NewHold(
            appointment_id=appointment_id,
            starts_at=starts_at,
            labour=list(labour_codes),
            needs=[list(n) for n in needs],
            status="held",
            expires_at=now + timedelta(minutes=rules.hold_minutes),
            finishes_at=plan.finishes_at,
            over_capacity=False,
            created_at=now,
            updated_at=now,
        )
        session.execute(_NEW_HOLD, vars(placed))
        write_plan(session, placed, plan, new=True)
        return _held_answer(placed)
    if existing.status != "confirmed":
        existing.status, existing.expires_at = "held", now + timedelta(minutes=rules.hold_minutes)
    existing.starts_at, existing.labour, existing.needs = starts_at, list(labour_codes), [list(n) for n in needs]
    existing.over_capacity, existing.updated_at = False, now
    existing.finishes_at = plan.finishes_at  # written with the rest (write_plan sets the same)
    session.flush()
    write_plan(session, existing, plan)
    return _held_answer(existing)


_HOLDS = CapacityHold.__table__
_HOLD = sa.select(*_HOLDS.c).where(_HOLDS.c.appointment_id == sa.bindparam("appointment_id"))
_NEW_HOLD = _HOLDS.insert()
_SET_HOLD = _HOLDS.update().where(_HOLDS.c.appointment_id == sa.bindparam("key_id"))
NewHold = types.SimpleNamespace  # a hold just written by Core statements: its columns as attributes


def _hold_of(session, appointment_id: str):
    """The hold: its entity when the session has it already, else its row (a Core statement), None if none."""
    entity = session.identity_map.get(identity_key(CapacityHold, appointment_id))
    if entity is not None:
        return entity
    return session.execute(_HOLD, {"appointment_id": appointment_id}).first()


def _confirm(session, appointment_id: str, **changed) -> None:
    """The hold confirmed (no longer lapsing): on its entity when the session has it, else by a Core UPDATE."""
    changed = {"status": "confirmed", "expires_at": None, **changed}
    entity = session.identity_map.get(identity_key(CapacityHold, appointment_id))
    if entity is None:
        session.execute(_SET_HOLD, {"key_id": appointment_id, **changed})
        return
    for name, value in changed.items():
        setattr(entity, name, value)


def _held_answer(h) -> dict:
    return {
        "held": True,
        "appointment_id": h.appointment_id,
        "status": h.status,
        "starts_at": _utc(h.starts_at),
        "finishes_at": _utc(h.finishes_at),
        "hours": (Decimal(sum(m for _s, m in h.needs)) / 60).quantize(Decimal("0.01")),
        "expires_at": _utc(h.expires_at),
    }


def _utc(t: datetime | None) -> datetime | None:
    """The same instant whether just written or read back (answers must not depend on which)."""
    return t.astimezone(ZoneInfo("UTC")) if t else None


def release(uow, appointment_id: str, tz: ZoneInfo = SHANGHAI) -> CapacityHold:
    """Cancel, no-show, or a booking that could not be stored: the capacity is free again at once.

    A release that arrives before the booking (events may overtake each other) leaves a released hold behind,
    so the late appointment_booked does not take capacity for a cancelled appointment."""
    session, now = uow.session, uow.clock()
    lock_days(session, days_of_chunks(session, [appointment_id], tz))
    h = session.get(CapacityHold, appointment_id)
    if h is None:
        h = CapacityHold(appointment_id=appointment_id, starts_at=now, labour=[], needs=[], created_at=now)
        session.add(h)
    h.status, h.expires_at, h.updated_at = "released", None, now
    session.flush()
    write_plan(session, h, None)
    return h


def _place_for_appointment(uow, appointment_id, starts_at, labour_codes, rules, tz) -> None:
    """The appointment exists (booked or moved): keep its hold, or place it now. If no room is left (it was
    booked without a hold, or its hold lapsed), it is still planned, flagged over capacity for the dispatcher:
    the customer has been told their time, so the workshop must know the car is coming."""
    session, now = uow.session, uow.clock()
    existing = _hold_of(session, appointment_id)
    if existing is not None and existing.status == "released":
        return  # cancelled (or refused) before this event arrived
    if (
        existing is not None
        and existing.starts_at == starts_at
        and existing.status in ACTIVE
        and (existing.status == "confirmed" or existing.expires_at > now)
    ):
        _confirm(session, appointment_id, updated_at=now)
        return
    answer = hold(uow, appointment_id, starts_at, labour_codes, candidates=[starts_at], rules=rules, tz=tz)
    if answer["held"]:
        _confirm(session, appointment_id)
        return
    h = session.get(CapacityHold, appointment_id)
    needs = capacity.job_needs(labour_codes, standard_hours(session), rules)
    plan = _unbounded_plan(needs, starts_at, rules, tz)
    if h is None:
        h = CapacityHold(appointment_id=appointment_id, created_at=now)
        session.add(h)
    h.status, h.expires_at, h.over_capacity, h.updated_at = "confirmed", None, True, now
    h.starts_at, h.labour, h.needs = starts_at, list(labour_codes), [list(n) for n in needs]
    session.flush()
    write_plan(session, h, plan)


def _unbounded_plan(needs, starts_at: datetime, rules: CapacityRules, tz: ZoneInfo) -> capacity.Plan:
    """Where an over-capacity car's work would fall ignoring the load: from its handover, hour by hour."""
    t = starts_at + timedelta(minutes=rules.handover_minutes)
    plan = capacity.Plan()
    for skill, minutes in needs:
        left = minutes
        while left > 0:
            hour = t.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(ZoneInfo("UTC"))
            take = min(left, int((hour + capacity.HOUR - t).total_seconds() // 60) or 60)
            plan.chunks.append(Chunk(hour, skill, take))
            left -= take
            t += timedelta(minutes=take)
    plan.finishes_at = t
    return plan


# the hold confirmed where it stands at the booked time and counts (as _place_for_appointment keeps it): one UPDATE
_CONFIRM_IF_HELD = (
    _HOLDS.update()
    .where(
        _HOLDS.c.appointment_id == sa.bindparam("key_id"),
        _HOLDS.c.starts_at == sa.bindparam("key_starts"),
        sa.or_(
            _HOLDS.c.status == "confirmed",
            sa.and_(_HOLDS.c.status == "held", _HOLDS.c.expires_at > sa.bindparam("key_now")),
        ),
    )
    .values(status="confirmed", expires_at=None, updated_at=sa.bindparam("key_now"))
)


def confirm_booked(uow, event: Envelope, rules: CapacityRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI) -> None:
    """appointment_booked -> the hold is confirmed (it no longer lapses): by one UPDATE when the hold is there at
    the booked time and counts, else placed as _place_for_appointment places it."""
    a = event.payload
    confirmed = uow.session.execute(
        _CONFIRM_IF_HELD, {"key_id": a["appointment_id"], "key_starts": a["starts_at"], "key_now": uow.clock()}
    )
    if confirmed.rowcount == 1:
        return
    _place_for_appointment(uow, a["appointment_id"], a["starts_at"], list(a["planned_labour"]), rules, tz)


def move_rescheduled(uow, event: Envelope, rules: CapacityRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI) -> None:
    """appointment_rescheduled -> the hold moves to the new time (already there if booking held it first)."""
    a = event.payload
    h = uow.session.get(CapacityHold, a["appointment_id"])
    labour = list(h.labour) if h is not None else []
    _place_for_appointment(uow, a["appointment_id"], a["starts_at"], labour, rules, tz)


def release_for_event(uow, event: Envelope, rules: CapacityRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI) -> None:
    """appointment_cancelled / appointment_no_show -> the capacity is free again."""
    release(uow, event.payload["appointment_id"], tz)


def expire_lapsed(uow, tz: ZoneInfo = SHANGHAI) -> int:
    """Unconfirmed holds past their time stop counting at once (see load_table.active); this tidies their chunks away:
    their days locked first, then the load of all of them freed by one statement (module docstring)."""
    session, now = uow.session, uow.clock()
    lapsed_now = sa.and_(CapacityHold.status == "held", CapacityHold.expires_at <= now)
    ids = list(session.scalars(sa.select(CapacityHold.appointment_id).where(lapsed_now)))
    if not ids:
        return 0
    lock_days(session, days_of_chunks(session, ids, tz))
    # read again under the locks: a hold asked for again meanwhile (booking's retry) is no longer lapsed
    lapsed = list(
        session.scalars(
            sa.select(CapacityHold)
            .where(lapsed_now, CapacityHold.appointment_id.in_(ids))
            .execution_options(populate_existing=True)
        )
    )
    ids = [h.appointment_id for h in lapsed]
    freed = session.execute(
        sa.select(CapacityChunk.hour, CapacityChunk.skill, CapacityChunk.minutes).where(
            CapacityChunk.appointment_id.in_(ids)
        )
    )
    change = {key: -m for key, m in capacity.load_of(Chunk(*c) for c in freed).items()}
    session.execute(sa.delete(CapacityChunk).where(CapacityChunk.appointment_id.in_(ids)))
    for h in lapsed:
        h.status, h.updated_at = "expired", now
    shift_load(session, change)
    return len(lapsed)


def lapsed_count(session, now: datetime) -> int:
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(CapacityHold)
        .where(CapacityHold.status == "held", CapacityHold.expires_at <= now)
    )


def take_walk_in_or_amendment(uow, key: str, labour_codes: list[str]) -> None:
    """R-WS-7: work that came without an appointment - a walk-in's order, the labour an amendment adds - takes
    the workshop's capacity like a booking, from now (flagged over capacity when no room is left)."""
    if not labour_codes or uow.session.get(CapacityHold, key) is not None:
        return
    rules, tz = capacity_settings()
    _place_for_appointment(uow, key, uow.clock(), labour_codes, rules, tz)
