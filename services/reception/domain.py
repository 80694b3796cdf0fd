"""Reception rules as plain functions: pricing the order from the published list (R-RC-5), signing (R-RC-6)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal

from contracts.pricing import PriceBook
from kit.errors import DomainError
from kit.types import yuan


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
    subtotal = yuan(sum((line["amount"] for line in lines), Decimal("0")))
    vat = yuan(subtotal * vat_rate)
    return subtotal, vat, subtotal + vat


def promised_time(now: datetime, lines: list[dict]) -> datetime:
    """Delivery promise: the labour hours plus an hour for QC and washing, rounded up to the half hour.

    The workshop's real load comes into this with issue #5.
    """
    hours = sum((line["quantity"] for line in lines if line["kind"] == "labour"), Decimal("0")) + 1
    ready = now + timedelta(minutes=int(hours * 60))
    half_hours = math.ceil((ready.timestamp()) / 1800)
    return datetime.fromtimestamp(half_hours * 1800, tz=now.tzinfo)


def check_mileage(mileage_km: int, last_km: int | None) -> int:
    if last_km is not None and mileage_km < last_km:
        raise DomainError(
            "Mileage cannot be lower than the last reading of {last_km} km",
            field="mileage_km",
            code="mileage_lower",
            last_km=last_km,
        )
    return mileage_km


def arrivals_by_local_day(arrivals: list[dict], now: datetime, tz: tzinfo) -> tuple[list[dict], list[dict]]:
    """(today's, other days') expected arrivals: "booked arrivals today" are those whose appointment falls on
    the dealership's local calendar day of `now` (Asia/Shanghai), not on UTC's, nor tomorrow's."""
    today = now.astimezone(tz).date()
    on_day = [a for a in arrivals if a["starts_at"].astimezone(tz).date() == today]
    return on_day, [a for a in arrivals if a["starts_at"].astimezone(tz).date() != today]
