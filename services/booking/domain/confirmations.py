"""Confirmations (R-BK-7): the day before and one hour before, attendance and preparation are confirmed.

A task is due at its time and must be answered by its deadline; one still open after that escalates to
the service manager (once). Plain Python: the clock is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kit.errors import DomainError
from kit.i18n import N_

OUTCOMES = ("confirmed", "cannot_come", "no_answer")
KINDS = ("day_before", "hour_before")


@dataclass(frozen=True)
class TaskTimes:
    kind: str
    due_at: datetime
    answer_by: datetime


@dataclass(frozen=True)
class ConfirmationRules:
    day_before: timedelta = timedelta(days=1)  # the first call, this long before the appointment
    day_before_window: timedelta = timedelta(hours=4)  # ... answered within this
    hour_before: timedelta = timedelta(hours=1)
    hour_before_window: timedelta = timedelta(minutes=30)


DEFAULT_RULES = ConfirmationRules()


def tasks_for(starts_at: datetime, booked_at: datetime, rules: ConfirmationRules = DEFAULT_RULES) -> list[TaskTimes]:
    """The confirmation calls an appointment needs. A call whose time has already passed when the booking
    is made is skipped: booking for this afternoon is itself the day-before confirmation."""
    out = []
    for kind, before, window in (
        ("day_before", rules.day_before, rules.day_before_window),
        ("hour_before", rules.hour_before, rules.hour_before_window),
    ):
        due_at = starts_at - before
        if due_at >= booked_at:
            out.append(TaskTimes(kind, due_at, min(due_at + window, starts_at)))
    return out


def check_outcome(outcome: str, status: str) -> None:
    if outcome not in OUTCOMES:
        raise DomainError(N_("Choose the outcome of the confirmation"), field="outcome", code="outcome")
    if status != "open":
        raise DomainError(
            N_("This confirmation has already been answered"), field="task_id", code="confirmation_closed"
        )


def overdue(status: str, answer_by: datetime, escalated_at: datetime | None, now: datetime) -> bool:
    """R-BK-7: still open after its deadline and not yet escalated."""
    return status == "open" and escalated_at is None and now > answer_by
