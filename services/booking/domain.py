"""Booking rules as plain functions (R-BK-*). The customer file and slot rules grow with issue #4."""

from __future__ import annotations

from datetime import datetime

from contracts.validators import check_mobile, check_vin
from kit.errors import DomainError

__all__ = ["check_mobile", "check_start", "check_vin"]


def check_start(starts_at: datetime, now: datetime) -> datetime:
    if starts_at <= now:
        raise DomainError("The appointment cannot be earlier than now", field="starts_at", code="slot_in_past")
    return starts_at
