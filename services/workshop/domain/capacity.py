"""The workshop's capacity as plain rules (R-BK-4, R-BK-10, R-WS-7): who can work when, and where a job fits.

Capacity is counted in whole minutes per clock hour of the dealership's day, for three kinds of resource:

- each skill (机电 mechanical, 电气 electrical, 钣喷 body, 快修 quick service): the shift minutes of the
  technicians who have it;
- all technicians together (a technician with two skills still works one hour per hour);
- the bays (a car being worked occupies one).

Booked customers may take only a share of it (R-BK-4: the workshop holds back the rest for walk-ins and
emergencies, default 60 % bookable). A job's hours are the published standard hours of its labour operations;
its car is worked one operation after another from the moment it is handed over, in the earliest hours with
room, never more than the car's own 60 minutes in an hour, and never past the limit of any resource in any
hour. No nameko, no database.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from kit.i18n import N_

MECHANICAL, ELECTRICAL, BODY, QUICK = "mechanical", "electrical", "body", "quick"
SKILLS = {
    MECHANICAL: N_("Mechanical"),
    ELECTRICAL: N_("Electrical"),
    BODY: N_("Body and paint"),
    QUICK: N_("Quick service"),
}
TECHNICIANS, BAYS = "technicians", "bays"  # the resources every chunk of work uses besides its skill
# The skill each labour operation needs: the workshop's own planning data (the price list has no skills).
LABOUR_SKILLS = {
    "LAB-OIL": QUICK,
    "LAB-BALANCE": QUICK,
    "LAB-INSPECT": QUICK,
    "LAB-THROTTLE": MECHANICAL,
    "LAB-BRAKE-FLUID": MECHANICAL,
    "LAB-BRAKE-DISC": MECHANICAL,
    "LAB-ALIGN": MECHANICAL,
}
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class CapacityRules:
    """Per-dealership settings (environment or nameko config), with these defaults."""

    appointment_share: Decimal = Decimal("0.6")  # R-BK-4: what booked customers may take; the rest is held back
    opens: time = time(8, 30)  # the workshop's day (a technician's shift lies within it)
    closes: time = time(18, 0)
    handover_minutes: int = 15  # the car reaches the workshop this long after its reception starts (R-BK-3)
    spill_days: int = 1  # a booked job may run on into this many following days (a late car is ready next day)
    hold_minutes: int = 5  # an unconfirmed hold (booking crashed before storing) lapses after this
    default_hours: Decimal = Decimal("1.0")  # a labour operation the price list does not know (yet)

    @classmethod
    def from_settings(cls, raw: Mapping[str, str] | None) -> CapacityRules:
        """WORKSHOP_APPOINTMENT_SHARE=0.6 WORKSHOP_OPENS=08:30 WORKSHOP_CLOSES=18:00 WORKSHOP_HANDOVER_MINUTES=15
        WORKSHOP_SPILL_DAYS=1 WORKSHOP_HOLD_MINUTES=5 WORKSHOP_DEFAULT_HOURS=1.0"""
        raw, d = raw or {}, cls()
        share = Decimal(str(raw.get("WORKSHOP_APPOINTMENT_SHARE", d.appointment_share)))
        if not Decimal("0") <= share <= Decimal("1"):
            raise ValueError("WORKSHOP_APPOINTMENT_SHARE must lie between 0 and 1")
        return cls(
            appointment_share=share,
            opens=time.fromisoformat(raw.get("WORKSHOP_OPENS", d.opens.isoformat("minutes"))),
            closes=time.fromisoformat(raw.get("WORKSHOP_CLOSES", d.closes.isoformat("minutes"))),
            handover_minutes=int(raw.get("WORKSHOP_HANDOVER_MINUTES", d.handover_minutes)),
            spill_days=int(raw.get("WORKSHOP_SPILL_DAYS", d.spill_days)),
            hold_minutes=int(raw.get("WORKSHOP_HOLD_MINUTES", d.hold_minutes)),
            default_hours=Decimal(str(raw.get("WORKSHOP_DEFAULT_HOURS", d.default_hours))),
        )


@dataclass(frozen=True)
class Technician:
    technician_id: str
    skills: frozenset[str]
    starts: time | None = None  # None: the workshop's opening hours
    ends: time | None = None


@dataclass(frozen=True)
class Roster:
    technicians: tuple[Technician, ...]
    bays: int


@dataclass(frozen=True)
class Chunk:
    """Minutes of one skill's work in one clock hour (hour: its start, UTC)."""

    hour: datetime
    skill: str
    minutes: int


@dataclass
class Plan:
    chunks: list[Chunk] = field(default_factory=list)
    finishes_at: datetime | None = None


