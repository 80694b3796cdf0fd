"""The on-time forecast (R-WS-7): remaining work against the promised time, so the advisor is flagged early,
before the promise passes. Plain Python.

The remaining work of a job is its sold minutes less what is clocked (at least a quarter hour while it is not
done); each technician works their jobs one after another, technicians in parallel, within the workshop's
hours, from now or from the day the parts are expected; the quality check and the wash follow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

MIN_REMAINING = 15
QC_MINUTES = 30


@dataclass(frozen=True)
class Hours:
    opens: time = time(8, 30)
    closes: time = time(18, 0)
    tz: ZoneInfo = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class OpenJob:
    technician_id: str | None
    sold_hours: Decimal
    clocked_minutes: int
    done: bool = False

    @property
    def remaining_minutes(self) -> int:
        if self.done:
            return 0
        return max(int(self.sold_hours * 60) - self.clocked_minutes, MIN_REMAINING)


def add_work_minutes(start: datetime, minutes: int, hours: Hours) -> datetime:
    """`start` plus `minutes` of working time, skipping the hours the workshop is closed."""
    at = start.astimezone(hours.tz)
    left = minutes
    for _ in range(400):  # bounded: a year of days at most
        opens = datetime.combine(at.date(), hours.opens, hours.tz)
        closes = datetime.combine(at.date(), hours.closes, hours.tz)
        if at < opens:
            at = opens
        if at >= closes:
            at = datetime.combine(at.date() + timedelta(days=1), hours.opens, hours.tz)
            continue
        room = int((closes - at).total_seconds() // 60)
        if left <= room:
            return at + timedelta(minutes=left)
        left -= room
        at = datetime.combine(at.date() + timedelta(days=1), hours.opens, hours.tz)
    return at


def forecast_ready(
    now: datetime, jobs: Iterable[OpenJob], hours: Hours = Hours(), parts_expected_on: date | None = None
) -> datetime:
    """When the car should be ready: the busiest technician's remaining work, then the quality check."""
    start = now
    if parts_expected_on is not None:
        start = max(now, datetime.combine(parts_expected_on, hours.opens, hours.tz))
    by_technician: dict[str | None, int] = {}
    for job in jobs:
        by_technician[job.technician_id] = by_technician.get(job.technician_id, 0) + job.remaining_minutes
    longest = max(by_technician.values(), default=0)
    return add_work_minutes(start, longest + QC_MINUTES, hours)


def at_risk(forecast: datetime, promised: datetime) -> bool:
    return forecast > promised


def remaining_by_technician(jobs: Iterable[OpenJob]) -> Mapping[str | None, int]:
    out: dict[str | None, int] = {}
    for job in jobs:
        out[job.technician_id] = out.get(job.technician_id, 0) + job.remaining_minutes
    return out
