"""The workshop's load table (`capacity_load`: minutes per clock hour and resource) and the day locks that order
every change of it (R-BK-4). The use cases that change it are in handlers/capacity.py.

No deadlock on PostgreSQL: every change of the load takes the rows of every day whose hours it will write
(`lock_days`: the days a hold may touch, and the days of the chunks it replaces), all at once and in date order,
before it writes any load row; the load rows themselves are written by one statement in (hour, resource) order.
A release and the timer's tidying lock too (they only free capacity, but they write the same rows), and a new
price list locks the days of every hold it plans again before the first. So two changes that meet wait for each
other at a day row, in date order, and never each hold a load row the other wants. One exception is left: an
over-capacity car's work is written where it falls, hour after hour from its handover, and more than about a day
and a half of it reaches past the days its hold locked.

The load is read from `capacity_load` (minutes per clock hour and resource), which every change of a hold's
chunks adjusts in the same transaction (`write_plan`), less what lapsed holds (not yet tidied by the timer)
still hold there; so a hold reads a few dozen rows rather than summing every chunk of its window.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..domain import capacity
from ..domain.capacity import Chunk
from ..models import CapacityChunk, CapacityDay, CapacityHold, CapacityLoad

ACTIVE = ("held", "confirmed")


def active(now: datetime):
    """A hold counts while confirmed, or while held and not yet lapsed (a crashed booking frees it by itself)."""
    return sa.or_(
        CapacityHold.status == "confirmed",
        sa.and_(CapacityHold.status == "held", CapacityHold.expires_at > now),
    )


_LOAD = CapacityLoad.__table__
_FIRST, _END = sa.bindparam("first"), sa.bindparam("end")
# the load rows of the window, and (counted 0) the chunks in it that must not count: of lapsed holds the timer has
# not tidied yet, and of the hold being moved (`except_for`; NULL matches none): one statement
_CURRENT_LOAD = sa.union_all(
    sa.select(sa.literal_column("1").label("counted"), _LOAD.c.hour, _LOAD.c.resource, _LOAD.c.minutes).where(
        _LOAD.c.hour >= _FIRST, _LOAD.c.hour < _END
    ),
    sa.select(sa.literal_column("0"), CapacityChunk.hour, CapacityChunk.skill, CapacityChunk.minutes).where(
        sa.or_(
            CapacityChunk.appointment_id.in_(
                sa.select(CapacityHold.appointment_id).where(
                    CapacityHold.status == "held", CapacityHold.expires_at <= sa.bindparam("now")
                )
            ),
            CapacityChunk.appointment_id == sa.bindparam("except_for"),
        ),
        CapacityChunk.hour >= _FIRST,
        CapacityChunk.hour < _END,
    ),
)


# the same, and (counted 2) whether the hold `except_for` is there: a new hold reads it again under its day locks
_CURRENT_LOAD_AND_HOLD = sa.union_all(
    *_CURRENT_LOAD.selects,
    sa.select(sa.literal_column("2"), sa.null(), CapacityHold.appointment_id, sa.null()).where(
        CapacityHold.appointment_id == sa.bindparam("except_for")
    ),
)


def current_load(
    session, start: datetime, end: datetime, now: datetime, *, except_for: str | None = None
) -> dict[tuple[datetime, str], int]:
    """(hour, resource) -> minutes taken by the holds that count (see active), from the load table: less the
    chunks of lapsed holds the timer has not tidied yet, and of `except_for` (the hold being moved)."""
    rows = session.execute(
        _CURRENT_LOAD, {"first": start - capacity.HOUR, "end": end, "now": now, "except_for": except_for}
    ).all()
    return _load_of(rows)


def current_load_and_hold(
    session, start: datetime, end: datetime, now: datetime, appointment_id: str
) -> tuple[dict[tuple[datetime, str], int], bool]:
    """`current_load(..., except_for=appointment_id)`, and whether that appointment's hold is there: one statement."""
    rows = session.execute(
        _CURRENT_LOAD_AND_HOLD,
        {"first": start - capacity.HOUR, "end": end, "now": now, "except_for": appointment_id},
    ).all()
    held = any(counted == 2 for counted, *_ in rows)
    return _load_of([row for row in rows if row[0] != 2] if held else rows), held


