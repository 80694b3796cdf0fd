"""Expected arrivals as the reception desk reads them: today's (the dealership's local day) and other days'."""

from __future__ import annotations

from datetime import datetime, tzinfo


def arrivals_by_local_day(arrivals: list[dict], now: datetime, tz: tzinfo) -> tuple[list[dict], list[dict]]:
    """(today's, other days') expected arrivals: "booked arrivals today" are those whose appointment falls on
    the dealership's local calendar day of `now` (Asia/Shanghai), not on UTC's, nor tomorrow's."""
    today = now.astimezone(tz).date()
    on_day = [a for a in arrivals if a["starts_at"].astimezone(tz).date() == today]
    return on_day, [a for a in arrivals if a["starts_at"].astimezone(tz).date() != today]
