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
        raise DomainError("The VIN must be 17 characters, without I, O or Q", field=field, code="vin_invalid") from None
    if not valid:
        raise DomainError("The VIN check digit is wrong, please check the VIN", field=field, code="vin_check_digit")
    return vin


def check_mobile(mobile: str, field: str = "customer.mobile") -> str:
    """An 11-digit mainland mobile number (spaces, dashes and +86 tolerated)."""
    mobile = re.sub(r"[\s-]", "", mobile or "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not MOBILE.match(mobile):
        raise DomainError(
            "The mobile number is not valid (11 digits, mainland China)", field=field, code="mobile_invalid"
        )
    return mobile
