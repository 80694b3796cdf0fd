"""Reception slots (R-BK-3, R-BK-3a): 15-minute receptions, a free buffer after every three.

First customer 9:00, then 9:15, 9:30, and the fourth at 10:00, not 9:45: the buffer absorbs
overruns (queue patience is about 8 minutes) and serves walk-ins and emergencies. Slot length,
group size and buffer are per-dealership settings with these defaults. Plain Python.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kit.errors import DomainError
from kit.i18n import N_


@dataclass(frozen=True)
class SlotRules:
    opens: time = time(9, 0)
    closes: time = time(17, 0)  # the last reception ends by then
    slot_minutes: int = 15
    group: int = 3  # booked slots in a row ...
    buffer_minutes: int = 15  # ... then this much stays free

    @classmethod
    def from_settings(cls, raw: Mapping[str, str]) -> SlotRules:
        """BOOKING_OPENS=09:00 BOOKING_CLOSES=17:00 SLOT_MINUTES=15 SLOT_GROUP=3 BUFFER_MINUTES=15"""
        defaults = cls()
        return cls(
            opens=time.fromisoformat(raw.get("BOOKING_OPENS", defaults.opens.isoformat("minutes"))),
            closes=time.fromisoformat(raw.get("BOOKING_CLOSES", defaults.closes.isoformat("minutes"))),
            slot_minutes=int(raw.get("SLOT_MINUTES", defaults.slot_minutes)),
            group=int(raw.get("SLOT_GROUP", defaults.group)),
            buffer_minutes=int(raw.get("BUFFER_MINUTES", defaults.buffer_minutes)),
        )


def reception_slots(day: date, rules: SlotRules, tz: ZoneInfo) -> list[datetime]:
    """Every bookable reception start of the day for one advisor, in the dealership's time zone."""
    return list(_slot_grid(day, rules, tz))


@functools.lru_cache(maxsize=64)
def _slot_grid(day: date, rules: SlotRules, tz: ZoneInfo) -> tuple[datetime, ...]:
    """`reception_slots`, worked out once a day and rules (a booking asks for its day's grid five times)."""
    return tuple(_grid(day, rules, tz))


def _grid(day: date, rules: SlotRules, tz: ZoneInfo) -> list[datetime]:
    slots, start = [], datetime.combine(day, rules.opens, tz)
    end = datetime.combine(day, rules.closes, tz)
    step, buffer = timedelta(minutes=rules.slot_minutes), timedelta(minutes=rules.buffer_minutes)
    while True:
        for _ in range(rules.group):
            if start + step > end:
                return slots
            slots.append(start)
            start += step
        start += buffer  # R-BK-3: the buffer after every group stays free


def free_slots(day: date, rules: SlotRules, tz: ZoneInfo, taken: Iterable[datetime], now: datetime) -> list[datetime]:
    """The advisor's slots of the day that are neither booked nor past."""
    return _free(day, rules, tz, _local(taken, tz), now)


def free_slots_from(
    day: date, days: int, rules: SlotRules, tz: ZoneInfo, taken: Iterable[datetime], now: datetime
) -> list[datetime]:
    """`free_slots` of `days` days from `day`, in order, `taken` holding the booked times of all of them (a day's
    slots never meet another day's times): the booked times converted once for all the days."""
    busy, out = _local(taken, tz), []
    for offset in range(days):
        out += _free(day + timedelta(days=offset), rules, tz, busy, now)
    return out


def _local(taken: Iterable[datetime], tz: ZoneInfo) -> set[datetime]:
    return {t.astimezone(tz) for t in taken}


def _free(day: date, rules: SlotRules, tz: ZoneInfo, busy: set[datetime], now: datetime) -> list[datetime]:
    return [s for s in _slot_grid(day, rules, tz) if s not in busy and s > now]


def check_slot(starts_at: datetime, rules: SlotRules, tz: ZoneInfo, taken: Iterable[datetime], now: datetime) -> None:
    """Refuse a time in the past, off the slot grid (a buffer or outside hours), or already booked."""
    local = starts_at.astimezone(tz)
    if starts_at <= now:
        raise DomainError(N_("The appointment cannot be earlier than now"), field="starts_at", code="slot_in_past")
    busy = _local(taken, tz)  # converted once for the free times and the check
    alternatives = _free(local.date(), rules, tz, busy, now)
    if local not in _slot_grid(local.date(), rules, tz):
        raise SlotUnavailable(
            N_("{time} is not a reception slot"),
            time=local.strftime("%H:%M"),
            alternatives=alternatives,
            code="not_a_slot",
        )
    if local in busy:
        raise SlotUnavailable(
            N_("{time} is already booked for this advisor"),
            time=local.strftime("%H:%M"),
            alternatives=alternatives,
            code="slot_taken",
        )


class SlotUnavailable(DomainError):
    """Carries the free times of that day so the booking desk can offer another (R-BK-7, R-BK-8)."""

    def __init__(self, msgid: str, *, alternatives: list[datetime], code: str, **params):
        super().__init__(msgid, field="starts_at", code=code, **params)
        self.details = {"alternatives": [a.isoformat() for a in alternatives[:8]]}
