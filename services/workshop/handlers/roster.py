"""What the workshop's capacity plans with (R-BK-4): the roster of technicians and bays, and the standard hours of
the labour operations, read as table columns (Core statements: no ORM work); nothing a hold or a promise reads
them after is left unflushed."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from ..domain import capacity
from ..domain.capacity import Roster
from ..models import Bay, StandardHours, Technician

_HOURS, _TECHNICIANS = StandardHours.__table__, Technician.__table__
_STANDARD_HOURS = sa.select(_HOURS.c.code, _HOURS.c.hours)
_BAYS = sa.select(sa.func.count()).select_from(Bay.__table__)
# the roster in one statement: each technician with the number of bays (asked again when there is no technician)
_ROSTER = sa.select(
    _TECHNICIANS.c.technician_id,
    _TECHNICIANS.c.skills,
    _TECHNICIANS.c.shift_starts,
    _TECHNICIANS.c.shift_ends,
    _BAYS.scalar_subquery().label("bays"),
).order_by(_TECHNICIANS.c.technician_id)


# the roster's technicians (with the number of bays) and the standard hours, in one statement (NULLs cast to the
# other branch's column types): what a hold plans with
_TEAM_AND_HOURS = sa.union_all(
    sa.select(
        _TECHNICIANS.c.technician_id,
        _TECHNICIANS.c.skills,
        _TECHNICIANS.c.shift_starts,
        _TECHNICIANS.c.shift_ends,
        _BAYS.scalar_subquery().label("bays"),
        sa.cast(sa.null(), _HOURS.c.code.type).label("code"),
        sa.cast(sa.null(), _HOURS.c.hours.type).label("hours"),
    ),
    sa.select(
        sa.cast(sa.null(), _TECHNICIANS.c.technician_id.type),
        sa.cast(sa.null(), _TECHNICIANS.c.skills.type),
        sa.cast(sa.null(), _TECHNICIANS.c.shift_starts.type),
        sa.cast(sa.null(), _TECHNICIANS.c.shift_ends.type),
        sa.cast(sa.null(), sa.Integer),
        _HOURS.c.code,
        _HOURS.c.hours,
    ),
).order_by(sa.literal_column("technician_id"))  # the hours' rows (NULL) where they fall: they are a dict


def hours_and_roster(session) -> tuple[dict[str, Decimal], Roster]:
    """`standard_hours` and `roster` read by one statement."""
    hours, technicians = {}, []
    for row in session.execute(_TEAM_AND_HOURS):
        if row.code is not None:
            hours[row.code] = row.hours
        else:
            technicians.append(row)
    return hours, _roster_of(session, technicians)


def standard_hours(session) -> dict[str, Decimal]:
    return dict(session.execute(_STANDARD_HOURS).all())


def roster(session) -> Roster:
    return _roster_of(session, session.execute(_ROSTER).all())


def _roster_of(session, rows) -> Roster:
    technicians = tuple(
        capacity.Technician(t.technician_id, capacity.parse_skills(t.skills), t.shift_starts, t.shift_ends)
        for t in rows
    )
    bays = rows[0].bays if rows else session.scalar(_BAYS)
    return Roster(technicians=technicians, bays=bays or 0)
