"""Booking rules as plain functions (R-BK-*). The customer file and slot rules grow with issue #4."""

from __future__ import annotations

from datetime import datetime

from contracts.validators import check_mobile, check_vin
from kit.errors import DomainError
from kit.i18n import N_

__all__ = ["check_mobile", "check_privacy", "check_start", "check_vin", "welcome_name"]

PRIVACY_CHOICES = ("full", "surname", "plate")


def check_start(starts_at: datetime, now: datetime) -> datetime:
    if starts_at <= now:
        raise DomainError("The appointment cannot be earlier than now", field="starts_at", code="slot_in_past")
    return starts_at


def check_privacy(choice: str) -> str:
    if choice not in PRIVACY_CHOICES:
        raise DomainError(N_("Choose how the welcome board shows the customer"), field="privacy", code="privacy")
    return choice


def welcome_name(name: str, salutation: str, privacy: str) -> str:
    """R-BK-9: the welcome board shows the full name, the surname only (王先生/王女士), or nothing but the plate."""
    if privacy == "full":
        return name
    if privacy == "surname":
        return name[:1] + (salutation or "")
    return ""
