"""Billing's own tables (the published price list, signed quotes, inputs to the bill, invoices) and the
queries over them: the only module that knows their shape."""

import weakref
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


class PriceListDraft(Base):
    """A price list version being prepared by a clerk; a service manager (another person) publishes it."""

    __tablename__ = "price_list_drafts"
    version: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    effective_from = mapped_column(UtcDateTime, nullable=False)
    labour_rate = mapped_column(Money, nullable=False)
    vat_rate = mapped_column(Quantity, nullable=False)
    labour_operations: Mapped[list] = mapped_column(sa.JSON)
    parts: Mapped[list] = mapped_column(sa.JSON)
    prepared_by: Mapped[str] = mapped_column(sa.String(40))
    prepared_at = mapped_column(UtcDateTime, nullable=False)
    published_by: Mapped[str | None] = mapped_column(sa.String(40))


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
    # vehicle_ready's QC findings (R-QC-3): {"deferred_work", "wear", "finished_bay", "washed"}
    findings: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)


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
    # corrections (R-BL-1): variances a manager waived, a discount; pay types per line; the split per payer
    variances: Mapped[list | None] = mapped_column(sa.JSON, default=list)
    waived: Mapped[list | None] = mapped_column(sa.JSON, default=list)
    discount = mapped_column(Money, nullable=True)
    pay_type: Mapped[str | None] = mapped_column(sa.String(12), default="customer")  # the order's
    pay_types: Mapped[dict | None] = mapped_column(sa.JSON, default=dict)  # {"line_no": payer} set by the assessor
    bills: Mapped[dict | None] = mapped_column(sa.JSON, default=dict)  # {payer: totals}, one invoice per payer
    repair_kind: Mapped[str | None] = mapped_column(sa.String(24))


class PartsReturn(Base):
    """parts_returned (R-BL-3): unused parts back to stock; the bill is the parts issued less these."""

    __tablename__ = "parts_returns"
    return_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    lines: Mapped[list] = mapped_column(sa.JSON)  # [{"line_no", "part_no", "quantity"}]


