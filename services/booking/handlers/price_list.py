"""Booking's copy of the published price list, so the desk prices phone estimates while billing is away."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from contracts import Envelope
from contracts.pricing import PriceBook
from kit import price_list

from ..models import PriceListCopy


def take_price_list(uow, event: Envelope) -> None:
    """price_list_published -> booking's own copy, so the desk prices phone estimates while billing is away."""
    price_list.take(uow, event, PriceListCopy)


def current_price_book(session, now: datetime | None = None) -> PriceBook | None:
    """The newest published version in force (effective_from not in the future): kit.price_list.current, its
    row read as columns by a statement built once."""
    if now is None:
        row = session.execute(_NEWEST).first()
    else:
        row = session.execute(_IN_FORCE, {"now": now}).first()
    return None if row is None else price_list.book_of(row)


_T = PriceListCopy.__table__.c
_NEWEST = (
    sa.select(_T.version, _T.labour_rate, _T.vat_rate, _T.labour, _T.parts).order_by(_T.effective_from.desc()).limit(1)
)
_IN_FORCE = _NEWEST.where(_T.effective_from <= sa.bindparam("now", type_=_T.effective_from.type))
