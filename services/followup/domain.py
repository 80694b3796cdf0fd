"""Follow-up rules as plain functions (R-FU-1, R-FU-2)."""

from __future__ import annotations

from datetime import datetime, timedelta

CALL_FROM_DAYS = 2
CALL_BY_DAYS = 5  # R-FU-1: 2-5 days after delivery, never later than 7


def due_window(delivered_at: datetime) -> tuple[datetime, datetime]:
    """R-FU-1: the call is due between 2 and 5 days after delivery."""
    return delivered_at + timedelta(days=CALL_FROM_DAYS), delivered_at + timedelta(days=CALL_BY_DAYS)


def pick_caller(callers: list[str], open_calls: dict[str, int], advisor_id: str) -> str | None:
    """R-FU-2: anyone but the advisor who served the customer; the least loaded first, then by id.

    None when nobody else is available: the call is left for the manager to assign.
    """
    eligible = [c for c in callers if c != advisor_id]
    if not eligible:
        return None
    return min(eligible, key=lambda c: (open_calls.get(c, 0), c))
