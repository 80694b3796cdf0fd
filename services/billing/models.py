"""Billing's own tables (the published price list, signed quotes, inputs to the bill, invoices) and the
queries over them: the only module that knows their shape."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column

from contracts.pricing import PriceBook
from kit.db import service_base
from kit.paging import Page, contains, paginate
from kit.types import Money, Quantity, UtcDateTime

Base = service_base()


class PriceList(Base):
    __tablename__ = "price_lists"
    version: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    effective_from = mapped_column(UtcDateTime, nullable=False)
    labour_rate = mapped_column(Money, nullable=False)
    vat_rate = mapped_column(Quantity, nullable=False)
    published_at = mapped_column(UtcDateTime, nullable=False)


class LabourOperation(Base):
    __tablename__ = "labour_operations"
    price_list_version: Mapped[str] = mapped_column(sa.ForeignKey("price_lists.version"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    standard_hours = mapped_column(Quantity, nullable=False)


class PartPrice(Base):
    __tablename__ = "part_prices"
    price_list_version: Mapped[str] = mapped_column(sa.ForeignKey("price_lists.version"), primary_key=True)
    part_no: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    unit_price = mapped_column(Money, nullable=False)


class SignedQuote(Base):
    """A signed order version as reception emitted it (the quote the customer signed)."""

    __tablename__ = "signed_quotes"
    order_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    signed: Mapped[dict] = mapped_column(sa.JSON)  # {"order": body, "signature", "key_id"}
    received_at = mapped_column(UtcDateTime, nullable=False)


class PartsIssue(Base):
    __tablename__ = "parts_issues"
    request_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    lines: Mapped[list] = mapped_column(sa.JSON)  # [{"line_no", "part_no", "quantity"}]


class WorkDone(Base):
    __tablename__ = "work_done"
    order_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_version: Mapped[int]
    jobs: Mapped[list] = mapped_column(sa.JSON)
    parts_used: Mapped[list] = mapped_column(sa.JSON)
    inspector_id: Mapped[str] = mapped_column(sa.String(40))
    ready_at = mapped_column(UtcDateTime, nullable=False)


class Invoice(Base):
    __tablename__ = "invoices"
    invoice_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    visit_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    status: Mapped[str] = mapped_column(sa.String(16))  # waiting | blocked | ready | paid
    waiting_for: Mapped[list] = mapped_column(sa.JSON, default=list)
    problems: Mapped[list] = mapped_column(sa.JSON, default=list)
    lines: Mapped[list] = mapped_column(sa.JSON, default=list)
    subtotal = mapped_column(Money, nullable=True)
    vat = mapped_column(Money, nullable=True)
    total = mapped_column(Money, nullable=True)
    advisor_id: Mapped[str | None] = mapped_column(sa.String(40))
    plate: Mapped[str | None] = mapped_column(sa.String(16))
    customer_name: Mapped[str | None] = mapped_column(sa.String(80))
    updated_at = mapped_column(UtcDateTime, nullable=False)
    paid_at = mapped_column(UtcDateTime, nullable=True)
    paid_amount = mapped_column(Money, nullable=True)
    payment_method: Mapped[str | None] = mapped_column(sa.String(20))
    cashier_id: Mapped[str | None] = mapped_column(sa.String(40))
    gate_pass_no: Mapped[str | None] = mapped_column(sa.String(20))
    order_version: Mapped[int | None]  # the signed version the bill was audited against (R-BL-1, R-WS-3)


# --- queries ----------------------------------------------------------------------------------


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
