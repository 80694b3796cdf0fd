"""Reception rules: pricing from the published list (R-RC-5) and the customer's signature (R-RC-6)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kit.errors import DomainError
from kit.signatures import decode_image
from services.reception.domain.mileage import check_mileage
from services.reception.domain.pricing import PriceBook, price_lines, promised_time, totals

D = Decimal
CST = timezone(timedelta(hours=8))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SIGNATURE_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


def make_book(**overrides) -> PriceBook:
    fields = {
        "version": "2026.11-1",
        "labour_rate": D("300.00"),
        "vat_rate": D("0.13"),
        "labour": {"LAB-OIL": ("更换机油及机油滤清器", D("0.5")), "LAB-THROTTLE": ("清洗节气门", D("1.2"))},
        "parts": {"P-OIL-5W30": ("机油 5W-30 4L", D("268.50")), "P-FILTER-OIL": ("机油滤清器", D("45.00"))},
    }
    fields.update(overrides)
    return PriceBook(**fields)


def labour(code: str = "LAB-OIL", **overrides) -> dict:
    return {"kind": "labour", "code": code, **overrides}


def part(code: str = "P-OIL-5W30", quantity: str = "1", **overrides) -> dict:
    return {"kind": "part", "code": code, "quantity": D(quantity), **overrides}


def priced(kind: str, quantity: str, amount: str) -> dict:
    return {"kind": kind, "quantity": D(quantity), "amount": D(amount)}


# --- pricing the order -------------------------------------------------------------------------


def test_labour_is_priced_as_standard_hours_times_the_published_rate():
    """R-RC-5."""
    [line] = price_lines([labour("LAB-THROTTLE")], make_book())
    assert line == {
        "line_no": 1,
        "kind": "labour",
        "code": "LAB-THROTTLE",
        "description": "清洗节气门",
        "quantity": D("1.2"),
        "unit_price": D("300.00"),
        "amount": D("360.00"),
    }


def test_labour_hours_come_from_the_list_not_from_the_request():
    """R-RC-5: the advisor cannot sell other than the standard hours."""
    [line] = price_lines([labour("LAB-OIL", quantity=D("3"))], make_book())
    assert line["quantity"] == D("0.5")
    assert line["amount"] == D("150.00")


def test_parts_are_priced_from_the_published_list_times_the_quantity():
    """R-RC-5."""
    [line] = price_lines([part("P-FILTER-OIL", "3")], make_book())
    assert (line["description"], line["quantity"], line["unit_price"], line["amount"]) == (
        "机油滤清器",
        D("3"),
        D("45.00"),
        D("135.00"),
    )


def test_lines_are_numbered_in_order_and_codes_normalised():
    """R-RC-5."""
    lines = price_lines([labour(" lab-oil "), part("p-oil-5w30")], make_book())
    assert [(line["line_no"], line["code"]) for line in lines] == [(1, "LAB-OIL"), (2, "P-OIL-5W30")]


def test_an_unknown_labour_code_is_refused_naming_its_line():
    """R-RC-5: only what is on the published list can be ordered."""
    with pytest.raises(DomainError) as exc:
        price_lines([labour("LAB-OIL"), labour("LAB-WARP-DRIVE")], make_book())
    assert exc.value.field == "lines[1].code"
    assert "LAB-WARP-DRIVE" in exc.value.message


def test_an_unknown_part_is_refused_naming_its_line():
    """R-RC-5."""
    with pytest.raises(DomainError) as exc:
        price_lines([part("P-NOPE")], make_book())
    assert exc.value.field == "lines[0].code"


@pytest.mark.parametrize("quantity", [None, D("0"), D("-1")])
def test_a_part_without_a_positive_quantity_is_refused_naming_its_quantity(quantity):
    """R-RC-5."""
    with pytest.raises(DomainError) as exc:
        price_lines([labour(), {"kind": "part", "code": "P-OIL-5W30", "quantity": quantity}], make_book())
    assert exc.value.field == "lines[1].quantity"


def test_an_order_without_lines_is_refused():
    """R-RC-5: the order lists the jobs."""
    with pytest.raises(DomainError) as exc:
        price_lines([], make_book())
    assert exc.value.field == "lines"


def test_no_order_can_be_priced_before_a_price_list_is_published():
    """R-RC-5."""
    with pytest.raises(DomainError) as exc:
        price_lines([labour()], None)
    assert exc.value.code == "no_price_list"


def test_totals_add_the_lines_and_vat_rounded_half_up_to_the_fen():
    """R-RC-5: 418.50 x 13% = 54.405 -> 54.41."""
    lines = [priced("labour", "0.5", "150.00"), priced("part", "1", "268.50")]
    assert totals(lines, D("0.13")) == (D("418.50"), D("54.41"), D("472.91"))


# --- the promised delivery time ----------------------------------------------------------------


def test_promised_time_is_labour_plus_an_hour_rounded_up_to_the_half_hour():
    """R-RC-5: 10:10 + 1.7 h labour + 1 h = 12:52 -> 13:00."""
    now = datetime(2026, 11, 28, 10, 10, tzinfo=CST)
    lines = [
        priced("labour", "0.5", "150.00"),
        priced("labour", "1.2", "360.00"),
        priced("part", "5", "1.00"),
    ]
    assert promised_time(now, lines) == datetime(2026, 11, 28, 13, 0, tzinfo=CST)


def test_promised_time_rounds_up_to_the_next_half_hour_not_the_hour():
    """R-RC-5: 09:05 + 0.5 h + 1 h = 10:35 -> 11:00; 09:00 + 1 h -> 10:00 stays."""
    lines = [priced("labour", "0.5", "150.00")]
    assert promised_time(datetime(2026, 11, 28, 9, 5, tzinfo=CST), lines) == datetime(2026, 11, 28, 11, 0, tzinfo=CST)
    assert promised_time(datetime(2026, 11, 28, 8, 55, tzinfo=CST), lines) == datetime(2026, 11, 28, 10, 30, tzinfo=CST)


def test_a_promised_time_already_on_the_half_hour_is_not_pushed_further():
    now = datetime(2026, 11, 28, 9, 0, tzinfo=CST)
    assert promised_time(now, [priced("labour", "1", "300.00")]) == datetime(2026, 11, 28, 11, 0, tzinfo=CST)


# --- the customer's signature ------------------------------------------------------------------
# Reception decodes the tablet's capture with kit.signatures.decode_image(field="customer_signature").


def customer_signature_image(data):
    return decode_image(data, field="customer_signature")


@pytest.mark.parametrize("data", [None, ""])
def test_an_order_without_the_customers_signature_is_refused(data):
    """R-RC-6: no work starts on an unsigned order."""
    with pytest.raises(DomainError) as exc:
        customer_signature_image(data)
    assert exc.value.field == "customer_signature"
    assert exc.value.code == "unsigned"


@pytest.mark.parametrize(
    "data",
    [
        "this is not base64!",
        "data:image/png;base64,@@@###",
        base64.b64encode(b"tiny").decode(),
        "data:,",
        "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff\xe0" + b"\0" * 64).decode(),
    ],
    ids=["not-base64", "bad-data-url", "too-short", "empty-data-url", "not-a-png"],
)
def test_a_garbage_signature_is_refused(data):
    """R-RC-6."""
    with pytest.raises(DomainError) as exc:
        customer_signature_image(data)
    assert exc.value.field == "customer_signature"
    assert exc.value.code == "bad_signature"


def test_a_png_data_url_signature_is_accepted_and_decoded():
    """R-RC-6."""
    image = customer_signature_image(SIGNATURE_PNG)
    assert image.startswith(PNG_MAGIC)
    assert image == base64.b64decode(SIGNATURE_PNG.split(",", 1)[1])


# --- mileage -----------------------------------------------------------------------------------


def test_mileage_lower_than_last_recorded_is_refused_naming_mileage_km():
    """R-RC-2: the mileage is read on the walk-around."""
    with pytest.raises(DomainError) as exc:
        check_mileage(35000, 35210)
    assert exc.value.field == "mileage_km"
    assert "35210" in exc.value.message


@pytest.mark.parametrize(("mileage", "last"), [(35210, 35210), (40000, 35210), (12, None)])
def test_equal_or_higher_mileage_or_a_first_visit_is_accepted(mileage, last):
    assert check_mileage(mileage, last) == mileage


def test_a_png_signature_sent_as_plain_base64_is_accepted():
    """R-RC-6."""
    image = customer_signature_image(SIGNATURE_PNG.split(",", 1)[1])
    assert image.startswith(PNG_MAGIC)
