"""Booking rules as plain functions (R-BK-*). The full customer file and slot rules come with issue #4."""

from __future__ import annotations

import re
from datetime import datetime

from vininfo import Vin
from vininfo.exceptions import ValidationError as VinError

from kit.errors import DomainError

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def check_vin(vin: str, field: str = "vehicle.vin") -> str:
    """VIN of 17 characters with a valid check digit (ISO 3779 / GB 16735), upper-cased."""
    vin = (vin or "").strip().upper()
    try:
        valid = Vin(vin).verify_checksum()
    except VinError:
        raise DomainError("车架号(VIN)须为17位，且不含 I、O、Q", field=field, code="vin_invalid") from None
    if not valid:
        raise DomainError("车架号(VIN)校验位不正确，请核对", field=field, code="vin_check_digit")
    return vin


def check_mobile(mobile: str, field: str = "customer.mobile") -> str:
    mobile = re.sub(r"[\s-]", "", mobile or "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not MOBILE.match(mobile):
        raise DomainError("手机号码格式不正确(应为11位中国大陆手机号)", field=field, code="mobile_invalid")
    return mobile


def check_start(starts_at: datetime, now: datetime) -> datetime:
    if starts_at <= now:
        raise DomainError("预约时间不能早于当前时间", field="starts_at", code="slot_in_past")
    return starts_at
