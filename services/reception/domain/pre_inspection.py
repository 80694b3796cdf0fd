"""The pre-inspection area 预检区 (R-RC-8): when it is congested, the service manager is alerted at once.

Three pre-inspection bays. Four or more cars waiting, or any car waiting over 20 minutes, is an
incident: the manager sends cars to the temporary park with a queue ticket 叫号牌, or moves
written-up cars to the workshop's waiting bays. Each incident is then reviewed by the service manager
(cause from a list and in words, the staff member responsible, the corrective action) and a monthly summary
sums them up. Plain Python; the clock is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo

from kit.errors import DomainError
from kit.i18n import N_

QUEUE_LIMIT = 4
WAIT_LIMIT = timedelta(minutes=20)
ACTIONS = ("temporary_park_with_ticket", "move_written_up_cars_to_workshop_waiting_bays")
# The two actions the plan names, as the buttons of the alert banner (templates/pre_inspection_board.html)
ACTION_LABELS = {
    "temporary_park_with_ticket": N_("Temporary park with queue ticket"),
    "move_written_up_cars_to_workshop_waiting_bays": N_("Move written-up cars to the workshop's waiting bays"),
}
DEFAULT_BAYS = ("P1", "P2", "P3")  # three pre-inspection bays; the setting PRE_INSPECTION_BAYS=P1,P2,P3 overrides


@cache  # a setting's few values: parsed once each
def bays_setting(value: str | None) -> tuple[str, ...]:
    """The pre-inspection bays from the setting "P1,P2,P3" (spaces and case ignored); the three by default."""
    bays = tuple(dict.fromkeys(part.strip().upper() for part in (value or "").split(",") if part.strip()))
    return bays or DEFAULT_BAYS


# --- queue tickets 叫号牌 (R-RC-8) -------------------------------------------------------------------------


def ticket_day(checked_in_at: datetime, tz: ZoneInfo) -> date:
    """Tickets are numbered per day in the dealership's time: 00:30 in Shanghai is the new day's 001."""
    return checked_in_at.astimezone(tz).date()


def ticket_label(number: int | None) -> str | None:
    """The number as the customer's ticket shows it: 1 -> "001" (a fourth digit only past 999)."""
    return None if number is None else f"{number:03d}"


def check_bay(bay: str | None, bays: tuple[str, ...], occupant: str | None = None) -> str:
    """R-RC-8: a car goes onto one of the pre-inspection bays, and only onto a free one. `occupant` is the
    plate of the car on that bay now, if any."""
    bay = (bay or "").strip().upper()
    if bay not in bays:
        raise DomainError(N_("Choose a pre-inspection bay"), field="bay", code="bay")
    if occupant is not None:
        raise DomainError(
            N_("Pre-inspection bay {bay} is occupied by {plate}"),
            field="bay",
            code="bay_occupied",
            bay=bay,
            plate=occupant,
        )
    return bay


def check_action(cmd: dict) -> dict:
    """R-RC-8: the service manager records which of the plan's actions was taken (and may add a note)."""
    action = (cmd.get("action") or "").strip()
    if action not in ACTION_LABELS:
        raise DomainError(N_("Choose one of the actions the plan names"), field="action", code="action")
    return {"action": action, "note": (cmd.get("note") or "").strip()}


@dataclass(frozen=True)
class Congestion:
    cause: str  # "queue" (4 or more waiting) or "wait" (a car waiting over 20 minutes)
    waiting: int
    longest_wait: timedelta


def congestion(waiting_since: list[datetime], now: datetime) -> Congestion | None:
    """R-RC-8: the alert condition for the cars now waiting (their check-in times)."""
    if not waiting_since:
        return None
    longest = now - min(waiting_since)
    if len(waiting_since) >= QUEUE_LIMIT:
        return Congestion("queue", len(waiting_since), longest)
    if longest > WAIT_LIMIT:
        return Congestion("wait", len(waiting_since), longest)
    return None


# --- the service manager's review and the monthly summary (R-RC-8) -------------------------------------

# Why the area congested, as the service manager records it (a choice, then words); "other" needs the words.
ROOT_CAUSES = {
    "arrivals_bunched": N_("Booked arrivals bunched together"),
    "walk_ins": N_("Many unbooked walk-ins"),
    "advisors_short": N_("Too few advisors on duty"),
    "bay_blocked": N_("A pre-inspection bay was blocked"),
    "slow_write_up": N_("Write-ups took too long"),
    "workshop_full": N_("The workshop's waiting bays were full"),
    "other": N_("Other (described in the note)"),
}
TRIGGERS = {"queue": N_("Four or more cars waiting"), "wait": N_("A car waited over 20 minutes")}