def _load_of(rows) -> dict[tuple[datetime, str], int]:
    load = {(hour, resource): minutes for counted, hour, resource, minutes in rows if counted}
    not_counted = (Chunk(hour, skill, minutes) for counted, hour, skill, minutes in rows if not counted)
    for key, minutes in capacity.load_of(not_counted).items():
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


_UPSERTS: dict[str, tuple] = {}


def _upserts(session) -> tuple:
    """The day lock's and the load table's upserts, built once per dialect (values as parameters)."""
    name = session.get_bind().dialect.name
    found = _UPSERTS.get(name)
    if found is None:
        insert = pg_insert if name == "postgresql" else sqlite_insert
        days, load = CapacityDay.__table__, CapacityLoad.__table__
        lock, shift = insert(days), insert(load)
        found = _UPSERTS[name] = (
            lock.on_conflict_do_update(index_elements=["day"], set_={"holds": days.c.holds + 1}),
            shift.on_conflict_do_update(
                index_elements=["hour", "resource"], set_={"minutes": load.c.minutes + shift.excluded.minutes}
            ),
        )
    return found


def lock_days(session, days: list[date]) -> None:
    """The serialising upsert (see the module docstring): one row per day, in date order, by one statement."""
    rows = [{"day": day, "holds": 1} for day in sorted(set(days))]
    if rows:
        session.execute(_upserts(session)[0], rows)


def days_of_chunks(session, appointment_ids: list[str], tz: ZoneInfo) -> set[date]:
    """The local days of the load rows these holds' chunks are written to (they are freed or moved)."""
    if not appointment_ids:
        return set()
    hours = session.scalars(
        sa.select(CapacityChunk.hour).where(CapacityChunk.appointment_id.in_(appointment_ids)).distinct()
    )
    return {hour.astimezone(tz).date() for hour in hours}


def shift_load(session, change: dict[tuple[datetime, str], int]) -> None:
    """Add `change` to the load table: one upsert for all its rows, in (hour, resource) order."""
    rows = [{"hour": h, "resource": r, "minutes": m} for (h, r), m in sorted(change.items()) if m]
    if rows:
        session.execute(_upserts(session)[1], rows)


_CHUNKS = CapacityChunk.__table__
_OLD_CHUNKS = sa.select(_CHUNKS.c.hour, _CHUNKS.c.skill, _CHUNKS.c.minutes).where(
    _CHUNKS.c.appointment_id == sa.bindparam("appointment_id")
)
_DELETE_CHUNKS = _CHUNKS.delete().where(_CHUNKS.c.appointment_id == sa.bindparam("appointment_id"))
_NEW_CHUNKS = _CHUNKS.insert()


def write_plan(session, hold: CapacityHold, plan: capacity.Plan | None, *, new: bool = False) -> None:
    """The hold's chunks replaced by the plan's (None: removed), and the load table by the difference; `new`: the
    hold has just been added, so it has no chunks yet (chunk rows need their hold). The hold is flushed first."""
    ids = {"appointment_id": hold.appointment_id}
    change: dict[tuple[datetime, str], int] = {}
    if not new:
        old = session.execute(_OLD_CHUNKS, ids)
        change = {key: -m for key, m in capacity.load_of(Chunk(*c) for c in old).items()}
        session.execute(_DELETE_CHUNKS, ids)
    if plan is not None:
        if plan.chunks:
            rows = [{**ids, "hour": c.hour, "skill": c.skill, "minutes": c.minutes} for c in plan.chunks]
            session.execute(_NEW_CHUNKS, rows)
        hold.finishes_at = plan.finishes_at
        for key, m in capacity.load_of(plan.chunks).items():
            change[key] = change.get(key, 0) + m
    shift_load(session, change)
