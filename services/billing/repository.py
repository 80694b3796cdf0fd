"""Billing's persistence: the only module that knows its tables' shape."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kit.paging import Page, contains, paginate

from .domain import PriceBook
from .models import Invoice, LabourOperation, PartPrice, PartsIssue, PriceList, SignedQuote, WorkDone


def price_book(session: Session, version: str) -> PriceBook | None:
    price_list = session.get(PriceList, version)
    if price_list is None:
        return None
    labour = session.scalars(sa.select(LabourOperation).filter_by(price_list_version=version))
    parts = session.scalars(sa.select(PartPrice).filter_by(price_list_version=version))
    return PriceBook(
        version=version,
        labour_rate=price_list.labour_rate,
        vat_rate=price_list.vat_rate,
        labour={op.code: (op.name, op.standard_hours) for op in labour},
        parts={p.part_no: (p.name, p.unit_price) for p in parts},
    )


def current_price_list(session: Session) -> PriceList | None:
    return session.scalars(sa.select(PriceList).order_by(PriceList.effective_from.desc()).limit(1)).first()


def quote(session: Session, order_id: str, version: int | None) -> SignedQuote | None:
    query = sa.select(SignedQuote).filter_by(order_id=order_id)
    if version is not None:
        query = query.filter_by(version=version)
    return session.scalars(query.order_by(SignedQuote.version.desc()).limit(1)).first()


def quotes(session: Session, order_id: str) -> list[SignedQuote]:
    """Every signed version billing holds for the order, oldest first (R-WS-3)."""
    return list(session.scalars(sa.select(SignedQuote).filter_by(order_id=order_id).order_by(SignedQuote.version)))


def parts_issued(session: Session, order_id: str) -> list[dict]:
    lines = []
    for issue in session.scalars(sa.select(PartsIssue).filter_by(order_id=order_id).order_by(PartsIssue.request_id)):
        lines += [{**line, "quantity": Decimal(line["quantity"])} for line in issue.lines]
    return lines


def work_done(session: Session, order_id: str) -> WorkDone | None:
    return session.get(WorkDone, order_id)


def invoice_for_order(session: Session, order_id: str) -> Invoice | None:
    return session.scalars(sa.select(Invoice).filter_by(order_id=order_id)).first()


def invoices(session: Session, page: int = 1, per_page: int = 50, q: str = "") -> Page:
    """Newest first; searchable by plate, customer name or order number."""
    query = sa.select(Invoice).order_by(Invoice.updated_at.desc())
    if q:
        query = query.where(contains(q, Invoice.plate, Invoice.customer_name, Invoice.order_id))
    return paginate(session, query, page, per_page)
