"""The repair order as a value (contracts.repair_order): pure, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from contracts import ContractError
from contracts.repair_order import OrderLine, RepairOrder
from kit.extensions import refused_for_good

SHA = "a" * 64


def body(**overrides) -> dict:
    """A signed version's body as it travels in JSON (strings for amounts)."""
    return {
        "order_id": "o-1",
        "version": 1,
        "vat_rate": "0.13",
        "signed_at": "2026-11-28T02:00:00+00:00",
        "lines": [
            {"line_no": 1, "kind": "labour", "code": "LAB-OIL", "description": "更换机油", "quantity": "0.5",
             "unit_price": "300.00", "amount": "150.00"},
            {"line_no": 2, "kind": "part", "code": "P-OIL-5W30", "description": "机油", "quantity": "1",
             "unit_price": "320.00", "amount": "320.00"},
            {"line_no": 3, "kind": "labour", "code": "LAB-BRAKE", "description": "刹车", "quantity": "1.2",
             "unit_price": "300.00", "amount": "360.00"},
        ],
        **overrides,
    }  # fmt: skip


def test_the_labour_hours_of_an_order_are_the_standard_hours_of_its_labour_lines_only():
    # R-RC-5: labour = standard hours x rate; parts add no hours
    assert RepairOrder.from_body(body()).labour_hours() == Decimal("1.7")


def test_the_labour_hours_of_a_subset_of_lines_count_only_those_lines():
    # R-WS-3: the hours an amendment adds are those of the lines the customer accepted
    order = RepairOrder.from_body(body())
    assert order.labour_hours([3]) == Decimal("1.2")
    assert order.labour_hours([2]) == Decimal("0")
    assert order.labour_hours([]) == Decimal("0")


def test_requested_lines_without_a_quantity_count_no_hours():
    order = RepairOrder.of_lines([{"kind": "labour", "code": "LAB-OIL"}, {"kind": "part", "code": "P", "quantity": 2}])
    assert order.labour_hours() == Decimal("0")
    assert order.lines[1].quantity == Decimal("2")


def test_totals_by_kind_split_labour_and_parts_before_vat():
    order = RepairOrder.from_body(body())
    assert order.totals_by_kind() == {"labour": Decimal("510.00"), "part": Decimal("320.00")}
    assert order.net() == Decimal("830.00")
    assert order.totals_by_kind([2]) == {"labour": Decimal("0"), "part": Decimal("320.00")}


def test_an_order_read_from_its_body_knows_its_version_last_line_and_jobs():
    order = RepairOrder.from_body(body())
    assert (order.order_id, order.version, order.last_line_no, order.signed) == ("o-1", 1, 3, True)
    assert order.vat_rate == Decimal("0.13")
    assert order.amends is None
    assert order.has_job("part", "P-OIL-5W30") and not order.has_job("labour", "P-OIL-5W30")
    assert RepairOrder.of_lines([]).last_line_no == 0


def test_a_line_is_a_frozen_value():
    line = OrderLine.from_dict({"kind": "labour", "code": "LAB-OIL", "quantity": "0.5"})
    assert line.is_labour and line.key == ("labour", "LAB-OIL")
    with pytest.raises(AttributeError):
        line.quantity = Decimal("1")  # type: ignore[misc]


def amended_payload(**overrides) -> dict:
    return {"version": 2, "previous_version": 1, "previous_sha256": SHA, **overrides}


def test_an_order_amended_payload_that_agrees_with_the_signed_version_is_accepted():
    # R-WS-3: version 2 names version 1 and its SHA-256
    RepairOrder.from_body(body(version=2, amends={"version": 1, "sha256": SHA})).check_amends(amended_payload())


@pytest.mark.parametrize(
    ("order_overrides", "payload_overrides"),
    [
        ({"version": 2, "amends": {"version": 1, "sha256": SHA}}, {"version": 3}),
        ({"version": 2, "amends": {"version": 1, "sha256": SHA}}, {"previous_version": 2}),
        ({"version": 2, "amends": {"version": 1, "sha256": SHA}}, {"previous_sha256": "b" * 64}),
        ({"version": 2}, {}),  # a version that amends nothing cannot be an amendment
    ],
)
def test_an_order_amended_payload_that_disagrees_with_the_signed_version_is_refused_for_good(
    order_overrides, payload_overrides
):
    # R-WS-3: the envelope must say what the signed version it carries says
    order = RepairOrder.from_body(body(**order_overrides))
    with pytest.raises(ContractError) as refused:
        order.check_amends(amended_payload(**payload_overrides))
    assert refused_for_good(refused.value)  # workshop's and billing's consumers dead-letter it at once