def check_review(cmd: dict) -> dict:
    """R-RC-8: each incident is recorded with its cause, who was responsible and what was done about it."""
    cause = (cmd.get("root_cause") or "").strip()
    if cause not in ROOT_CAUSES:
        raise DomainError(N_("Choose the cause from the list"), field="root_cause", code="root_cause")
    note = (cmd.get("root_cause_note") or "").strip()
    if cause == "other" and not note:
        raise DomainError(N_("Describe the cause when it is not on the list"), field="root_cause_note", code="required")
    responsible = (cmd.get("responsible_id") or "").strip().upper()
    if not responsible:
        raise DomainError(N_("Name the staff member responsible"), field="responsible_id", code="required")
    actions = (cmd.get("actions") or "").strip()
    if not actions:
        raise DomainError(N_("Record the corrective action"), field="actions", code="required")
    return {"root_cause": cause, "root_cause_note": note, "responsible_id": responsible, "actions": actions}


def month_bounds(month: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The month "2026-11" as [start, end) instants: local midnight of its first day to the next month's."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = datetime(year, number, 1, tzinfo=tz)
    except (ValueError, TypeError):
        raise DomainError(N_("The month must look like 2026-11"), field="month", code="month") from None
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True)
class IncidentFacts:
    raised_at: datetime
    trigger: str  # queue | wait
    waiting: int
    longest_wait_seconds: int
    cleared_at: datetime | None = None
    root_cause: str | None = None
    responsible_id: str | None = None


def _average(values: list[int]) -> int:
    """Whole seconds, half up (no float)."""
    if not values:
        return 0
    return int((Decimal(sum(values)) / len(values)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minutes(seconds: int) -> Decimal:
    """Seconds as minutes with one decimal, half up: 1230 s -> 20.5."""
    return (Decimal(seconds) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def summarize(incidents: list[IncidentFacts], start: datetime, end: datetime, tz: ZoneInfo, now: datetime) -> dict:
    """R-RC-8 monthly summary: counts, waits, how long the area stayed congested, causes, who was responsible,
    and one row per day for the chart. Incidents outside [start, end) are ignored."""
    month = [i for i in incidents if start <= i.raised_at < end]
    waits = [i.longest_wait_seconds for i in month]
    durations = [int(((i.cleared_at or now) - i.raised_at).total_seconds()) for i in month]
    by_cause: dict[str, int] = {}
    by_responsible: dict[str, int] = {}
    for i in month:
        if i.root_cause:
            by_cause[i.root_cause] = by_cause.get(i.root_cause, 0) + 1
        if i.responsible_id:
            by_responsible[i.responsible_id] = by_responsible.get(i.responsible_id, 0) + 1
    per_day: dict[date, int] = {}
    day = start.astimezone(tz).date()
    while datetime(day.year, day.month, day.day, tzinfo=tz) < end:
        per_day[day] = 0
        day += timedelta(days=1)
    for i in month:
        local_day = i.raised_at.astimezone(tz).date()
        per_day[local_day] = per_day.get(local_day, 0) + 1
    return {
        "incidents": len(month),
        "by_trigger": {trigger: sum(1 for i in month if i.trigger == trigger) for trigger in TRIGGERS},
        "reviewed": sum(1 for i in month if i.root_cause),
        "unreviewed": sum(1 for i in month if not i.root_cause),
        "still_open": sum(1 for i in month if i.cleared_at is None),
        "average_wait_seconds": _average(waits),
        "max_wait_seconds": max(waits, default=0),
        "max_waiting_cars": max((i.waiting for i in month), default=0),
        "average_congested_seconds": _average(durations),
        "max_congested_seconds": max(durations, default=0),
        "by_cause": sorted(by_cause.items(), key=lambda kv: (-kv[1], list(ROOT_CAUSES).index(kv[0]))),
        "by_responsible": sorted(by_responsible.items(), key=lambda kv: (-kv[1], kv[0])),
        "per_day": [{"day": d, "incidents": n} for d, n in sorted(per_day.items())],
    }
