"""The counter (R-WS-2): workshop requests queue up; parts are issued against a signed order line, by the
clerk scanning the part number (or automatically where the counter is set to), partially if need be, never
beyond the signed quantity and never a part the signed order does not hold."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from contracts import names
from kit.errors import DomainError, NotFound

from .. import domain
from ..models import APPOINTMENT_SHELF, MAIN, Backorder, IssueLine, IssueRequest, Part, RequestLine, Reservation
from . import ledger, shelf, supply

ZERO = Decimal("0")


def queue_request(uow, request_id: str, order: dict, technician_id: str, lines: list[dict]) -> IssueRequest:
    session = uow.session
    existing = session.get(IssueRequest, request_id)
    if existing is not None:
        return existing
    row, _ = add_request(uow, request_id, order, technician_id, lines)
    session.flush()
    return row


def add_request(uow, request_id: str, order: dict, technician_id: str, lines: list[dict]):
    """The request and its signed part lines, added (written with the next flush); a line that is not a signed
    part line is left out (refused when issued: parts_issue_refused). Returns (request, its lines).

    One flush inserts both: with no relationship() between them SQLAlchemy orders the tables by their classes'
    names, IssueRequest before RequestLine (whose foreign key needs the request)."""
    session = uow.session
    signed = {line["line_no"]: line for line in order["lines"] if line["kind"] == "part"}
    asked = [(line, signed[line["line_no"]]) for line in lines if line["line_no"] in signed]
    codes = sorted({part_line["code"] for _, part_line in asked})
    known, waiting = set(), []  # the request's parts the master knows, the visit's backorders of them
    rows = session.execute(_KNOWN_AND_WAITING, {"visit_id": order["visit_id"], "part_nos": codes}) if codes else ()
    for part_no, backorder in rows:
        known.add(part_no)
        if backorder is not None:
            waiting.append(backorder)
    row = IssueRequest(
        request_id=request_id,
        order_id=order["order_id"],
        order_version=order["version"],
        visit_id=order["visit_id"],
        technician_id=technician_id,
        status="open",
        requested_at=uow.clock(),
    )
    session.add(row)
    out = []
    for line, part_line in asked:
        if part_line["code"] not in known:
            continue  # not a part of the master: refused when issued (parts_issue_refused)
        request_line = RequestLine(
            request_id=request_id,
            line_no=line["line_no"],
            part_no=part_line["code"],
            signed_quantity=Decimal(part_line["quantity"]),
            requested=Decimal(line["quantity"]),
        )
        session.add(request_line)
        out.append(request_line)
        supply.attach_to_request(waiting, row, line["line_no"], part_line["code"])
    return row, out


# built once (see ledger)
_RESERVED_FOR_VISIT = sa.select(Reservation).where(
    Reservation.visit_id == sa.bindparam("visit_id"), Reservation.status == "reserved"
)
# each part of the master among `part_nos`, with each waiting backorder of the visit for it that serves no request
# yet (None when there is none): one statement for both
_KNOWN_AND_WAITING = (
    sa.select(Part.part_no, Backorder)
    .outerjoin(
        Backorder,
        sa.and_(
            Backorder.part_no == Part.part_no,
            Backorder.visit_id == sa.bindparam("visit_id"),
            Backorder.status == "waiting",
            Backorder.request_id.is_(None),
        ),
    )
    .where(Part.part_no.in_(sa.bindparam("part_nos", expanding=True)))
)


def issue_at_counter(uow, request_id: str, part_no: str, quantity=None) -> dict:
    """The clerk scans (or types) a part number and Enter: issued against the request's signed line holding it.
    No quantity: everything still due on the line; a quantity: a partial issue. The visit's shelf first."""
    session = uow.session
    req = session.get(IssueRequest, request_id)
    if req is None:
        raise NotFound("No such request on the queue", field="request_id")
    lines = list(session.scalars(sa.select(RequestLine).filter_by(request_id=request_id)))
    already = ledger.issued_by_line(session, req.order_id)
    signed = [domain.SignedLine(r.line_no, r.part_no, r.signed_quantity, already.get(r.line_no, ZERO)) for r in lines]
    supersedes = {p.part_no: p.superseded_by for p in session.scalars(sa.select(Part)) if p.superseded_by}
    line = domain.counter_line(signed, part_no or "", supersedes)
    scanned = (part_no or "").strip().upper()
    part = ledger.part(session, scanned)
    due = line.signed - line.issued
    amount = due if quantity in (None, "") else domain.quantity(quantity, precision=part.precision)
    domain.check_within_signed(line, amount)
    reservations = _reservations(session, req.visit_id)
    from_shelf = min(amount, sum((r.quantity for r in reservations if r.part_no == part.part_no), ZERO))
    moves = []
    if from_shelf > 0:
        moves.append((line.line_no, part.part_no, from_shelf, APPOINTMENT_SHELF))
    if amount - from_shelf > 0:
        moves.append((line.line_no, part.part_no, amount - from_shelf, MAIN))
    for line_no, number, qty, location in moves:
        hand_out(uow, req, line_no, number, qty, location, reservations)
    request_line = next(r for r in lines if r.line_no == line.line_no)
    if request_line.first_time_full is None:
        request_line.first_time_full = amount >= min(request_line.requested, due)
    emit_issued(uow, req, moves)
    _close_if_done(session, req)
    return {"request_id": request_id, "line_no": line.line_no, "part_no": part.part_no, "quantity": amount}


