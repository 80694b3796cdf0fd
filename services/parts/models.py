"""Parts' own tables: the parts master, stock by location and its ledger, the appointment shelf, the counter's
queue and issues, purchase orders and backorders, returns, old parts and stock counts."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import service_base
from kit.price_list import PriceListCopyColumns
from kit.types import Money, Quantity, UtcDateTime

Base = service_base()

MAIN = "MAIN"  # the warehouse
APPOINTMENT_SHELF = "APPT-SHELF"  # 预约备件货架 (R-BK-6)
QUARANTINE = "QUARANTINE"  # old parts kept for a warranty claim (R-BL-3), counted apart from stock
LOCATIONS = (MAIN, APPOINTMENT_SHELF, QUARANTINE)


class Part(Base):
    """The parts master: number, names, unit and its precision, bin, supersession, min/max, cost."""

    __tablename__ = "parts"
    part_no: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    lead_time_days: Mapped[int] = mapped_column(default=3)
    name_en: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    unit: Mapped[str] = mapped_column(sa.String(8), default="pc", server_default="pc")  # pc | L
    precision: Mapped[int] = mapped_column(default=0, server_default="0")  # decimal places: pieces 0, litres 1
    bin: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    superseded_by: Mapped[str | None] = mapped_column(sa.String(40))  # the new number of an old part
    min_qty = mapped_column(Quantity, nullable=False, default=0, server_default="0")
    max_qty = mapped_column(Quantity, nullable=False, default=0, server_default="0")
    cost = mapped_column(Money, nullable=False, default=0, server_default="0")  # yuan per unit, at cost
    supplier: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    initials: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")  # pinyin: 机油 -> jy


class StockLevel(Base):
    __tablename__ = "stock_levels"
    __table_args__ = (sa.CheckConstraint("CAST(quantity AS NUMERIC) >= 0", name="ck_stock_levels_never_negative"),)
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"), primary_key=True)
    location: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    quantity = mapped_column(Quantity, nullable=False)


class Reservation(Base):
    """Parts set aside on the appointment shelf for one visit."""

    __tablename__ = "reservations"
    reservation_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    appointment_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    visit_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"))
    quantity = mapped_column(Quantity, nullable=False)  # still on the shelf
    status: Mapped[str] = mapped_column(sa.String(16), default="reserved")  # reserved | issued | released
    reserved_at = mapped_column(UtcDateTime, nullable=False)
    starts_at = mapped_column(UtcDateTime, nullable=True)  # the appointment's time: the pick list's order
    picked_at = mapped_column(UtcDateTime, nullable=True)  # the clerk confirmed the line on the shelf
    picked_by: Mapped[str | None] = mapped_column(sa.String(40))


class IssueRequest(Base):
    """A workshop request on the counter's queue (R-WS-2), with the signed order version it came with."""

    __tablename__ = "issue_requests"
    request_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_version: Mapped[int]
    visit_id: Mapped[str] = mapped_column(sa.String(40))
    technician_id: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(16), default="open")  # open | done
    requested_at = mapped_column(UtcDateTime, nullable=False)