class Correction(Base):
    """The invoice's audit trail: every adjustment, pay-type change and re-audit, by whom, why."""

    __tablename__ = "invoice_corrections"
    correction_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    invoice_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # adjustment | pay_type | warranty_claim | re_audit
    actor_id: Mapped[str] = mapped_column(sa.String(40))
    at = mapped_column(UtcDateTime, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class Payment(Base):
    """A payment taken at the cashier, or a refund (paid out only once a service manager approved it)."""

    __tablename__ = "payments"
    payment_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8))  # payment | refund
    amount = mapped_column(Money, nullable=False)
    method: Mapped[str] = mapped_column(sa.String(12))
    taken_by: Mapped[str] = mapped_column(sa.String(40))
    at = mapped_column(UtcDateTime, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    approved_by: Mapped[str | None] = mapped_column(sa.String(40))
    approved_at = mapped_column(UtcDateTime, nullable=True)


class WarrantyClaim(Base):
    """The maker's warranty claim for an order's warranty lines (VIN, mileage, failure code, labour, parts)."""

    __tablename__ = "warranty_claims"
    invoice_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    claim: Mapped[dict] = mapped_column(sa.JSON)
    approved_by: Mapped[str] = mapped_column(sa.String(40))
    approved_at = mapped_column(UtcDateTime, nullable=False)


class Delivery(Base):
    """The delivery checklist as signed off on the advisor's tablet (R-BL-2..6)."""

    __tablename__ = "deliveries"
    order_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    delivered_by: Mapped[str] = mapped_column(sa.String(40))
    override_reason: Mapped[str | None] = mapped_column(sa.String(200))
    checks: Mapped[dict] = mapped_column(sa.JSON)
    old_parts: Mapped[list] = mapped_column(sa.JSON)  # [{"line_no", "part_no", "quantity", "fate"}]
    waiver: Mapped[list] = mapped_column(sa.JSON)  # the declined safety work the customer signed for
    waiver_signature: Mapped[str | None] = mapped_column(sa.String(64))  # sha256 of the image (kit signatures)
    next_service: Mapped[dict] = mapped_column(sa.JSON)  # {"date", "km", "appointment_id"}
    delivered_at = mapped_column(UtcDateTime, nullable=False)


class GatePass(Base):
    """The gate pass 门证 issued at settlement (a signed token) and when the guard let the car out on it."""

    __tablename__ = "gate_passes"
    pass_no: Mapped[str] = mapped_column(sa.String(24), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    plate: Mapped[str] = mapped_column(sa.String(16))
    token: Mapped[str] = mapped_column(sa.String(200))
    issued_at = mapped_column(UtcDateTime, nullable=False)
    used_at = mapped_column(UtcDateTime, nullable=True)
    used_by: Mapped[str | None] = mapped_column(sa.String(40))


class GateAlert(Base):
    """A pass refused at the gate (forged, another plate, used twice): shown to the service manager."""

    __tablename__ = "gate_alerts"
    alert_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    plate: Mapped[str] = mapped_column(sa.String(16))
    token: Mapped[str] = mapped_column(sa.String(200))
    cause: Mapped[str] = mapped_column(sa.String(16))  # forged | other_plate | used
    guard_id: Mapped[str] = mapped_column(sa.String(40))
    at = mapped_column(UtcDateTime, nullable=False)


# --- queries ----------------------------------------------------------------------------------


class _Statements:
    """The queries a visit runs several times (each event rebuilds its bill), built once: built per call, their
    construction and cache keys cost more CPU than running them."""

    def __init__(self):
        order_id, version = sa.bindparam("order_id"), sa.bindparam("version")
        quotes = sa.select(SignedQuote).where(SignedQuote.order_id == order_id)
        self.latest_quote = quotes.order_by(SignedQuote.version.desc()).limit(1)
        self.quote_version = quotes.where(SignedQuote.version == version).limit(1)
        self.quotes = quotes.order_by(SignedQuote.version)
        self.invoice = sa.select(Invoice).where(Invoice.order_id == order_id)
        self.versions_and_work = (
            sa.select(SignedQuote, WorkDone)
            .select_from(Invoice)
            .outerjoin(SignedQuote, SignedQuote.order_id == Invoice.order_id)
            .outerjoin(WorkDone, WorkDone.order_id == Invoice.order_id)
            .where(Invoice.order_id == order_id)
            .order_by(SignedQuote.version)
        )
        self.locked_invoice = self.invoice.with_for_update()
        self.invoice_row = sa.select(Invoice.__table__).where(Invoice.__table__.c.order_id == order_id)
        self.parts_moved = sa.union_all(
            sa.select(sa.literal(0).label("returned"), PartsIssue.request_id.label("id"), PartsIssue.lines).where(
                PartsIssue.order_id == order_id
            ),
            sa.select(sa.literal(1), PartsReturn.return_id, PartsReturn.lines).where(PartsReturn.order_id == order_id),
        ).order_by("returned", "id")
        self.payments = sa.select(Payment).where(Payment.invoice_id == sa.bindparam("invoice_id")).order_by(Payment.at)
        self.corrections = (
            sa.select(Correction)
            .where(Correction.invoice_id == sa.bindparam("invoice_id"))
            .order_by(Correction.correction_id)
        )
        self.labour = sa.select(LabourOperation).where(LabourOperation.price_list_version == version)
        self.part_prices = sa.select(PartPrice).where(PartPrice.price_list_version == version)
        # the latest signed version of the invoice's order (as `quote(session, order_id, None)` reads it)
        latest = sa.and_(
            SignedQuote.order_id == Invoice.order_id,
            SignedQuote.version
            == sa.select(sa.func.max(SignedQuote.version))
            .where(SignedQuote.order_id == Invoice.order_id)
            .correlate(Invoice)
            .scalar_subquery(),
        )
        self.delivery_rows = (
            sa.select(Invoice, SignedQuote, WorkDone, Delivery)
            .outerjoin(SignedQuote, latest)
            .outerjoin(WorkDone, WorkDone.order_id == Invoice.order_id)
            .outerjoin(Delivery, Delivery.order_id == Invoice.order_id)
            .where(Invoice.order_id == order_id)
        )
        self.settlement_rows = (
            sa.select(Invoice, Delivery, WarrantyClaim, GatePass, SignedQuote)
            .outerjoin(Delivery, Delivery.order_id == Invoice.order_id)
            .outerjoin(WarrantyClaim, WarrantyClaim.invoice_id == Invoice.invoice_id)
            .outerjoin(GatePass, GatePass.invoice_id == Invoice.invoice_id)
            .outerjoin(SignedQuote, latest)
            .where(Invoice.invoice_id == sa.bindparam("invoice_id"))
        )


_STATEMENTS = _Statements()
# engine -> {version: PriceBook}: a published version never changes (publish_price_list refuses to publish a
# version twice, and nothing updates or deletes its rows), so each database's is read once per process
_BOOKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def price_book(session: Session, version: str) -> PriceBook | None:
    """One published version of the price list (None if it is not published), read once (see _BOOKS)."""
    books = _BOOKS.setdefault(session.get_bind(), {})
    book = books.get(version)
    if book is None:
        book = read_price_book(session, version)
        if book is not None:
            books[version] = book
    return book


def read_price_book(session: Session, version: str) -> PriceBook | None:
    price_list = session.get(PriceList, version)
    if price_list is None:
        return None
    labour = session.scalars(_STATEMENTS.labour, {"version": version})
    parts = session.scalars(_STATEMENTS.part_prices, {"version": version})
    return PriceBook(
        version=version,
        labour_rate=price_list.labour_rate,
        vat_rate=price_list.vat_rate,
        labour={op.code: (op.name, op.standard_hours) for op in labour},
        parts={p.part_no: (p.name, p.unit_price) for p in parts},
    )


def delivery_rows(session: Session, order_id: str):
    """(invoice, latest signed version, work done, delivery) of an order in one statement, the last three None
    when absent; None without an invoice."""
    return session.execute(_STATEMENTS.delivery_rows, {"order_id": order_id}).first()


def settlement_rows(session: Session, invoice_id: str):
    """(invoice, delivery, warranty claim, gate pass, latest signed version) in one statement, all but the invoice
    None when absent; None without the invoice."""
    return session.execute(_STATEMENTS.settlement_rows, {"invoice_id": invoice_id}).first()


def current_price_list(session: Session) -> PriceList | None:
    return session.scalars(sa.select(PriceList).order_by(PriceList.effective_from.desc()).limit(1)).first()


def quote(session: Session, order_id: str, version: int | None) -> SignedQuote | None:
    if version is None:
        return session.scalars(_STATEMENTS.latest_quote, {"order_id": order_id}).first()
    return session.scalars(_STATEMENTS.quote_version, {"order_id": order_id, "version": version}).first()


def versions_and_work(session: Session, order_id: str) -> tuple[list[SignedQuote], WorkDone | None]:
    """`quotes` and `work_done` of an order that has an invoice, in one statement."""
    rows = session.execute(_STATEMENTS.versions_and_work, {"order_id": order_id}).all()
    return [quote for quote, _ in rows if quote is not None], rows[0][1] if rows else None


def quotes(session: Session, order_id: str) -> list[SignedQuote]:
    """Every signed version billing holds for the order, oldest first (R-WS-3)."""
    return list(session.scalars(_STATEMENTS.quotes, {"order_id": order_id}))


def parts_moved(session: Session, order_id: str) -> tuple[list[dict], list[dict]]:
    """The lines of the order's parts issues and of its returns (R-BL-3), each in id order, in one statement."""
    moved: tuple[list[dict], list[dict]] = ([], [])
    for returned, _, lines in session.execute(_STATEMENTS.parts_moved, {"order_id": order_id}):
        moved[returned].extend({**line, "quantity": Decimal(line["quantity"])} for line in lines)
    return moved


def payments(session: Session, invoice_id: str) -> list[Payment]:
    return list(session.scalars(_STATEMENTS.payments, {"invoice_id": invoice_id}))


def corrections(session: Session, invoice_id: str) -> list[Correction]:
    return list(session.scalars(_STATEMENTS.corrections, {"invoice_id": invoice_id}))


def gate_alerts(session: Session, limit: int = 20) -> list[GateAlert]:
    return list(session.scalars(sa.select(GateAlert).order_by(GateAlert.alert_id.desc()).limit(limit)))


def work_done(session: Session, order_id: str) -> WorkDone | None:
    return session.get(WorkDone, order_id)


def invoice_for_order(session: Session, order_id: str, lock: bool = False) -> Invoice | None:
    """`lock`: the row locked (FOR UPDATE on PostgreSQL) until the transaction ends."""
    statement = _STATEMENTS.locked_invoice if lock else _STATEMENTS.invoice
    return session.scalars(statement, {"order_id": order_id}).first()


def invoice_row(session: Session, order_id: str):
    """The order's invoice as a row of its columns (attributes named as the entity's), or None."""
    return session.connection().execute(_STATEMENTS.invoice_row, {"order_id": order_id}).first()


def invoices(session: Session, page: int = 1, per_page: int = 50, q: str = "") -> Page:
    """Newest first; searchable by plate, customer name or order number."""
    query = sa.select(Invoice).order_by(Invoice.updated_at.desc())
    if q:
        query = query.where(contains(q, Invoice.plate, Invoice.customer_name, Invoice.order_id))
    return paginate(session, query, page, per_page)
