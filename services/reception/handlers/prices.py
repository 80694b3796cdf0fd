"""Reception's copy of the published price list (works while settlement is down)."""

from __future__ import annotations

import weakref

import sqlalchemy as sa

from contracts import Envelope
from kit import price_list

from ..domain.pricing import PriceBook
from ..models import PriceListCopy
from .visits import rows_of


def take_price_list(uow, event: Envelope) -> None:
    """price_list_published -> the local copy reception prices orders from (works while billing is down)."""
    price_list.take(uow, event, PriceListCopy)


_CURRENT_VERSION = (  # built once: every order written and every promise asked reads it
    sa.select(PriceListCopy.version).order_by(PriceListCopy.effective_from.desc()).limit(1)
)
# A published version never changes (kit.price_list.take keeps the first copy of a version), so each database's
# books are built once per process: a price list is then one short read, not its whole row decoded again.
_BOOKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> {version: PriceBook}


def current_price_book(session) -> PriceBook | None:
    version = session.scalar(_CURRENT_VERSION)
    return None if version is None else _book(session, version)


def price_book_for(session, visit_id: str) -> PriceBook | None:
    """`current_price_book`, as the visit's rows were read with it (handlers/visits.py): no statement of its own."""
    rows = rows_of(session, visit_id)
    if rows is None:
        return current_price_book(session)
    return book_of_version(session, rows.price_list_version)


def book_of_version(session, version: str | None) -> PriceBook | None:
    """The book of the price list `version` read as in force (None: no price list yet)."""
    return None if version is None else _book(session, version)


def _book(session, version: str) -> PriceBook | None:
    books = _BOOKS.setdefault(session.get_bind(), {})
    if version not in books:
        books[version] = price_list.version(session, PriceListCopy, version)
    return books[version]


def price_book(session, version: str) -> PriceBook | None:
    """Reception's copy of one published price-list version (the one the order was priced from)."""
    return price_list.version(session, PriceListCopy, version)
