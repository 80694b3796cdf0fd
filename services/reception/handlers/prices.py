"""Reception's copy of the published price list (works while settlement is down)."""

from __future__ import annotations

from contracts import Envelope
from kit import price_list

from ..domain.pricing import PriceBook
from ..models import PriceListCopy


def take_price_list(uow, event: Envelope) -> None:
    """price_list_published -> the local copy reception prices orders from (works while billing is down)."""
    price_list.take(uow, event, PriceListCopy)


def current_price_book(session) -> PriceBook | None:
    return price_list.current(session, PriceListCopy)


def price_book(session, version: str) -> PriceBook | None:
    """Reception's copy of one published price-list version (the one the order was priced from)."""
    return price_list.version(session, PriceListCopy, version)