Load = Mapping[tuple[datetime, str], int]  # (hour, resource) -> minutes already taken


@functools.lru_cache(maxsize=256)
def parse_skills(text: str | None) -> frozenset[str]:
    """'mechanical,quick' -> the known skills; the old single Chinese skill names are understood too (kept for each
    text: every roster and dispatch floor parses each technician's skills, and a frozenset is never changed)."""
    legacy = {"机电": MECHANICAL, "电气": ELECTRICAL, "钣喷": BODY, "快修": QUICK}
    parts = (legacy.get(p.strip(), p.strip()) for p in (text or "").split(","))
    return frozenset(p for p in parts if p in SKILLS)


def job_needs(
    labour_codes: Iterable[str], standard_hours: Mapping[str, Decimal], rules: CapacityRules
) -> list[tuple[str, int]]:
    """The planned labour operations as (skill, minutes), in the order they are worked.

    Hours are the published standard hours (price_list_published); an operation the list does not know
    counts `default_hours`, so an unknown job is never planned as taking no time at all.
    """
    needs = []
    for code in labour_codes:
        hours = standard_hours.get(code, rules.default_hours)
        needs.append((LABOUR_SKILLS.get(code, MECHANICAL), math.ceil(Decimal(hours) * 60)))
    return needs


def hours_needs(hours: Decimal, skill: str = MECHANICAL) -> list[tuple[str, int]]:
    return [(skill, math.ceil(Decimal(hours) * 60))]


