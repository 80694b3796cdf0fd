"""Billing's own tables: the published price list, signed quotes, inputs to the bill, invoices."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import service_base
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
