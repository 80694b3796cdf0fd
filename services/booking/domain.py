"""Booking rules as plain functions (R-BK-*): the customer file, calls, preparation, no-shows."""

from __future__ import annotations

import re
from datetime import date, datetime

from pypinyin import Style, lazy_pinyin

from contracts.validators import check_mobile, check_vin, vin_check_digit
from kit.errors import DomainError
from kit.i18n import N_

__all__ = [
    "CALL_OUTCOMES",
    "PREPARATION_ITEMS",
    "check_call_outcome",
    "check_mileage_reading",
    "check_mobile",
    "check_no_show",
    "check_privacy",
    "check_start",
    "check_vin",
    "vin_check_digit",
    "name_key",
    "welcome_name",
]

PRIVACY_CHOICES = ("full", "surname", "plate")

# R-BK-1: every call ends in one of these, and every one is recorded
CALL_OUTCOMES = ("booked", "declined", "call_back", "unreachable")

# R-BK-6: what is prepared before the visit; the advisor watches over it
PREPARATION_ITEMS = ("draft_order", "parts", "technician_bay", "tools", "documents")
PREPARATION_TITLES = {
    "draft_order": N_("Draft work order"),
    "parts": N_("Parts on the appointment shelf"),
    "technician_bay": N_("Technician and bay"),
    "tools": N_("Tools and equipment"),
    "documents": N_("Documents"),
}


def name_key(name: str) -> str:
    """What the customer search matches a name against: full pinyin and initials ("zhangsan zs" for 张三)."""
    syllables = [s for s in lazy_pinyin(name or "") if s.strip()]
    initials = [s for s in lazy_pinyin(name or "", style=Style.FIRST_LETTER) if s.strip()]
    return re.sub(r"\s+", " ", f"{''.join(syllables)} {''.join(initials)}".lower()).strip()


def check_mileage_reading(mileage_km: int, read_on: date, today: date, earlier: int | None) -> int:
    """A reading may not lie in the future, nor be lower than an earlier reading of the same car."""
    if read_on > today:
        raise DomainError(N_("The reading date cannot be in the future"), field="read_on", code="reading_in_future")
    if mileage_km < 0:
        raise DomainError(N_("The mileage cannot be negative"), field="mileage_km", code="mileage_negative")
    if earlier is not None and mileage_km < earlier:
        raise DomainError(
            N_("Mileage cannot be lower than an earlier reading of {km} km"),
            field="mileage_km",
            code="mileage_lower",
            km=earlier,
        )
    return mileage_km


def check_call_outcome(outcome: str, call_back_at: datetime | None, now: datetime) -> None:
    """R-BK-1: booked / declined / call back at a time / unreachable; a call back needs a time to come."""
    if outcome not in CALL_OUTCOMES:
        raise DomainError(N_("Choose the outcome of the call"), field="outcome", code="outcome")
    if outcome == "call_back" and (call_back_at is None or call_back_at <= now):
        raise DomainError(N_("Give the time to call back, later than now"), field="call_back_at", code="call_back_time")


def check_no_show(starts_at: datetime, now: datetime) -> None:
    """A customer can only have failed to come once the booked time has passed."""
    if now < starts_at:
        raise DomainError(
            N_("The appointment time has not come yet; it cannot be a no-show"), field="starts_at", code="too_early"
        )


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
