"""Checks on values every service exchanges: the vehicle's VIN and the customer's mobile."""

from __future__ import annotations

import re

from vininfo import Vin
from vininfo.exceptions import ValidationError as VinError

from kit.errors import DomainError

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def check_vin(vin: str, field: str = "vin") -> str:
    """R-RC-2: 17 characters with a valid check digit (ISO 3779 / GB 16735); returned upper-cased."""
    vin = (vin or "").strip().upper()
    try:
        valid = Vin(vin).verify_checksum()
    except VinError:
        raise DomainError("车架号(VIN)须为17位，且不含 I、O、Q", field=field, code="vin_invalid") from None
    if not valid:
        raise DomainError("车架号(VIN)校验位不正确，请核对", field=field, code="vin_check_digit")
    return vin


def check_mobile(mobile: str, field: str = "customer.mobile") -> str:
    """An 11-digit mainland mobile number (spaces, dashes and +86 tolerated)."""
    mobile = re.sub(r"[\s-]", "", mobile or "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not MOBILE.match(mobile):
        raise DomainError("手机号码格式不正确(应为11位中国大陆手机号)", field=field, code="mobile_invalid")
    return mobile
