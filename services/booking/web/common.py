"""What booking's web modules share: the slot rules and time zone from the settings, a form's date and time as
an ISO time, a refused form's errors."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from kit.config import Settings, derived
from kit.types import utcnow
from kit.web import form_errors

from ..domain.slots import SlotRules

_SLOT_KEYS = ("DEALER_TIMEZONE", "BOOKING_OPENS", "BOOKING_CLOSES", "SLOT_MINUTES", "SLOT_GROUP", "BUFFER_MINUTES")


def slot_settings() -> tuple[SlotRules, ZoneInfo]:
    """The slot rules and the dealership's time zone, derived once for the values their settings have
    (kit.config.derived), not from the whole environment copied on every request."""
    return derived(_slot_settings, _SLOT_KEYS)


def _slot_settings() -> tuple[SlotRules, ZoneInfo]:
    settings = Settings.load()
    return SlotRules.from_settings(settings.raw), settings.tz


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
