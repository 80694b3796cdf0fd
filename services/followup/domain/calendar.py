"""The dealership's working calendar and the follow-up call's window (R-FU-1)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CALL_FROM_WORKING_DAYS = 2  # R-FU-1: the call is made 2-5 days after delivery ...
CALL_BY_WORKING_DAYS = 5
CALL_DEADLINE_DAYS = 7  # ... and never later than 7 days after it


@dataclass(frozen=True)
class WorkingCalendar:
    """The days the dealership's follow-up desk works: weekdays open (0 = Monday) minus public holidays.

    From the settings: `FOLLOWUP_CLOSED_WEEKDAYS` ("6" = closed on Sundays) and `FOLLOWUP_HOLIDAYS`
    ("2027-01-01,2027-02-10")."""

    closed_weekdays: frozenset[int] = frozenset({6})
    holidays: frozenset[date] = field(default_factory=frozenset)
    tz: ZoneInfo = ZoneInfo("Asia/Shanghai")

    @classmethod
    def from_settings(cls, raw, tz: ZoneInfo | None = None) -> WorkingCalendar:
        raw = raw or {}
        closed = raw.get("FOLLOWUP_CLOSED_WEEKDAYS", "6")
        holidays = raw.get("FOLLOWUP_HOLIDAYS", "")
        return cls(
            closed_weekdays=frozenset(int(d) for d in str(closed).split(",") if d.strip()),
            holidays=frozenset(date.fromisoformat(d.strip()) for d in str(holidays).split(",") if d.strip()),
            tz=tz or ZoneInfo(raw.get("DEALER_TIMEZONE", "Asia/Shanghai")),
        )

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.closed_weekdays and day not in self.holidays

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself not counted)."""
        current = day
        added = 0
        while added < count:
            current += timedelta(days=1)
            if self.is_working_day(current):
                added += 1
        return current

    def working_days(self, start: date, count: int) -> Iterable[date]:
        """`count` working days from `start` (included when it is one)."""
        current, found = start, 0
        while found < count:
            if self.is_working_day(current):
                found += 1
                yield current
            current += timedelta(days=1)

    def start_of(self, day: date) -> datetime:
        return datetime.combine(day, time(0, 0), self.tz)

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()


@dataclass(frozen=True)
class CallWindow:
    opens: datetime  # the call task is created (shown to the caller) from here
    due_by: datetime  # the end of the 5th working day
    deadline: datetime  # 7 days after delivery: overdue after this, escalated


def call_window(delivered_at: datetime, calendar: WorkingCalendar) -> CallWindow:
    """R-FU-1: the call opens on the 2nd working day after delivery, is due by the end of the 5th working day,
    and never later than 7 days after delivery (the deadline, after which it is overdue and escalated)."""
    delivered_day = calendar.local_day(delivered_at)
    deadline = delivered_at + timedelta(days=CALL_DEADLINE_DAYS)
    opens = calendar.start_of(calendar.add_working_days(delivered_day, CALL_FROM_WORKING_DAYS))
    due_by = calendar.start_of(calendar.add_working_days(delivered_day, CALL_BY_WORKING_DAYS) + timedelta(days=1))
    due_by = min(due_by, deadline)
    opens = min(opens, due_by)
    return CallWindow(opens, due_by, deadline)


def call_state(window: CallWindow, now: datetime, done: bool) -> str:
    """R-FU-1: waiting (before the window) | due | late (past the 5th working day) | overdue (past day 7)."""
    if done:
        return "done"
    if now < window.opens:
        return "waiting"
    if now <= window.due_by:
        return "due"
    if now <= window.deadline:
        return "late"
    return "overdue"


def priority_slot_days(now: datetime, calendar: WorkingCalendar, days: int = 2) -> list[date]:
    """R-FU-5: a complaint books the car back with priority, within the next two working days (today excluded)."""
    return list(calendar.working_days(calendar.local_day(now) + timedelta(days=1), days))
