"""Values every service exchanges: the VIN (R-RC-2), the customer's mobile, and the booking slot time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.validators import check_mobile, check_vin, vin_check_digit
from kit.errors import DomainError
from services.booking.domain.appointments import check_start
from tests.support.factories import make_vin

VALID_VINS = ["LSVAM4187C2184847", "LFV2A21KX73000011", "LSGPC52U5AF102030"]
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def with_check_digit(vin: str, digit: str) -> str:
    return vin[:8] + digit + vin[9:]


@pytest.mark.parametrize("vin", VALID_VINS)
def test_a_vin_with_a_correct_check_digit_is_accepted(vin):
    """R-RC-2."""
    assert check_vin(vin) == vin


def test_a_generated_vin_is_accepted():
    """R-RC-2."""
    vin = make_vin()
    assert check_vin(vin) == vin


def test_a_lower_case_vin_with_spaces_is_normalised_to_upper_case():
    """R-RC-2."""
    assert check_vin("  lsvam4187c2184847 ") == "LSVAM4187C2184847"


def test_a_vin_with_a_wrong_check_digit_is_refused_naming_the_field():
    """R-RC-2: ISO 3779 / GB 16735 check digit."""
    wrong = with_check_digit("LSVAM4187C2184847", "9")
    with pytest.raises(DomainError) as exc:
        check_vin(wrong, field="vehicle.vin")
    assert exc.value.field == "vehicle.vin"
    assert exc.value.code == "vin_check_digit"


def test_the_vin_field_is_named_vin_by_default():
    """R-RC-2."""
    with pytest.raises(DomainError) as exc:
        check_vin(with_check_digit("LFV2A21KX73000011", "0"))
    assert exc.value.field == "vin"


@pytest.mark.parametrize(
    "vin",
    ["LSVAM4187C218484", "LSVAM4187C21848470", "LSVAM4187C218484O", "", None],
    ids=["16-chars", "18-chars", "letter-O", "empty", "none"],
)
def test_a_vin_that_is_not_17_valid_characters_is_refused(vin):
    """R-RC-2: 17 characters, no I, O or Q."""
    with pytest.raises(DomainError) as exc:
        check_vin(vin, field="vehicle.vin")
    assert exc.value.field == "vehicle.vin"
    assert exc.value.code == "vin_invalid"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("+8615812345678", "15812345678"),
        ("186-1234-5678", "18612345678"),
    ],
)
def test_a_mainland_mobile_is_accepted_and_normalised(raw, expected):
    assert check_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["1391234567", "139123456789", "12912345678", "23912345678", "1391234567a", "", None])
def test_a_malformed_mobile_is_refused_naming_customer_mobile(raw):
    with pytest.raises(DomainError) as exc:
        check_mobile(raw)
    assert exc.value.field == "customer.mobile"
    assert exc.value.code == "mobile_invalid"


def test_a_booking_slot_in_the_future_is_accepted():
    """R-BK-3."""
    starts_at = NOW + timedelta(minutes=15)
    assert check_start(starts_at, NOW) == starts_at


@pytest.mark.parametrize("delta", [timedelta(0), timedelta(minutes=-15)], ids=["now", "past"])
def test_a_booking_slot_that_is_not_in_the_future_is_refused_naming_starts_at(delta):
    """R-BK-3."""
    with pytest.raises(DomainError) as exc:
        check_start(NOW + delta, NOW)
    assert exc.value.field == "starts_at"
    assert exc.value.code == "slot_in_past"


def test_a_vin_from_a_market_without_the_check_digit_is_accepted_with_a_warning():
    """Issue #4: a European VIN's position 9 is often a plain character: warn rather than refuse."""
    european = "WVWZZZ1KZAW000001"  # Volkswagen, Germany; position 9 "Z" is not its check digit
    assert vin_check_digit(european) == "not_used"
    assert check_vin(european) == european
    chinese = with_check_digit("LSVAM4187C2184847", "0")
    assert vin_check_digit(chinese) == "wrong"
    assert vin_check_digit("LSVAM4187C2184847") == "valid"


@pytest.mark.parametrize("mobile", ["14012345678", "12345678901", "01012345678", "+1 415 555 0100"])
def test_numbers_outside_chinas_mobile_ranges_are_refused_by_the_numbering_plan(mobile):
    with pytest.raises(DomainError) as exc:
        check_mobile(mobile)
    assert exc.value.code == "mobile_invalid" and exc.value.field == "customer.mobile"


def test_a_mobile_written_with_the_country_code_and_spaces_is_its_eleven_digits():
    assert check_mobile("+86 139 1234 5678") == check_mobile("139-1234-5678") == "13912345678"
