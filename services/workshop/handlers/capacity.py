"""Workshop's capacity use cases: hold, confirm, move and release capacity for appointments; promise times;
the load by hour and by day (R-BK-4, R-BK-10, R-RC-5, R-WS-7). The rules are in domain/capacity.py; the
promised times and the load views read in handlers/load.py.

Never overbooked, also when many clerks book the last capacity at once: a hold first upserts the row of
every day it may touch (`capacity_days`), in date order, and only then reads the load and writes its chunks.
That row lock is the serialising step: SQLite has one writer at a time, and PostgreSQL makes a second hold on
the same day wait for the first to commit and then read what it wrote (READ COMMITTED takes a fresh snapshot
per statement). Releasing only frees capacity, so it needs no lock.

The load is read from `capacity_load` (minutes per clock hour and resource), which every change of a hold's
chunks adjusts in the same transaction (`_write_plan`), less what lapsed holds (not yet tidied by the timer)
still hold there; so a hold reads a few dozen rows rather than summing every chunk of its window.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from contracts import Envelope
from kit.config import Settings

from ..domain import capacity
from ..domain.capacity import CapacityRules, Chunk, Roster
from ..models import Bay, CapacityChunk, CapacityDay, CapacityHold, CapacityLoad, StandardHours, Technician

ACTIVE = ("held", "confirmed")
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
    future = sa.select(CapacityHold).where(_active(now), CapacityHold.starts_at > now).order_by(CapacityHold.starts_at)
    for h in list(uow.session.scalars(future)):
        if [list(n) for n in capacity.job_needs(h.labour, hours, rules)] != h.needs:
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
    _write_plan(uow.session, h, _unbounded_plan(needs, h.starts_at, rules, tz))


def standard_hours(session) -> dict[str, Decimal]:
    return {row.code: row.hours for row in session.scalars(sa.select(StandardHours))}


def roster(session) -> Roster:
    technicians = tuple(
        capacity.Technician(t.technician_id, capacity.parse_skills(t.skills), t.shift_starts, t.shift_ends)
        for t in session.scalars(sa.select(Technician).order_by(Technician.technician_id))
    )
    return Roster(technicians=technicians, bays=session.scalar(sa.select(sa.func.count()).select_from(Bay)) or 0)


def set_technician_capacity(uow, technician_id: str, *, skills: str, shift_starts=None, shift_ends=None) -> None:
    technician = uow.session.get(Technician, technician_id)
    if technician is not None:
        technician.skills = ",".join(sorted(capacity.parse_skills(skills))) or capacity.MECHANICAL
        technician.shift_starts, technician.shift_ends = shift_starts, shift_ends


# --- the load --------------------------------------------------------------------------------------


def _active(now: datetime):
    """A hold counts while confirmed, or while held and not yet lapsed (a crashed booking frees it by itself)."""
    return sa.or_(
        CapacityHold.status == "confirmed",
        sa.and_(CapacityHold.status == "held", CapacityHold.expires_at > now),
    )


def current_load(
    session, start: datetime, end: datetime, now: datetime, *, except_for: str | None = None
) -> dict[tuple[datetime, str], int]:
    """(hour, resource) -> minutes taken by the holds that count (see _active), from the load table: less the
    chunks of lapsed holds the timer has not tidied yet, and of `except_for` (the hold being moved)."""
    table, first = CapacityLoad.__table__, start - capacity.HOUR
    rows = session.execute(
        sa.select(table.c.hour, table.c.resource, table.c.minutes).where(table.c.hour >= first, table.c.hour < end)
    )
    load = {(hour, resource): minutes for hour, resource, minutes in rows}
    lapsed = sa.select(CapacityHold.appointment_id).where(CapacityHold.status == "held", CapacityHold.expires_at <= now)
    not_counted = CapacityChunk.appointment_id.in_(lapsed)
    if except_for:
        not_counted = sa.or_(not_counted, CapacityChunk.appointment_id == except_for)
    chunks = session.execute(
        sa.select(CapacityChunk.hour, CapacityChunk.skill, CapacityChunk.minutes).where(
            not_counted, CapacityChunk.hour >= first, CapacityChunk.hour < end
        )
    )
    for key, minutes in capacity.load_of(Chunk(*c) for c in chunks).items():
        load[key] = load.get(key, 0) - minutes
    return load


def recomputed_load(session) -> dict[tuple[datetime, str], int]:
    """The load table as it must be: every chunk of every held or confirmed hold, summed (a check, not a path)."""
    chunks = session.execute(
        sa.select(CapacityChunk.hour, CapacityChunk.skill, CapacityChunk.minutes)
        .join(CapacityHold, CapacityHold.appointment_id == CapacityChunk.appointment_id)
        .where(CapacityHold.status.in_(ACTIVE))
    )
    return {key: m for key, m in capacity.load_of(Chunk(*c) for c in chunks).items() if m}


def _insert(session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _lock_days(session, days: list[date]) -> None:
    """The serialising upsert (see the module docstring): one row per day, always in date order."""
    insert = _insert(session)
    for day in sorted(set(days)):
        stmt = insert(CapacityDay.__table__).values(day=day, holds=1)
        session.execute(
            stmt.on_conflict_do_update(index_elements=["day"], set_={"holds": CapacityDay.__table__.c.holds + 1})
        )


def _shift_load(session, change: dict[tuple[datetime, str], int]) -> None:
    """Add `change` to the load table: one upsert for all its rows, in (hour, resource) order."""
    rows = [{"hour": h, "resource": r, "minutes": m} for (h, r), m in sorted(change.items()) if m]
    if not rows:
        return
    table = CapacityLoad.__table__
    stmt = _insert(session)(table)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["hour", "resource"], set_={"minutes": table.c.minutes + stmt.excluded.minutes}
        ),
        rows,
    )


def _write_plan(session, hold: CapacityHold, plan: capacity.Plan | None) -> None:
    """The hold's chunks replaced by the plan's (None: removed), and the load table by the difference."""
    old = session.execute(
        sa.select(CapacityChunk.hour, CapacityChunk.skill, CapacityChunk.minutes).where(
            CapacityChunk.appointment_id == hold.appointment_id
        )
    )
    change = {key: -m for key, m in capacity.load_of(Chunk(*c) for c in old).items()}
    session.execute(sa.delete(CapacityChunk).where(CapacityChunk.appointment_id == hold.appointment_id))
    if plan is not None:
        session.add_all(
            CapacityChunk(appointment_id=hold.appointment_id, hour=c.hour, skill=c.skill, minutes=c.minutes)
            for c in plan.chunks
        )
        hold.finishes_at = plan.finishes_at
        for key, m in capacity.load_of(plan.chunks).items():
            change[key] = change.get(key, 0) + m
    _shift_load(session, change)


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
    existing = session.get(CapacityHold, appointment_id)
    if (
        not again
        and existing is not None
        and existing.status in ACTIVE
        and existing.starts_at == starts_at
        and existing.labour == list(labour_codes)
        and (existing.status == "confirmed" or existing.expires_at > now)
    ):
        return _held_answer(existing)
    _lock_days(session, capacity.days_touched(starts_at, rules, tz))
    existing = session.get(CapacityHold, appointment_id, populate_existing=True)
    needs = capacity.job_needs(labour_codes, standard_hours(session), rules)
    load = current_load(session, *_window(starts_at, rules, tz), now, except_for=appointment_id)
    plan = capacity.plan_booking(needs, starts_at, roster(session), rules, tz, load)
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
        times = capacity.alternatives(needs, offered, roster(session), rules, tz, wide, now)
        return {"held": False, "appointment_id": appointment_id, "alternatives": times}
    if existing is None:
        existing = CapacityHold(appointment_id=appointment_id, created_at=now, status="held")
        session.add(existing)
    if existing.status != "confirmed":
        existing.status, existing.expires_at = "held", now + timedelta(minutes=rules.hold_minutes)
    existing.starts_at, existing.labour, existing.needs = starts_at, list(labour_codes), [list(n) for n in needs]
    existing.over_capacity, existing.updated_at = False, now
    session.flush()
    _write_plan(session, existing, plan)
    return _held_answer(existing)


def _held_answer(h: CapacityHold) -> dict:
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


def release(uow, appointment_id: str) -> CapacityHold:
    """Cancel, no-show, or a booking that could not be stored: the capacity is free again at once.

    A release that arrives before the booking (events may overtake each other) leaves a released hold behind,
    so the late appointment_booked does not take capacity for a cancelled appointment."""
    session, now = uow.session, uow.clock()
    h = session.get(CapacityHold, appointment_id)
    if h is None:
        h = CapacityHold(appointment_id=appointment_id, starts_at=now, labour=[], needs=[], created_at=now)
        session.add(h)
    h.status, h.expires_at, h.updated_at = "released", None, now
    session.flush()
    _write_plan(session, h, None)
    return h


def _place_for_appointment(uow, appointment_id, starts_at, labour_codes, rules, tz) -> None:
    """The appointment exists (booked or moved): keep its hold, or place it now. If no room is left (it was
    booked without a hold, or its hold lapsed), it is still planned, flagged over capacity for the dispatcher:
    the customer has been told their time, so the workshop must know the car is coming."""
    session, now = uow.session, uow.clock()
    existing = session.get(CapacityHold, appointment_id)
    if existing is not None and existing.status == "released":
        return  # cancelled (or refused) before this event arrived
    if (
        existing is not None
        and existing.starts_at == starts_at
        and existing.status in ACTIVE
        and (existing.status == "confirmed" or existing.expires_at > now)
    ):
        existing.status, existing.expires_at, existing.updated_at = "confirmed", None, now
        return
    answer = hold(uow, appointment_id, starts_at, labour_codes, candidates=[starts_at], rules=rules, tz=tz)
    h = session.get(CapacityHold, appointment_id)
    if answer["held"]:
        h.status, h.expires_at = "confirmed", None
        return
    needs = capacity.job_needs(labour_codes, standard_hours(session), rules)
    plan = _unbounded_plan(needs, starts_at, rules, tz)
    if h is None:
        h = CapacityHold(appointment_id=appointment_id, created_at=now)
        session.add(h)
    h.status, h.expires_at, h.over_capacity, h.updated_at = "confirmed", None, True, now
    h.starts_at, h.labour, h.needs = starts_at, list(labour_codes), [list(n) for n in needs]
    session.flush()
    _write_plan(session, h, plan)


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


def confirm_booked(uow, event: Envelope, rules: CapacityRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI) -> None:
    """appointment_booked -> the hold is confirmed (it no longer lapses)."""
    a = event.payload
    _place_for_appointment(uow, a["appointment_id"], a["starts_at"], list(a["planned_labour"]), rules, tz)


def move_rescheduled(uow, event: Envelope, rules: CapacityRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI) -> None:
    """appointment_rescheduled -> the hold moves to the new time (already there if booking held it first)."""
    a = event.payload
    h = uow.session.get(CapacityHold, a["appointment_id"])
    labour = list(h.labour) if h is not None else []
    _place_for_appointment(uow, a["appointment_id"], a["starts_at"], labour, rules, tz)


def release_for_event(uow, event: Envelope) -> None:
    """appointment_cancelled / appointment_no_show -> the capacity is free again."""
    release(uow, event.payload["appointment_id"])


def expire_lapsed(uow) -> int:
    """Unconfirmed holds past their time stop counting at once (see _active); this tidies their chunks away."""
    now = uow.clock()
    lapsed = list(
        uow.session.scalars(
            sa.select(CapacityHold).where(CapacityHold.status == "held", CapacityHold.expires_at <= now)
        )
    )
    for h in lapsed:
        h.status, h.updated_at = "expired", now
        _write_plan(uow.session, h, None)
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
    settings = Settings.load()
    rules = CapacityRules.from_settings(settings.raw)
    _place_for_appointment(uow, key, uow.clock(), labour_codes, rules, settings.tz)
