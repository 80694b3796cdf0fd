"""The parts counter's page prints quantities as people write them (issue 17: `1E+3` on the page)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from kit.web import page, plain_quantity


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (Decimal("1E+3"), "1000"),
        (Decimal("4E+2"), "400"),
        (Decimal("0.5"), "0.5"),
        (Decimal("4.50"), "4.50"),
        (Decimal("1"), "1"),
        ("1E+1", "10"),
        (None, ""),
    ],
)
def test_a_quantity_prints_in_plain_notation(value, printed):
    assert plain_quantity(value) == printed


def test_the_parts_page_prints_stock_shelf_and_issued_quantities_without_an_exponent():
    now = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    html = page(
        "parts",
        "Parts stock and appointment shelf",
        "index.html",
        stock=[{"part_no": "P-WEIGHT", "name": "平衡块", "location": "MAIN", "quantity": Decimal("1E+3")}],
        reservations=[
            {
                "appointment_id": "a" * 36,
                "visit_id": "v1",
                "part_no": "P-WEIGHT",
                "quantity": Decimal("2E+1"),
                "status": "reserved",
                "reserved_at": now,
            }
        ],
        issues=[
            {
                "order_id": "o" * 36,
                "line_no": 2,
                "part_no": "P-WEIGHT",
                "quantity": Decimal("3E+1"),
                "from_location": "MAIN",
                "technician_id": "T001",
                "issued_at": now,
            }
        ],
    ).get_data(as_text=True)
    assert "E+" not in html
    for printed in (">1000<", ">20<", ">30<"):
        assert printed in html
