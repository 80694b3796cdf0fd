"""Booking's copy of the published price list, so the desk prices phone estimates while billing is away."""

from __future__ import annotations

from datetime import datetime

from contracts import Envelope
from contracts.pricing import PriceBook
from kit import price_list

from ..models import PriceListCopy


def take_price_list(uow, event: Envelope) -> None:
    """price_list_published -> booking's own copy, so the desk prices phone estimates while billing is away."""
    price_list.take(uow, event, PriceListCopy)


def current_price_book(session, now: datetime | None = None) -> PriceBook | None:
    """The newest published version in force (effective_from not in the future)."""
    return price_list.current(session, PriceListCopy, now)
