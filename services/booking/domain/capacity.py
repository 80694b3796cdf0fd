"""Booking's view of the workshop's capacity (R-BK-4, R-BK-10): the refusal when a job does not fit, and the load
figures as the booking desk shows them. The workshop owns the capacity; booking asks it (handlers.workshop_capacity)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from kit.i18n import N_

from .slots import SlotUnavailable

ALTERNATIVE_DAYS = 3  # the advisor's free slots on the booked day and the next ones are offered


class NoCapacity(SlotUnavailable):
    """R-BK-4: the workshop cannot take the job at that time; the times it can are offered."""

    def __init__(self, starts_at: datetime, tz: ZoneInfo, alternatives: list[datetime]):
        super().__init__(
            N_("The workshop has no capacity left for these jobs at {time}"),
            time=starts_at.astimezone(tz).strftime("%m-%d %H:%M"),
            code="no_capacity",
            alternatives=alternatives,
        )


def load_figures(view: dict) -> dict:
    """The workshop's load answer (hours as text on the wire) with its hours as Decimals."""
    for rows in (view["by_hour"], view["by_day"]):
        for row in rows:
            for key in ("booked_hours", "bookable_hours", "capacity_hours"):
                row[key] = Decimal(row[key])
    view["appointment_share"] = Decimal(view["appointment_share"])
    return view


def chart_rows(view: dict) -> tuple[list[dict], list[dict]]:
    """Rows for the kit's bar chart: booked hours against what appointments may book (the limit line)."""

    def rows(items):
        return [{"label": i["label"], "value": i["booked_hours"], "limit": i["bookable_hours"]} for i in items]

    return rows(view["by_hour"]), rows(view["by_day"])
