"""What the workshop's load answers (R-BK-10, R-RC-5, R-WS-7): the earliest time a job can be promised, the load
by hour and by day, one appointment's hold."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..domain import capacity
from ..domain.capacity import BAYS, SKILLS, TECHNICIANS, CapacityRules, hours_of_minutes
from ..models import CapacityChunk, CapacityHold, JobInterval, StandardHours
from .load_table import current_load
from .roster import roster

NEAR_DAYS = 2  # a promise is looked for in today's and tomorrow's load first


def promise_time(
    session,
    hours: Decimal,
    not_before: datetime,
    now: datetime,
    *,
    skill: str = capacity.MECHANICAL,
    rules: CapacityRules,
    tz: ZoneInfo,
    days: int = 14,
) -> datetime | None:
    """R-RC-5 / R-WS-7: the earliest time `hours` of work can be finished, starting no earlier than
    `not_before` (nor now), given the whole workshop's capacity (held-back share included: the car is here)
    and everything already booked. None if not within `days`."""
    start = max(not_before, now)
    until = datetime.combine(start.astimezone(tz).date() + timedelta(days=days), rules.closes, tz)
    needs, team = capacity.hours_needs(hours, skill), roster(session)
    # first with the load of the next NEAR_DAYS days alone: `place` works hour by hour from the start, so a plan it
    # finds before a local midnight is the plan it finds with every day's load; only when none fits are all read
    near = datetime.combine(start.astimezone(tz).date() + timedelta(days=NEAR_DAYS), time(0), tz)
    if near < until:
        load = current_load(session, start, near, now)
        plan = capacity.place(needs, start, near, team, rules, tz, load, Decimal(1))
        if plan is not None:
            return plan.finishes_at
    load = current_load(session, start, until, now)
    plan = capacity.place(needs, start, until, team, rules, tz, load, Decimal(1))
    return plan.finishes_at if plan else None


def clocked_by_hour(session, hours: list[datetime], now: datetime) -> dict[datetime, int]:
    """R-WS-7: minutes technicians clocked on jobs in each clock hour (open intervals up to now)."""
    if not hours:
        return {}
    start, end = hours[0], hours[-1] + timedelta(hours=1)
    intervals = session.execute(
        sa.select(JobInterval.started_at, JobInterval.ended_at).where(
            JobInterval.started_at < end, sa.or_(JobInterval.ended_at.is_(None), JobInterval.ended_at > start)
        )
    ).all()
    out: dict[datetime, int] = {}
    for hour in hours:
        until = hour + timedelta(hours=1)
        seconds = sum(
            max((min(ended or now, until) - max(started, hour)).total_seconds(), 0) for started, ended in intervals
        )
        out[hour] = int(seconds // 60)
    return out


def load_view(session, day: date, now: datetime, *, rules: CapacityRules, tz: ZoneInfo, days: int = 14) -> dict:
    """R-BK-10 / R-WS-7: booked hours against capacity, by hour for `day` and by day for `days` days from it.

    booked: technician hours held or confirmed for appointments; bookable: the share appointments may take
    (R-BK-4); capacity: all technician hours (the rest is held back for walk-ins)."""
    team = roster(session)
    first = datetime.combine(day, rules.opens, tz) - timedelta(hours=1)
    last = datetime.combine(day + timedelta(days=days), rules.closes, tz)
    load = current_load(session, first, last, now)
    clocked = clocked_by_hour(session, capacity.hours_of_day(day, rules, tz), now)
    by_hour = []
    for hour in capacity.hours_of_day(day, rules, tz):
        bookable = capacity.hour_limits(team, rules, hour, tz, rules.appointment_share)
        full = capacity.hour_limits(team, rules, hour, tz, Decimal(1))
        by_hour.append(
            {
                "hour": hour,
                "label": hour.astimezone(tz).strftime("%H:%M"),
                "booked_hours": hours_of_minutes(load.get((hour, TECHNICIANS), 0)),
                "bookable_hours": hours_of_minutes(bookable[TECHNICIANS]),
                "capacity_hours": hours_of_minutes(full[TECHNICIANS]),
                "bays_booked_hours": hours_of_minutes(load.get((hour, BAYS), 0)),
                "clocked_hours": hours_of_minutes(clocked.get(hour, 0)),  # work clocked on jobs in that hour
                "by_skill": {
                    skill: {
                        "booked_hours": hours_of_minutes(load.get((hour, skill), 0)),
                        "bookable_hours": hours_of_minutes(bookable.get(skill, 0)),
                    }
                    for skill in SKILLS
                },
            }
        )
    by_day = []
    for offset in range(days):
        d = day + timedelta(days=offset)
        booked = bookable_m = full_m = 0
        for hour in capacity.hours_of_day(d, rules, tz):
            booked += load.get((hour, TECHNICIANS), 0)
            bookable_m += capacity.hour_limits(team, rules, hour, tz, rules.appointment_share)[TECHNICIANS]
            full_m += capacity.hour_limits(team, rules, hour, tz, Decimal(1))[TECHNICIANS]
        by_day.append(
            {
                "day": d,
                "label": d.strftime("%m-%d"),
                "weekday": d.isoweekday(),
                "booked_hours": hours_of_minutes(booked),
                "bookable_hours": hours_of_minutes(bookable_m),
                "capacity_hours": hours_of_minutes(full_m),
            }
        )
    return {
        "day": day,
        "appointment_share": rules.appointment_share,
        "technicians": len(team.technicians),
        "bays": team.bays,
        "price_list_version": session.scalar(  # the standard hours planned with (price_list_published)
            sa.select(StandardHours.price_list_version).order_by(StandardHours.effective_from.desc()).limit(1)
        ),
        "by_hour": by_hour,
        "by_day": by_day,
    }


def hold_view(session, appointment_id: str) -> dict | None:
    h = session.get(CapacityHold, appointment_id)
    if h is None:
        return None
    chunks = session.scalars(
        sa.select(CapacityChunk).where(CapacityChunk.appointment_id == appointment_id).order_by(CapacityChunk.hour)
    )
    return {
        "appointment_id": h.appointment_id,
        "status": h.status,
        "starts_at": h.starts_at,
        "labour": h.labour,
        "hours": hours_of_minutes(sum(m for _s, m in h.needs)),
        "expires_at": h.expires_at,
        "finishes_at": h.finishes_at,
        "over_capacity": h.over_capacity,
        "chunks": [{"hour": c.hour, "skill": c.skill, "minutes": c.minutes} for c in chunks],
    }