class RequestLine(Base):
    """One signed part line a request asks for: what the customer signed and what was asked now."""

    __tablename__ = "request_lines"
    request_id: Mapped[str] = mapped_column(sa.ForeignKey("issue_requests.request_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(primary_key=True)
    part_no: Mapped[str] = mapped_column(sa.String(40))
    signed_quantity = mapped_column(Quantity, nullable=False)
    requested = mapped_column(Quantity, nullable=False)
    first_time_full: Mapped[bool | None]  # fill rate: issued in full at the first attempt


class IssueLine(Base):
    """A part handed to a technician against one line of a signed order (R-WS-2)."""

    __tablename__ = "issue_lines"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_version: Mapped[int]
    visit_id: Mapped[str] = mapped_column(sa.String(40))
    line_no: Mapped[int]
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"))
    quantity = mapped_column(Quantity, nullable=False)
    from_location: Mapped[str] = mapped_column(sa.String(20))
    technician_id: Mapped[str] = mapped_column(sa.String(40))
    issued_at = mapped_column(UtcDateTime, nullable=False)
    issued_by: Mapped[str | None] = mapped_column(sa.String(40))  # the clerk; None: issued automatically
    received_by: Mapped[str | None] = mapped_column(sa.String(40))  # the technician confirmed receipt
    received_at = mapped_column(UtcDateTime, nullable=True)


class StockMove(Base):
    """The stock ledger: every movement, with who, when, why and the document it belongs to."""

    __tablename__ = "stock_moves"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"))
    from_location: Mapped[str | None] = mapped_column(sa.String(20))
    to_location: Mapped[str | None] = mapped_column(sa.String(20))  # None: left stock (issued to a job)
    quantity = mapped_column(Quantity, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(40))
    reference: Mapped[str] = mapped_column(sa.String(80))
    moved_at = mapped_column(UtcDateTime, nullable=False)
    actor_id: Mapped[str | None] = mapped_column(sa.String(40))


class CancelledAppointment(Base):
    """Appointments booking has cancelled; a late `appointment_booked` for one of them changes nothing."""

    __tablename__ = "cancelled_appointments"
    appointment_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    cancelled_at = mapped_column(UtcDateTime, nullable=False)


class PurchaseOrder(Base):
    """An order placed with a supplier (a record: no supplier integration)."""

    __tablename__ = "purchase_orders"
    purchase_order_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    supplier: Mapped[str] = mapped_column(sa.String(80))
    expected_on = mapped_column(sa.Date, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")  # open | received
    created_at = mapped_column(UtcDateTime, nullable=False)


class Backorder(Base):
    """A shortage waiting for goods-in: for an appointment's shelf or a workshop request's signed line."""

    __tablename__ = "backorders"
    backorder_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    purchase_order_id: Mapped[str] = mapped_column(sa.ForeignKey("purchase_orders.purchase_order_id"), index=True)
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"))
    quantity = mapped_column(Quantity, nullable=False)
    allocated = mapped_column(Quantity, nullable=False, default=0)
    promised_at = mapped_column(UtcDateTime, nullable=False)  # when the car needs it: goods-in allocates by it
    appointment_id: Mapped[str | None] = mapped_column(sa.String(40))
    visit_id: Mapped[str | None] = mapped_column(sa.String(40))
    order_id: Mapped[str | None] = mapped_column(sa.String(40))
    request_id: Mapped[str | None] = mapped_column(sa.String(40))
    line_no: Mapped[int | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="waiting")  # waiting | allocated | released
    created_at = mapped_column(UtcDateTime, nullable=False)


class Receipt(Base):
    """Goods-in: one delivery received, its lines are the ledger's "receive" moves with this reference."""

    __tablename__ = "receipts"
    receipt_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    received_at = mapped_column(UtcDateTime, nullable=False)
    received_by: Mapped[str | None] = mapped_column(sa.String(40))


class PartsReturn(Base):
    """Unused parts back to stock against a signed order line (R-BL-3): a reversing ledger entry."""

    __tablename__ = "parts_returns"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    return_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_version: Mapped[int]
    line_no: Mapped[int]
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"))
    quantity = mapped_column(Quantity, nullable=False)
    returned_at = mapped_column(UtcDateTime, nullable=False)
    returned_by: Mapped[str | None] = mapped_column(sa.String(40))


class OldPart(Base):
    """R-BL-3: each issued part's old part and its fate, decided with the customer at delivery."""

    __tablename__ = "old_parts"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    line_no: Mapped[int]
    part_no: Mapped[str] = mapped_column(sa.String(40))
    quantity = mapped_column(Quantity, nullable=False)
    fate: Mapped[str] = mapped_column(sa.String(24))  # returned_to_customer | scrapped | kept_for_warranty
    decided_at = mapped_column(UtcDateTime, nullable=False)
    decided_by: Mapped[str] = mapped_column(sa.String(40))


class StockCount(Base):
    """A cycle count line; a variance moves stock only once the manager approves it."""

    __tablename__ = "stock_counts"
    count_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"))
    location: Mapped[str] = mapped_column(sa.String(20))
    expected = mapped_column(Quantity, nullable=False)
    counted = mapped_column(Quantity, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")  # pending | approved | rejected
    counted_by: Mapped[str | None] = mapped_column(sa.String(40))
    counted_at = mapped_column(UtcDateTime, nullable=False)
    decided_by: Mapped[str | None] = mapped_column(sa.String(40))
    decided_at = mapped_column(UtcDateTime, nullable=True)


class PriceListCopy(PriceListCopyColumns, Base):
    """Billing's published price list as parts last heard it (price_list_published): the master's retail prices."""
