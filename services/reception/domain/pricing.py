"""Pricing the order from the published list (R-RC-5) and the first delivery estimate, as plain functions."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from contracts.pricing import PriceBook
from contracts.repair_order import RepairOrder
from kit.errors import DomainError

__all__ = ["PriceBook", "price_lines", "promised_time", "totals", "yuan"]

CENT = Decimal("0.01")


def yuan(value) -> Decimal:
    """Round to the fen, half up, as a Chinese invoice does."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def price_lines(requested: list[dict], book: PriceBook | None) -> list[dict]:
    """R-RC-5: every line priced from the published price list: labour = standard hours x rate."""
    if book is None:
        raise DomainError(
            "No price list has been published by settlement yet; the order cannot be written", code="no_price_list"
        )
    lines = []
    for i, req in enumerate(requested, start=1):
        code = req["code"].strip().upper()
        at = f"lines[{i - 1}]"  # the offending input, for the UI
        if req["kind"] == "labour":
            if code not in book.labour:
                raise DomainError(
                    "Labour operation {operation} is not on the price list",
                    field=at + ".code",
                    operation=code,
                )
            name, hours = book.labour[code]
            quantity, unit_price = hours, book.labour_rate
        else:
            if code not in book.parts:
                raise DomainError("Part {part_no} is not on the price list", field=at + ".code", part_no=code)
            name, unit_price = book.parts[code]
            quantity = req.get("quantity")
            if quantity is None or quantity <= 0:
                raise DomainError("The part quantity must be greater than 0", field=at + ".quantity")
        lines.append(
            {
                "line_no": i,
                "kind": req["kind"],
                "code": code,
                "description": name,
                "quantity": quantity,
                "unit_price": unit_price,
                "amount": yuan(quantity * unit_price),
            }
        )
    if not lines:
        raise DomainError("The order needs at least one repair item", field="lines")
    return lines


def totals(lines: list[dict], vat_rate: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    subtotal = yuan(RepairOrder.of_lines(lines).net())
    vat = yuan(subtotal * vat_rate)
    return subtotal, vat, subtotal + vat


def promised_time(now: datetime, lines: list[dict]) -> datetime:
    """Delivery promise: the labour hours plus an hour for QC and washing, rounded up to the half hour.

    The workshop's real load comes into this with issue #5.
    """
    hours = RepairOrder.of_lines(lines).labour_hours() + 1
    ready = now + timedelta(minutes=int(hours * 60))
    half_hours = math.ceil((ready.timestamp()) / 1800)
    return datetime.fromtimestamp(half_hours * 1800, tz=now.tzinfo)