def confirm_receipt(uow, request_id: str) -> int:
    """R-WS-2: the technician confirms receipt of what was issued on the request (their own requests only)."""
    req = uow.session.get(IssueRequest, request_id)
    if req is None:
        raise NotFound("No such request on the queue", field="request_id")
    if uow.actor_id != req.technician_id:
        raise DomainError("Only the technician who asked confirms receipt", field="request_id", code="not_yours")
    lines = uow.session.scalars(sa.select(IssueLine).filter_by(request_id=request_id, received_at=None)).all()
    if not lines:
        raise DomainError("Nothing issued is waiting for your confirmation", field="request_id")
    for line in lines:
        line.received_by, line.received_at = uow.actor_id, uow.clock()
    uow.correlation_id = req.visit_id
    return len(lines)


def backorder_line(uow, request_id: str, line_no: int, quantity=None, supplier=None, expected_on=None) -> dict:
    """The clerk cannot fill a signed line from stock: what is still due becomes a backorder (parts_backordered)."""
    session = uow.session
    req = session.get(IssueRequest, request_id)
    line = session.get(RequestLine, (request_id, line_no)) if req else None
    if line is None:
        raise NotFound("No such line on the request", field="line_no")
    part = ledger.part(session, line.part_no)
    due = line.signed_quantity - ledger.issued_by_line(session, req.order_id).get(line_no, ZERO)
    due -= supply.waiting_for(session, req.order_id, line_no)  # already on order for this line
    if due <= 0:
        raise DomainError(
            "Line {line_no} is already on backorder", field="line_no", code="on_backorder", line_no=line_no
        )
    amount = due if quantity in (None, "") else domain.quantity(quantity, precision=part.precision)
    domain.check_within_signed(
        domain.SignedLine(line_no, line.part_no, line.signed_quantity, line.signed_quantity - due), amount
    )
    line.first_time_full = False if line.first_time_full is None else line.first_time_full
    [row] = supply.backorder(
        uow,
        [(line.part_no, amount, line_no)],
        promised_at=req.requested_at,
        visit_id=req.visit_id,
        order_id=req.order_id,
        request_id=request_id,
        supplier=supplier,
        expected_on=expected_on,
    )
    return supply.backorder_view(row)


def hand_out(uow, req: IssueRequest, line_no, part_no, quantity, location, reservations, batch=None) -> None:
    """One issue: the ledger entry, the visit's shelf drawn first, the issue line (with `batch`: written by it)."""
    ledger.move(uow, part_no, quantity, location, None, "issue", f"{req.order_id}#{line_no}", batch)
    if location == APPOINTMENT_SHELF:
        shelf.draw(reservations, part_no, quantity)
    line = {
        "request_id": req.request_id,
        "order_id": req.order_id,
        "order_version": req.order_version,
        "visit_id": req.visit_id,
        "line_no": line_no,
        "part_no": part_no,
        "quantity": quantity,
        "from_location": location,
        "technician_id": req.technician_id,
        "issued_at": uow.clock(),
        "issued_by": uow.actor_id,
    }
    if batch is not None:
        batch.insert(IssueLine, **line)
    else:
        uow.session.add(IssueLine(**line))


def emit_issued(uow, req: IssueRequest, moves) -> None:
    uow.emit(
        names.PARTS_ISSUED,
        {
            "request_id": req.request_id,
            "order_id": req.order_id,
            "order_version": req.order_version,
            "lines": [{"line_no": n, "part_no": p, "quantity": q, "from_location": loc} for n, p, q, loc in moves],
        },
        correlation_id=req.visit_id,
    )


def _reservations(session, visit_id: str) -> list[Reservation]:
    return list(session.scalars(_RESERVED_FOR_VISIT, {"visit_id": visit_id}))


def _close_if_done(session, req: IssueRequest) -> None:
    session.flush()
    already = ledger.issued_by_line(session, req.order_id)
    lines = list(session.scalars(sa.select(RequestLine).filter_by(request_id=req.request_id)))
    if all(already.get(r.line_no, ZERO) >= min(r.requested, r.signed_quantity) for r in lines):
        req.status = "done"


def queue(session, status: str = "open") -> list[dict]:
    query = sa.select(IssueRequest).order_by(IssueRequest.requested_at)
    if status:
        query = query.filter_by(status=status)
    return [request_view(session, r) for r in session.scalars(query)]


def request_view(session, req: IssueRequest | str) -> dict | None:
    if isinstance(req, str):
        req = session.get(IssueRequest, req)
        if req is None:
            return None
    already = ledger.issued_by_line(session, req.order_id)
    parts = {p.part_no: p for p in session.scalars(sa.select(Part))}
    lines = []
    for r in session.scalars(sa.select(RequestLine).filter_by(request_id=req.request_id).order_by(RequestLine.line_no)):
        part = parts.get(r.part_no)
        lines.append(
            {
                "line_no": r.line_no,
                "part_no": r.part_no,
                "name": part.name if part else "",
                "bin": part.bin if part else "",
                "signed_quantity": r.signed_quantity,
                "requested": r.requested,
                "issued": already.get(r.line_no, ZERO),
                "due": max(r.signed_quantity - already.get(r.line_no, ZERO), ZERO),
                "on_backorder": supply.waiting_for(session, req.order_id, r.line_no),
                "expected_on": supply.expected_on(session, req.order_id, r.line_no),
            }
        )
    return {
        "request_id": req.request_id,
        "order_id": req.order_id,
        "order_version": req.order_version,
        "visit_id": req.visit_id,
        "technician_id": req.technician_id,
        "status": req.status,
        "requested_at": req.requested_at,
        "lines": lines,
    }
