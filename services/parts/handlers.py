"""Parts' use cases: reserve on the appointment shelf, issue against signed order lines."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope, names

from . import domain
from .models import (
    APPOINTMENT_SHELF,
    MAIN,
    CancelledAppointment,
    IssueLine,
    Part,
    Reservation,
    StockLevel,
    StockMove,
)


def reserve_for_appointment(uow, event: Envelope) -> None:
    """appointment_booked -> planned parts moved to the appointment shelf, or a shortage with a date."""
    booked = event.payload
    if not booked["planned_parts"] or uow.session.get(CancelledAppointment, booked["appointment_id"]):
        return
    session = uow.session
    planned = [(p["part_no"], p["quantity"]) for p in booked["planned_parts"]]
    part_nos = {part_no for part_no, _ in planned}
    plan = domain.plan_reservation(
        planned,
        _levels(session, part_nos, MAIN),
        {p.part_no: p.lead_time_days for p in session.scalars(sa.select(Part).where(Part.part_no.in_(part_nos)))},
        uow.clock().date(),
    )
    for part_no, quantity in plan.reserved:
        _move(uow, part_no, quantity, MAIN, APPOINTMENT_SHELF, "reserve", booked["appointment_id"])
        session.add(
            Reservation(
                appointment_id=booked["appointment_id"],
                visit_id=booked["visit_id"],
                part_no=part_no,
                quantity=quantity,
                reserved_at=uow.clock(),
            )
        )
    reserved = [{"part_no": p, "quantity": q} for p, q in plan.reserved]
    if plan.short:
        uow.emit(
            names.PARTS_SHORT,
            {
                "appointment_id": booked["appointment_id"],
                "reserved": reserved,
                "short": [{"part_no": p, "quantity_short": q, "expected_on": d} for p, q, d in plan.short],
            },
        )
    else:
        uow.emit(names.PARTS_RESERVED, {"appointment_id": booked["appointment_id"], "reserved": reserved})


def release_for_cancelled(uow, event: Envelope) -> None:
    """appointment_cancelled -> what waits on the appointment shelf goes back to the warehouse."""
    appointment_id = event.payload["appointment_id"]
    session = uow.session
    if session.get(CancelledAppointment, appointment_id) is None:
        session.add(CancelledAppointment(appointment_id=appointment_id, cancelled_at=uow.clock()))
    for reservation in session.scalars(
        sa.select(Reservation).filter_by(appointment_id=appointment_id, status="reserved")
    ):
        _move(uow, reservation.part_no, reservation.quantity, APPOINTMENT_SHELF, MAIN, "release", appointment_id)
        reservation.status = "released"


def move_for_rescheduled(uow, event: Envelope) -> None:
    """appointment_rescheduled -> the parts stay on the appointment shelf for the same visit, now at its new
    time: each held line is moved in the stock ledger (shelf to shelf, reason "reschedule") so the counter
    sees the new date instead of releasing and reserving again."""
    moved = event.payload
    appointment_id = moved["appointment_id"]
    reference = f"{appointment_id}@{moved['starts_at'].astimezone(UTC).strftime('%Y-%m-%dT%H:%MZ')}"
    for reservation in uow.session.scalars(
        sa.select(Reservation).filter_by(appointment_id=appointment_id, status="reserved")
    ):
        _move(
            uow,
            reservation.part_no,
            reservation.quantity,
            APPOINTMENT_SHELF,
            APPOINTMENT_SHELF,
            "reschedule",
            reference,
        )


def release_for_no_show(uow, event: Envelope) -> None:
    """appointment_no_show -> the customer did not come: the shelf is released as for a cancellation, and a
    late appointment_booked for it reserves nothing."""
    release_for_cancelled(uow, event)


def issue_against_order(uow, event: Envelope, verify) -> None:
    """parts_requested -> parts handed out, only for lines of the signed order it carries (R-WS-2)."""
    request = event.payload
    order = verify(event.raw_payload["signed_order"])  # a tampered or unsigned order is refused here
    session = uow.session
    order_lines = order["lines"]
    part_nos = {line["code"] for line in order_lines if line["kind"] == "part"}
    already: dict[int, Decimal] = {}
    for line in session.scalars(sa.select(IssueLine).filter_by(order_id=order["order_id"])):
        already[line.line_no] = already.get(line.line_no, Decimal("0")) + line.quantity
    reservations = list(
        session.scalars(sa.select(Reservation).filter_by(visit_id=order["visit_id"], status="reserved"))
    )
    on_shelf: dict[str, Decimal] = {}
    for r in reservations:
        on_shelf[r.part_no] = on_shelf.get(r.part_no, Decimal("0")) + r.quantity
    plan = domain.plan_issue(
        order_lines,
        [(line["line_no"], line["quantity"]) for line in request["lines"]],
        already,
        on_shelf,
        _levels(session, part_nos, MAIN),
        APPOINTMENT_SHELF,
        MAIN,
    )
    now = uow.clock()
    for line_no, part_no, quantity, location in plan.issue:
        _move(uow, part_no, quantity, location, None, "issue", f"{order['order_id']}#{line_no}")
        if location == APPOINTMENT_SHELF:
            _draw_reservations(reservations, part_no, quantity)
        session.add(
            IssueLine(
                request_id=request["request_id"],
                order_id=order["order_id"],
                order_version=order["version"],
                visit_id=order["visit_id"],
                line_no=line_no,
                part_no=part_no,
                quantity=quantity,
                from_location=location,
                technician_id=request["technician_id"],
                issued_at=now,
            )
        )
    if plan.issue:
        uow.emit(
            names.PARTS_ISSUED,
            {
                "request_id": request["request_id"],
                "order_id": order["order_id"],
                "order_version": order["version"],
                "lines": [
                    {"line_no": n, "part_no": p, "quantity": q, "from_location": loc} for n, p, q, loc in plan.issue
                ],
            },
        )
    if plan.refused:
        uow.emit(
            names.PARTS_ISSUE_REFUSED,
            {
                "request_id": request["request_id"],
                "order_id": order["order_id"],
                "lines": [{"line_no": n, "reason": reason} for n, reason in plan.refused],
            },
        )


def _draw_reservations(reservations: list[Reservation], part_no: str, quantity: Decimal) -> None:
    for r in reservations:
        if r.part_no != part_no or quantity <= 0:
            continue
        take = min(r.quantity, quantity)
        r.quantity -= take
        quantity -= take
        if r.quantity == 0:
            r.status = "issued"


def _levels(session, part_nos: set[str], location: str) -> dict[str, Decimal]:
    rows = session.scalars(
        sa.select(StockLevel).where(StockLevel.part_no.in_(part_nos), StockLevel.location == location)
    )
    return {row.part_no: row.quantity for row in rows}


def _move(uow, part_no: str, quantity: Decimal, source: str | None, target: str | None, reason: str, ref: str):
    session = uow.session
    for location, sign in ((source, -1), (target, 1)):
        if location is None:
            continue
        level = session.get(StockLevel, (part_no, location))
        if level is None:
            level = StockLevel(part_no=part_no, location=location, quantity=Decimal("0"))
            session.add(level)
        level.quantity = level.quantity + sign * quantity
    session.add(
        StockMove(
            part_no=part_no,
            from_location=source,
            to_location=target,
            quantity=quantity,
            reason=reason,
            reference=ref,
            moved_at=uow.clock(),
        )
    )


def receive_stock(uow, part_no: str, name: str, quantity: Decimal, lead_time_days: int = 3) -> None:
    """Goods in: create the part if new and put the quantity into the warehouse."""
    part = uow.session.get(Part, part_no)
    if part is None:
        uow.session.add(Part(part_no=part_no, name=name, lead_time_days=lead_time_days))
        uow.session.flush()
    _move(uow, part_no, quantity, None, MAIN, "receive", "goods-in")


def stock(session) -> list[dict]:
    rows = session.execute(
        sa.select(Part, StockLevel)
        .join(StockLevel, StockLevel.part_no == Part.part_no)
        .order_by(Part.part_no, StockLevel.location)
    ).all()
    return [{"part_no": p.part_no, "name": p.name, "location": s.location, "quantity": s.quantity} for p, s in rows]


def reservations(session, appointment_id: str | None = None) -> list[dict]:
    query = sa.select(Reservation).order_by(Reservation.reservation_id)
    if appointment_id:
        query = query.filter_by(appointment_id=appointment_id)
    return [
        {
            "appointment_id": r.appointment_id,
            "visit_id": r.visit_id,
            "part_no": r.part_no,
            "quantity": r.quantity,
            "status": r.status,
            "reserved_at": r.reserved_at,
        }
        for r in session.scalars(query)
    ]


def issues(session, order_id: str | None = None) -> list[dict]:
    query = sa.select(IssueLine).order_by(IssueLine.id)
    if order_id:
        query = query.filter_by(order_id=order_id)
    return [
        {
            "request_id": i.request_id,
            "order_id": i.order_id,
            "order_version": i.order_version,  # R-WS-3: which signed version the part was issued against
            "line_no": i.line_no,
            "part_no": i.part_no,
            "quantity": i.quantity,
            "from_location": i.from_location,
            "technician_id": i.technician_id,
            "issued_at": i.issued_at,
        }
        for i in session.scalars(query)
    ]


def stock_moves(session, appointment_id: str | None = None, limit: int = 200) -> list[dict]:
    """The stock ledger, newest first; one appointment's moves (reserve, reschedule, release) when asked."""
    query = sa.select(StockMove).order_by(StockMove.id.desc()).limit(limit)
    if appointment_id:
        query = query.where(
            sa.or_(StockMove.reference == appointment_id, StockMove.reference.startswith(f"{appointment_id}@"))
        )
    return [
        {
            "part_no": m.part_no,
            "from_location": m.from_location,
            "to_location": m.to_location,
            "quantity": m.quantity,
            "reason": m.reason,
            "reference": m.reference,
            "moved_at": m.moved_at,
        }
        for m in session.scalars(query)
    ]
