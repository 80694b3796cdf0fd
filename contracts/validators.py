"""Checks on values every service exchanges: the vehicle's VIN and the customer's mobile."""

from __future__ import annotations

import phonenumbers
from vininfo import Vin
from vininfo.exceptions import ValidationError as VinError

from .errors import DomainError

# Markets whose law requires the check digit (position 9): China (GB 16735) and North America (49 CFR 565).
# Elsewhere (Europe, Japan, Korea …) position 9 is often a plain character: a car imported from there is
# accepted with a warning instead of being refused.
CHECK_DIGIT_MARKETS = frozenset({"China", "United States", "Canada", "Mexico"})


def vin_check_digit(vin: str) -> str:
    """ "valid"; "wrong" (refused: a market that uses the check digit); "not_used" (accepted with a warning)."""
    parsed = Vin(vin)
    if parsed.verify_checksum():
        return "valid"
    return "wrong" if parsed.country in CHECK_DIGIT_MARKETS or parsed.country is None else "not_used"


def check_vin(vin: str, field: str = "vin") -> str:
    """R-RC-2: 17 characters with a valid check digit (ISO 3779 / GB 16735); returned upper-cased.

    A VIN from a market that does not use the check digit is accepted (`vin_check_digit` says "not_used",
    which the UI shows as a warning)."""
    vin = (vin or "").strip().upper()
    try:
        state = vin_check_digit(vin)
    except VinError:
        raise DomainError("The VIN must be 17 characters, without I, O or Q", field=field, code="vin_invalid") from None
    if state == "wrong":
        raise DomainError("The VIN check digit is wrong, please check the VIN", field=field, code="vin_check_digit")
    return vin


def check_mobile(mobile: str, field: str = "customer.mobile") -> str:
    """A mainland mobile number, by the phonenumbers library's numbering plan (spaces, dashes and +86
    tolerated); returned as its 11 digits."""
    try:
        number = phonenumbers.parse(mobile or "", "CN")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise DomainError(
            "The mobile number is not valid (11 digits, mainland China)", field=field, code="mobile_invalid"
        )
    return str(number.national_number)
