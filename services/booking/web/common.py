"""What booking's web modules share: the slot rules and time zone from the settings, a form's date and time as
an ISO time, a refused form's errors."""

from __future__ import annotations

import functools
import os
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from kit.config import Settings
from kit.types import utcnow
from kit.web import form_errors

from ..domain.slots import SlotRules

_SLOT_KEYS = ("DEALER_TIMEZONE", "BOOKING_OPENS", "BOOKING_CLOSES", "SLOT_MINUTES", "SLOT_GROUP", "BUFFER_MINUTES")


def slot_settings() -> tuple[SlotRules, ZoneInfo]:
    """The slot rules and the dealership's time zone as Settings.load reads them from the environment, worked out
    once for the values the environment holds (not the whole environment copied on every request)."""
    return _slot_settings(tuple(os.environ.get(key) for key in _SLOT_KEYS))


@functools.lru_cache(maxsize=8)
def _slot_settings(values: tuple) -> tuple[SlotRules, ZoneInfo]:
    raw = {key: value for key, value in zip(_SLOT_KEYS, values, strict=True) if value is not None}
    return SlotRules.from_settings(raw), ZoneInfo(raw.get("DEALER_TIMEZONE", Settings.dealer_timezone))


def local_today(tz: ZoneInfo) -> date:
    return utcnow().astimezone(tz).date()


def local_datetime(day: str, at: str, tz) -> str:
    """A form's date and time fields as an ISO time in the dealership's zone ("" when incomplete)."""
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(at), tz).isoformat()
    except (TypeError, ValueError):
        return ""


def refused_form(exc, request, rename=None) -> tuple[dict, int]:
    """A refused form's errors beside their fields, and its status (400 invalid input, 422 refused by a rule)."""
    return form_errors(exc, request.locale, rename), (400 if isinstance(exc, ValidationError) else 422)
