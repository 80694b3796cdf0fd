"""What follow-up's web modules share: a form's local date and time as an aware time, a refused form's errors."""

from __future__ import annotations

from datetime import date, datetime, time

from marshmallow import ValidationError

from kit.config import Settings
from kit.web import form_errors


def local_datetime(day: str, at: str) -> str:
    """A form's date and time fields as an ISO time in the dealership's zone ("" when incomplete)."""
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(at), Settings.load().tz).isoformat()
    except (TypeError, ValueError):
        return ""


def refused_form(exc, request, rename=None) -> tuple[dict, int]:
    return form_errors(exc, request.locale, rename), (400 if isinstance(exc, ValidationError) else 422)


def posted_number(value) -> int:
    """A posted row id; anything else finds nothing (404 naming the row), never a 5xx."""
    try:
        return int(value or 0)
    except ValueError:
        return 0
