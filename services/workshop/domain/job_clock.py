"""The job clock 工时钟 (R-WS-2, R-WS-6): a technician starts, pauses with a reason, resumes and finishes a job;
the clocked time is kept beside the sold (standard) hours. Only the foreman corrects a clock, with a reason.

States: assigned -> running <-> paused -> done. A job may be finished from assigned, running or paused (the
clock stops); a finished job goes back to "assigned" when the quality check fails (rework, R-QC-2). Plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kit.errors import DomainError
from kit.i18n import N_

ASSIGNED, RUNNING, PAUSED, DONE = "assigned", "running", "paused", "done"
PAUSE_REASONS = {
    "waiting_parts": N_("Waiting for parts"),
    "waiting_consent": N_("Waiting for the customer's consent"),
    "waiting_expert": N_("Waiting for the expert"),
    "break": N_("Break"),
    "end_of_shift": N_("End of shift"),
}
MAX_CORRECTION_MINUTES = 24 * 60

# action -> (states it may be taken from, state after)
TRANSITIONS = {
    "start": ((ASSIGNED,), RUNNING),
    "pause": ((RUNNING,), PAUSED),
    "resume": ((PAUSED,), RUNNING),
    "finish": ((ASSIGNED, RUNNING, PAUSED), DONE),
}
REFUSALS = {
    "start": N_("The job is not waiting to be started"),
    "pause": N_("The job is not running"),
    "resume": N_("The job is not paused"),
    "finish": N_("The job is already finished"),
}


@dataclass(frozen=True)
class Interval:
    started_at: datetime
    ended_at: datetime | None = None

    def minutes(self, now: datetime) -> float:
        return max(((self.ended_at or now) - self.started_at).total_seconds() / 60, 0.0)


def next_state(state: str, action: str, reason: str | None = None) -> str:
    """The state after `action`, or a refusal naming what is wrong."""
    allowed, after = TRANSITIONS[action]
    if state not in allowed:
        raise DomainError(REFUSALS[action], field="action", code="clock_state")
    if action == "pause" and reason not in PAUSE_REASONS:
        raise DomainError("Choose why the job is paused", field="reason", code="pause_reason")
    return after


def clocked_minutes(intervals: Iterable[Interval], now: datetime, corrections: Iterable[int] = ()) -> int:
    """Clocked time of a job: its running intervals (an open one up to now) plus the foreman's corrections."""
    total = sum(i.minutes(now) for i in intervals) + sum(corrections)
    return max(int(round(total)), 0)


def check_correction(minutes, reason: str | None) -> int:
    """R-WS-2: a clock correction (minutes added or taken away) needs a reason; bounded to a day either way."""
    if not (reason or "").strip():
        raise DomainError("Give the reason for the correction", field="reason", code="required")
    if len(reason) > 200:
        raise DomainError("At most {n} characters", field="reason", code="too_long", n=200)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes == 0:
        raise DomainError("Give the minutes to add or take away", field="minutes", code="minutes")
    if abs(minutes) > MAX_CORRECTION_MINUTES:
        raise DomainError("At most {n} minutes", field="minutes", code="minutes", n=MAX_CORRECTION_MINUTES)
    return minutes


def may_act(actor_id: str, assigned_to: str | None, *, foreman: bool) -> bool:
    """Only the technician the job is assigned to, or the foreman, acts on a job (others get 403)."""
    return foreman or (assigned_to is not None and actor_id == assigned_to)


class NotYourJob(DomainError):
    status = 403

    def __init__(self):
        super().__init__("This job is assigned to another technician", field="line_no", code="forbidden")