def _overlap_minutes(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> int:
    return max(0, int((min(a1, b1) - max(a0, b0)).total_seconds() // 60))


def hour_limits(roster: Roster, rules: CapacityRules, hour: datetime, tz: ZoneInfo, share: Decimal) -> dict[str, int]:
    """Minutes each resource can give in the clock hour starting at `hour`, times `share` (rounded down).

    share = rules.appointment_share for bookings (R-BK-4), 1 for the whole workshop (walk-ins, promises).
    """
    local = hour.astimezone(tz)
    day = local.date()
    end = local + HOUR
    opens, closes = datetime.combine(day, rules.opens, tz), datetime.combine(day, rules.closes, tz)
    if end <= opens or local >= closes:  # the workshop is closed all hour: every resource gives 0, found sooner
        return dict.fromkeys((TECHNICIANS, BAYS, *(skill for tech in roster.technicians for skill in tech.skills)), 0)
    return _limits(roster, local, opens, closes, share)


def _limits(roster: Roster, local: datetime, opens: datetime, closes: datetime, share: Decimal) -> dict[str, int]:
    """`hour_limits` of the clock hour from `local` (the dealer's time), the workshop open `opens`-`closes` that day."""
    day, tz, end = local.date(), local.tzinfo, local + HOUR
    total: dict[str, int] = {TECHNICIANS: 0, BAYS: roster.bays * _overlap_minutes(local, end, opens, closes)}
    for tech in roster.technicians:
        shift_start = max(opens, datetime.combine(day, tech.starts, tz)) if tech.starts else opens
        shift_end = min(closes, datetime.combine(day, tech.ends, tz)) if tech.ends else closes
        minutes = _overlap_minutes(local, end, shift_start, shift_end)
        total[TECHNICIANS] += minutes
        for skill in tech.skills:
            total[skill] = total.get(skill, 0) + minutes
    return {resource: int(Decimal(minutes) * share) for resource, minutes in total.items()}


def hours_of_day(day: date, rules: CapacityRules, tz: ZoneInfo) -> list[datetime]:
    """The clock hours (their starts, UTC) that overlap the workshop's day."""
    start = datetime.combine(day, rules.opens, tz).replace(minute=0)
    end = datetime.combine(day, rules.closes, tz)
    hours = []
    while start < end:
        hours.append(start.astimezone(ZoneInfo("UTC")))
        start += HOUR
    return hours


def _hour_of(t: datetime, tz: ZoneInfo) -> datetime:
    return t.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(ZoneInfo("UTC"))


def place(
    needs: list[tuple[str, int]],
    start: datetime,
    until: datetime,
    roster: Roster,
    rules: CapacityRules,
    tz: ZoneInfo,
    load: Load,
    share: Decimal,
    limits: dict[datetime, dict[str, int]] | None = None,
) -> Plan | None:
    """Where the job fits: its work hour by hour from `start`, all of it before `until`; None if it does not.

    Every chunk counts against its skill, all technicians and the bays; in no hour does any of them go past
    its limit (R-BK-4: never booked beyond capacity), and the car gets at most its own 60 minutes an hour.
    `limits` remembers each hour's limits at this share across calls (a refusal tries many times).
    """
    mine: dict[tuple[datetime, str], int] = {}
    limits = {} if limits is None else limits
    plan, t = Plan(), start
    for skill, minutes in needs:
        left = minutes
        while left > 0:
            if t >= until:
                return None
            hour = _hour_of(t, tz)
            hour_end = hour + HOUR
            if hour not in limits:
                limits[hour] = hour_limits(roster, rules, hour, tz, share)
            room = int((min(hour_end, until) - t).total_seconds() // 60)
            for resource in (skill, TECHNICIANS, BAYS):
                free = limits[hour].get(resource, 0) - load.get((hour, resource), 0) - mine.get((hour, resource), 0)
                room = min(room, free)
            if room <= 0:
                t = hour_end
                continue
            take = min(room, left)
            plan.chunks.append(Chunk(hour, skill, take))
            for resource in (skill, TECHNICIANS, BAYS):
                mine[(hour, resource)] = mine.get((hour, resource), 0) + take
            left -= take
            t = t + timedelta(minutes=take) if left == 0 else hour_end
    plan.finishes_at = t
    return plan


def horizon(starts_at: datetime, rules: CapacityRules, tz: ZoneInfo) -> datetime:
    """A booked job must be done by the close of its appointment day plus `spill_days`."""
    last_day = starts_at.astimezone(tz).date() + timedelta(days=rules.spill_days)
    return datetime.combine(last_day, rules.closes, tz)


def plan_booking(
    needs: list[tuple[str, int]],
    starts_at: datetime,
    roster: Roster,
    rules: CapacityRules,
    tz: ZoneInfo,
    load: Load,
    limits: dict[datetime, dict[str, int]] | None = None,
) -> Plan | None:
    """R-BK-4: the booked share of capacity, from the car's handover, within the booking horizon."""
    start = starts_at + timedelta(minutes=rules.handover_minutes)
    until = horizon(starts_at, rules, tz)
    return place(needs, start, until, roster, rules, tz, load, rules.appointment_share, limits)


def days_touched(starts_at: datetime, rules: CapacityRules, tz: ZoneInfo) -> list[date]:
    first = starts_at.astimezone(tz).date()
    return [first + timedelta(days=i) for i in range(rules.spill_days + 1)]


def load_of(chunks: Iterable[Chunk]) -> dict[tuple[datetime, str], int]:
    """What the chunks take from every resource, per hour."""
    load: dict[tuple[datetime, str], int] = {}
    for c in chunks:
        for resource in (c.skill, TECHNICIANS, BAYS):
            load[(c.hour, resource)] = load.get((c.hour, resource), 0) + c.minutes
    return load


def over_limit(load: Load, roster: Roster, rules: CapacityRules, tz: ZoneInfo, share: Decimal) -> list[tuple]:
    """Every (hour, resource, taken, limit) past its limit: empty when nothing is overbooked."""
    out = []
    for (hour, resource), minutes in sorted(load.items()):
        limit = hour_limits(roster, rules, hour, tz, share).get(resource, 0)
        if minutes > limit:
            out.append((hour, resource, minutes, limit))
    return out


def default_candidates(day: date, rules: CapacityRules, tz: ZoneInfo, days: int = 3, step: int = 15) -> list[datetime]:
    """Appointment times to try when the booking desk gave none: every `step` minutes of the workshop's day."""
    out = []
    for d in range(days):
        t = datetime.combine(day + timedelta(days=d), rules.opens, tz)
        end = datetime.combine(day + timedelta(days=d), rules.closes, tz)
        while t < end:
            out.append(t)
            t += timedelta(minutes=step)
    return out


def alternatives(
    needs: list[tuple[str, int]],
    candidates: Iterable[datetime],
    roster: Roster,
    rules: CapacityRules,
    tz: ZoneInfo,
    load: Load,
    now: datetime,
    limit: int = 8,
) -> list[datetime]:
    """The candidate times (future ones, earliest first) at which the job would fit today's load."""
    out, limits = [], {}  # the booked share's limits by hour, worked out once for every candidate
    for t in sorted(c for c in candidates if c > now):
        if plan_booking(needs, t, roster, rules, tz, load, limits) is not None:
            out.append(t)
            if len(out) >= limit:
                break
    return out


def hours_of_minutes(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"))


def chart_rows(view: dict) -> tuple[list[dict], list[dict]]:
    """The load view as the kit chart's rows (charts.html `bars`): booked against bookable hours."""

    def rows(items):
        return [
            {"label": i["label"], "value": Decimal(str(i["booked_hours"])), "limit": Decimal(str(i["bookable_hours"]))}
            for i in items
        ]

    return rows(view["by_hour"]), rows(view["by_day"])
