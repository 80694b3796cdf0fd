"""Shortages and goods-in: a shortage becomes a backorder on a purchase order (parts_backordered); a delivery
received against purchase orders is allocated to waiting backorders by promised time (parts_received), and
workshop requests among them are issued at once (parts_issued)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from contracts import names
from kit.errors import DomainError

from .. import domain
from ..models import (
    APPOINTMENT_SHELF,
    MAIN,
    Backorder,
    IssueLine,
    IssueRequest,
    PurchaseOrder,
    Receipt,
    RequestLine,
    Reservation,
)
from . import ledger

DEFAULT_SUPPLIER = "主机厂配件中心"  # the manufacturer's parts centre


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10].upper()}"


def backorder(
    uow,
    lines: list[tuple[str, Decimal, int | None]],
    *,
    promised_at: datetime,
    appointment_id: str | None = None,
    visit_id: str | None = None,
    order_id: str | None = None,
    request_id: str | None = None,
    supplier: str | None = None,
    expected_on: date | None = None,
) -> list[Backorder]:
    """Each short line (part_no, quantity, signed line_no) becomes a backorder on a purchase order of its part's
    supplier, expected after the part's lead time (or on the date the clerk agreed with the supplier); each is
    announced on its own (parts_backordered with its expected date)."""
    session = uow.session
    today = uow.clock().date()
    created: list[Backorder] = []
    for part_no, quantity, line_no in lines:
        part = ledger.part(session, part_no)
        who = (supplier or part.supplier or DEFAULT_SUPPLIER).strip()[:80]
        when = expected_on or today + timedelta(days=part.lead_time_days)
        po = session.scalars(sa.select(PurchaseOrder).filter_by(supplier=who, expected_on=when, status="open")).first()
        if po is None:  # one open purchase order per supplier and delivery date collects the shortages
            po = PurchaseOrder(
                purchase_order_id=_id("PO"), supplier=who, expected_on=when, status="open", created_at=uow.clock()
            )
            session.add(po)
            session.flush()
        row = Backorder(
            backorder_id=_id("BO"),
            purchase_order_id=po.purchase_order_id,
            part_no=part.part_no,
            quantity=quantity,
            allocated=Decimal("0"),
            promised_at=promised_at,
            appointment_id=appointment_id,
            visit_id=visit_id,
            order_id=order_id,
            request_id=request_id,
            line_no=line_no,
            status="waiting",
            created_at=uow.clock(),
        )
        session.add(row)
        session.flush()
        created.append(row)
        uow.emit(
            names.PARTS_BACKORDERED,
            {
                "backorder_id": row.backorder_id,
                "purchase_order_id": po.purchase_order_id,
                "appointment_id": appointment_id,
                "order_id": order_id,
                "request_id": request_id,
                "lines": [{"part_no": row.part_no, "quantity": quantity, "expected_on": when, "line_no": line_no}],
            },
            correlation_id=visit_id or appointment_id or order_id,
        )
    return created


def release_backorders(uow, appointment_id: str) -> None:
    """A cancelled or no-show appointment waits for nothing any more."""
    for row in uow.session.scalars(sa.select(Backorder).filter_by(appointment_id=appointment_id, status="waiting")):
        row.status = "released"


def goods_in(uow, lines: list[tuple[str, Decimal]], purchase_order_ids: list[str]) -> Receipt:
    """A delivery received (scanned) against purchase orders: into the main store, then allocated to waiting
    backorders in order of promised time; appointment backorders go onto the shelf, workshop requests are
    issued at once and their jobs resume."""
    session = uow.session
    for po_id in purchase_order_ids:
        if session.get(PurchaseOrder, po_id) is None:
            raise DomainError("Unknown purchase order {po}", field="purchase_order_ids", po=po_id[:40])
    receipt = Receipt(receipt_id=_id("GR"), received_at=uow.clock(), received_by=uow.actor_id)
    session.add(receipt)
    received: dict[str, Decimal] = {}
    for part_no, quantity in lines:
        part = ledger.part(session, part_no)
        amount = domain.quantity(quantity, precision=part.precision)
        ledger.move(uow, part.part_no, amount, None, MAIN, "receive", receipt.receipt_id)
        received[part.part_no] = received.get(part.part_no, Decimal("0")) + amount
    waiting_rows = {
        row.backorder_id: row
        for row in session.scalars(
            sa.select(Backorder).where(Backorder.status == "waiting", Backorder.part_no.in_(set(received)))
        )
    }
    waiting = []
    for r in waiting_rows.values():
        outstanding = r.quantity - r.allocated
        if r.request_id:  # R-WS-2: never beyond what the signed line still needs (it may have been filled since)
            outstanding = min(outstanding, _still_due(session, r))
            if outstanding <= 0:
                r.status = "released"
                continue
        waiting.append(domain.Waiting(r.backorder_id, r.part_no, outstanding, r.promised_at))
    plan = domain.allocate(received, waiting)
    allocated = []
    for backorder_id, part_no, quantity in plan:
        row = waiting_rows[backorder_id]
        row.allocated = row.allocated + quantity
        if row.allocated >= row.quantity:
            row.status = "allocated"
        if row.request_id:
            _issue_allocated(uow, row, quantity)
        else:
            ledger.move(uow, part_no, quantity, MAIN, APPOINTMENT_SHELF, "reserve", row.appointment_id or "")
            session.add(
                Reservation(
                    appointment_id=row.appointment_id,
                    visit_id=row.visit_id or "",
                    part_no=part_no,
                    quantity=quantity,
                    reserved_at=uow.clock(),
                    starts_at=row.promised_at,
                )
            )
        allocated.append(
            {
                "backorder_id": backorder_id,
                "part_no": part_no,
                "quantity": quantity,
                "appointment_id": row.appointment_id,
                "order_id": row.order_id,
                "request_id": row.request_id,
                "line_no": row.line_no,
            }
        )
    for po_id in purchase_order_ids:
        session.get(PurchaseOrder, po_id).status = "received"
    first = waiting_rows[plan[0][0]] if plan else None
    uow.emit(
        names.PARTS_RECEIVED,
        {
            "receipt_id": receipt.receipt_id,
            "purchase_order_ids": purchase_order_ids,
            "received_at": receipt.received_at,
            "allocated": allocated,
        },
        correlation_id=(first.visit_id or first.appointment_id) if first else receipt.receipt_id,
    )
    return receipt


def _still_due(session, row: Backorder) -> Decimal:
    line = session.get(RequestLine, (row.request_id, row.line_no))
    if line is None:
        return Decimal("0")
    return line.signed_quantity - ledger.issued_by_line(session, row.order_id).get(row.line_no, Decimal("0"))


def attach_to_request(waiting: list[Backorder], request: IssueRequest, line_no: int, part_no: str) -> None:
    """The visit's short shelf reservation is on order already: its waiting backorder now serves the workshop
    request's signed line, so goods-in issues it straight to the job (and it is not ordered twice).

    `waiting`: the visit's waiting backorders that serve no request yet (of the request's parts); the first line
    of a part takes them all."""
    for row in waiting:
        if row.part_no == part_no and row.request_id is None:
            row.order_id, row.request_id, row.line_no = request.order_id, request.request_id, line_no


def waiting_for(session, order_id: str, line_no: int) -> Decimal:
    """What waiting backorders of a signed order line will still bring."""
    rows = session.scalars(sa.select(Backorder).filter_by(order_id=order_id, line_no=line_no, status="waiting"))
    return sum((r.quantity - r.allocated for r in rows), Decimal("0"))


def expected_on(session, order_id: str, line_no: int) -> date | None:
    """When the first waiting backorder of a signed order line is expected (its purchase order's date)."""
    return session.scalar(
        sa.select(sa.func.min(PurchaseOrder.expected_on))
        .join(Backorder, Backorder.purchase_order_id == PurchaseOrder.purchase_order_id)
        .where(Backorder.order_id == order_id, Backorder.line_no == line_no, Backorder.status == "waiting")
    )


def _issue_allocated(uow, row: Backorder, quantity: Decimal) -> None:
    request = uow.session.get(IssueRequest, row.request_id)
    ledger.move(uow, row.part_no, quantity, MAIN, None, "issue", f"{row.order_id}#{row.line_no}")
    uow.session.add(
        IssueLine(
            request_id=request.request_id,
            order_id=request.order_id,
            order_version=request.order_version,
            visit_id=request.visit_id,
            line_no=row.line_no,
            part_no=row.part_no,
            quantity=quantity,
            from_location=MAIN,
            technician_id=request.technician_id,
            issued_at=uow.clock(),
            issued_by=uow.actor_id,
        )
    )
    uow.emit(
        names.PARTS_ISSUED,
        {
            "request_id": request.request_id,
            "order_id": request.order_id,
            "order_version": request.order_version,
            "lines": [{"line_no": row.line_no, "part_no": row.part_no, "quantity": quantity, "from_location": MAIN}],
        },
        correlation_id=request.visit_id,
    )


def purchase_orders(session) -> list[dict]:
    pos = list(session.scalars(sa.select(PurchaseOrder).order_by(PurchaseOrder.expected_on, PurchaseOrder.created_at)))
    rows = list(session.scalars(sa.select(Backorder).order_by(Backorder.promised_at)))
    return [
        {
            "purchase_order_id": po.purchase_order_id,
            "supplier": po.supplier,
            "expected_on": po.expected_on,
            "status": po.status,
            "backorders": [backorder_view(b) for b in rows if b.purchase_order_id == po.purchase_order_id],
        }
        for po in pos
    ]


def backorder_view(b: Backorder) -> dict:
    return {
        "backorder_id": b.backorder_id,
        "purchase_order_id": b.purchase_order_id,
        "part_no": b.part_no,
        "quantity": b.quantity,
        "allocated": b.allocated,
        "promised_at": b.promised_at,
        "appointment_id": b.appointment_id,
        "order_id": b.order_id,
        "request_id": b.request_id,
        "line_no": b.line_no,
        "status": b.status,
    }


def backorders(session, appointment_id: str | None = None, order_id: str | None = None) -> list[dict]:
    query = sa.select(Backorder).order_by(Backorder.promised_at)
    if appointment_id:
        query = query.filter_by(appointment_id=appointment_id)
    if order_id:
        query = query.filter_by(order_id=order_id)
    return [backorder_view(b) for b in session.scalars(query)]
