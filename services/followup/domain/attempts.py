"""Unreachable customers (R-FU-1, R-FU-4): three attempts at different times of day, then an SMS or a letter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

LADDER = 3  # attempts, each in another part of the day
FALLBACK_AFTER_DAYS = 5  # then, five days after the first attempt, an SMS (or a letter)
DAY_PARTS = (("morning", time(9, 0)), ("afternoon", time(14, 0)), ("evening", time(18, 30)))


def day_part(at: datetime, tz: ZoneInfo) -> str:
    """morning before 12:00, afternoon before 17:00, evening after (dealership's local time)."""
    hour = at.astimezone(tz).hour
    return "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"


@dataclass(frozen=True)
class Ladder:
    parts_tried: tuple[str, ...]  # distinct parts of the day already tried, in order
    exhausted: bool  # three attempts at three different times of day
    next_attempt_at: datetime | None  # when to try again (None once exhausted)
    fallback_at: datetime | None  # when the SMS / letter goes (once exhausted)


def ladder(unreachable_at: list[datetime], now: datetime, tz: ZoneInfo) -> Ladder:
    """The retry ladder from the times the customer was not reached.

    Two attempts in the same part of the day count once: the next attempt is proposed in a part not yet tried,
    today if that part is still ahead, else on a following day."""
    tried: list[str] = []
    for at in sorted(unreachable_at):
        part = day_part(at, tz)
        if part not in tried:
            tried.append(part)
    if len(tried) >= LADDER:
        first = min(unreachable_at)
        fallback = max(first + timedelta(days=FALLBACK_AFTER_DAYS), max(unreachable_at))
        return Ladder(tuple(tried), True, None, fallback)
    if not unreachable_at:
        return Ladder((), False, now, None)
    return Ladder(tuple(tried), False, _next_untried(tried, now, tz), None)


def _next_untried(tried: list[str], now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    for offset in range(0, 3):
        day = local.date() + timedelta(days=offset)
        for name, starts in DAY_PARTS:
            at = datetime.combine(day, starts, tz)
            if name not in tried and at >= local:
                return at
    raise AssertionError("an untried part of the day is always found within three days")


def fallback_channel(mobile: str | None, address: str | None, opted_out: set[str]) -> str | None:
    """R-FU-1 and R-CR-5: an SMS where there is a mobile the customer did not opt out of, else a printed letter
    where there is an address (and letters are allowed); None when neither may be used."""
    if mobile and "sms" not in opted_out:
        return "sms"
    if address and "letter" not in opted_out:
        return "letter"
    return None
