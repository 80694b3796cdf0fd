"""The published price list as a value, held the same way by billing (which publishes it) and by
the services that price from their copy of `price_list_published` (reception)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PriceBook:
    """One published version of the price list."""

    version: str
    labour_rate: Decimal
    vat_rate: Decimal
    labour: dict[str, tuple[str, Decimal]]  # code -> (name, standard hours)
    parts: dict[str, tuple[str, Decimal]]  # part_no -> (name, unit price)
