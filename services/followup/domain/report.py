"""The monthly follow-up report (R-FU-6): plain numbers from the month's calls and complaints."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .script import DEPARTMENTS


@dataclass(frozen=True)
class CallFacts:
    advisor_id: str
    state: str  # done | open
    reached: bool
    attempted: bool
    scores: dict[str, int] = field(default_factory=dict)


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal (None when there is nothing to divide)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def monthly(calls: list[CallFacts], complaint_causes: list[str], open_actions: int) -> dict:
    """R-FU-6: follow-up rate (calls made of calls due), reach rate (reached of attempted), satisfaction by
    department and by advisor (mean score, 1-5), complaints by cause, open actions."""
    due = len(calls)
    attempted = sum(1 for c in calls if c.attempted)
    reached = sum(1 for c in calls if c.reached)
    by_department = {d: mean([c.scores[d] for c in calls if d in c.scores]) for d in DEPARTMENTS}
    advisor_scores: dict[str, list[int]] = defaultdict(list)
    for c in calls:
        advisor_scores[c.advisor_id].extend(c.scores.values())
    return {
        "calls_due": due,
        "calls_made": attempted,
        "reached": reached,
        "followup_rate": rate(attempted, due),
        "reach_rate": rate(reached, attempted),
        "satisfaction_by_department": by_department,
        "satisfaction_by_advisor": {a: mean(s) for a, s in sorted(advisor_scores.items())},
        "complaints_by_cause": dict(Counter(complaint_causes).most_common()),
        "open_actions": open_actions,
    }
