"""The counter's automatic issue (R-WS-2, PARTS_AUTO_ISSUE: the line's default) of a workshop request as it comes
(parts_requested), and the queue without it. Read first, then written as rows (ledger.Batch), not entities."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope, names

from .. import domain
from ..models import (
    APPOINTMENT_SHELF,
    MAIN,
    Backorder,
    IssueLine,
    IssueRequest,
    Part,
    PartsReturn,
    RequestLine,
    Reservation,
)
from . import ledger, supply
from .counter import add_request, emit_issued, hand_out

ZERO = Decimal("0")
_BO, _RES = Backorder.__table__, Reservation.__table__
_ISSUED, _RETURNED = IssueLine.__table__.c, PartsReturn.__table__.c


def issue_against_order(uow, event: Envelope, verify, auto_issue: bool = True) -> None:
    """parts_requested -> the request joins the counter's queue (only lines of the signed order it carries);
    with `auto_issue` (PARTS_AUTO_ISSUE) the counter issues what stock holds at once, and a stock shortage
    becomes a backorder."""
    request = event.payload
    order = verify(event.raw_payload["signed_order"])  # a tampered or unsigned order is refused here
    if auto_issue:
        _issue_automatically(uow, request, order)  # it asks whether the request came before in its first read
        return
    if uow.session.get(IssueRequest, request["request_id"]) is not None:
        return  # the request re-sent under a new event id: queued and issued once (issue 12, item 6)
    add_request(uow, request["request_id"], order, request["technician_id"], request["lines"])


def _issue_automatically(uow, request: dict, order: dict) -> None:
    """Queue the request and issue what stock holds. Everything is read first (whether the request came before,
    the parts it names and the visit's backorders of them, the order's issues so far and the visit's shelf, in one
    statement; then the stock rows locked), then written together as rows, not entities: a statement a table
    (ledger.Batch)."""
    session = uow.session
    connection = session.connection()
    request_id, order_lines = request["request_id"], order["lines"]
    signed = {line["line_no"]: line for line in order_lines if line["kind"] == "part"}
    asked = [(line, signed[line["line_no"]]) for line in request["lines"] if line["line_no"] in signed]
    known: set[str] = set()
    waiting = []  # the visit's backorders of the parts asked for, not yet attached to a request
    already: dict[int, Decimal] = {}  # issued less returned by signed line (ledger.issued_by_line)
    reservations = []  # the visit's shelf
    before = False
    params = {
        "request_id": request_id,
        "order_id": order["order_id"],
        "visit_id": order["visit_id"],
        "part_nos": sorted({part_line["code"] for _, part_line in asked}),
    }
    for r in connection.execute(_READ, params):
        if r.sign == _KNOWN:
            before = before or bool(r.before)
            if r.part_no is not None:
                known.add(r.part_no)
            if r.backorder_id:
                waiting.append(ledger.Row(backorder_id=r.backorder_id, part_no=r.part_no, request_id=None))
        elif r.sign:
            already[r.line_no] = already.get(r.line_no, ZERO) + (r.quantity if r.sign > 0 else -r.quantity)
        else:
            reservations.append(
                ledger.Row(reservation_id=r.reservation_id, part_no=r.part_no, quantity=r.quantity, status="reserved")
            )
    if before:
        return  # the request re-sent under a new event id: queued and issued once (issue 12, item 6)
    batch = ledger.lock(session, {line["code"] for line in signed.values()}, (MAIN, APPOINTMENT_SHELF))
    req = batch.add(
        IssueRequest,
        ledger.Row(
            request_id=request_id,
            order_id=order["order_id"],
            order_version=order["version"],
            visit_id=order["visit_id"],
            technician_id=request["technician_id"],
            status="open",
            requested_at=uow.clock(),
        ),
    )
    lines = []
    for line, part_line in asked:
        if part_line["code"] not in known:
            continue  # not a part of the master: refused when issued (parts_issue_refused)
        lines.append(
            batch.add(
                RequestLine,
                ledger.Row(
                    request_id=request_id,
                    line_no=line["line_no"],
                    part_no=part_line["code"],
                    signed_quantity=Decimal(part_line["quantity"]),
                    requested=Decimal(line["quantity"]),
                    first_time_full=None,
                ),
            )
        )
        supply.attach_to_request(waiting, req, line["line_no"], part_line["code"])
    for row in waiting:
        if row.request_id is not None:
            batch.update(
                _ATTACH, {"id": row.backorder_id, **{k: row[k] for k in ("order_id", "request_id", "line_no")}}
            )
    on_shelf: dict[str, Decimal] = {}
    for r in reservations:
        on_shelf[r.part_no] = on_shelf.get(r.part_no, ZERO) + r.quantity
    drawn = {r.reservation_id: (r.quantity, r.status) for r in reservations}
    plan = domain.plan_issue(
        order_lines,
        [(line["line_no"], Decimal(line["quantity"])) for line in request["lines"]],
        already,
        on_shelf,
        {part_no: row.quantity for (part_no, location), row in batch.levels.items() if location == MAIN},
        APPOINTMENT_SHELF,
        MAIN,
    )
    issued = dict(already)
    for line_no, part_no, quantity, location in plan.issue:
        hand_out(uow, req, line_no, part_no, quantity, location, reservations, batch)
        issued[line_no] = issued.get(line_no, ZERO) + quantity
    refused_nos = {n for n, _ in plan.refused}
    for line in lines:
        line.first_time_full = line.line_no not in refused_nos
    if all(issued.get(r.line_no, ZERO) >= min(r.requested, r.signed_quantity) for r in lines):
        req.status = "done"  # as _close_if_done, from what this command wrote
    for r in reservations:
        if (r.quantity, r.status) != drawn[r.reservation_id]:
            batch.update(_DRAWN, {"id": r.reservation_id, "quantity": r.quantity, "status": r.status})
    batch.write(session)  # the request and its lines inserted with their first_time_full and status
    if plan.issue:
        emit_issued(uow, req, [(n, p, q, loc) for n, p, q, loc in plan.issue])
    if plan.refused:
        uow.emit(
            names.PARTS_ISSUE_REFUSED,
            {
                "request_id": req.request_id,
                "order_id": req.order_id,
                "lines": [{"line_no": n, "reason": reason} for n, reason in plan.refused],
            },
        )
        short = []
        for line in lines:
            if (
                line.line_no not in refused_nos
                or already.get(line.line_no, ZERO) + line.requested > line.signed_quantity
            ):
                continue  # refused for another reason than stock
            missing = line.requested - supply.waiting_for(session, req.order_id, line.line_no)
            if missing > 0:  # a request asked again does not order twice
                short.append((line.part_no, missing, line.line_no))
        if short:
            supply.backorder(
                uow,
                short,
                promised_at=uow.clock(),
                visit_id=req.visit_id,
                order_id=req.order_id,
                request_id=req.request_id,
            )


# Everything the command reads before it locks stock, in one statement (a row's `sign` says what it is):
# the order's issued (+1) and returned (-1) quantities by signed line, the visit's shelf (0), and (_KNOWN) whether
# the request came before, the parts of the master it names and the visit's backorders of them waiting for a
# request (one row with no part when the master knows none of them)
_KNOWN = 2
_NO_INT, _NO_STR = sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.String)
_NO_QUANTITY, _NO_BOOL = sa.cast(sa.null(), _ISSUED.quantity.type), sa.cast(sa.null(), sa.Boolean)
_READ = sa.union_all(
    sa.select(
        _ISSUED.line_no,
        _ISSUED.quantity,
        sa.literal(1).label("sign"),
        _NO_INT.label("reservation_id"),
        _NO_STR.label("part_no"),
        _NO_BOOL.label("before"),
        _NO_STR.label("backorder_id"),
    ).where(_ISSUED.order_id == sa.bindparam("order_id")),
    sa.select(_RETURNED.line_no, _RETURNED.quantity, sa.literal(-1), _NO_INT, _NO_STR, _NO_BOOL, _NO_STR).where(
        _RETURNED.order_id == sa.bindparam("order_id")
    ),
    sa.select(_NO_INT, _RES.c.quantity, sa.literal(0), _RES.c.reservation_id, _RES.c.part_no, _NO_BOOL, _NO_STR).where(
        _RES.c.visit_id == sa.bindparam("visit_id"), _RES.c.status == "reserved"
    ),
    sa.select(
        _NO_INT,
        _NO_QUANTITY,
        sa.literal(_KNOWN),
        _NO_INT,
        Part.__table__.c.part_no,
        sa.exists(
            sa.select(IssueRequest.__table__.c.request_id).where(
                IssueRequest.__table__.c.request_id == sa.bindparam("request_id")
            )
        ),
        _BO.c.backorder_id,
    )
    .select_from(sa.select(sa.literal(1).label("one")).subquery())
    .outerjoin(Part.__table__, Part.__table__.c.part_no.in_(sa.bindparam("part_nos", expanding=True)))
    .outerjoin(
        _BO,
        sa.and_(
            _BO.c.part_no == Part.__table__.c.part_no,
            _BO.c.visit_id == sa.bindparam("visit_id"),
            _BO.c.status == "waiting",
            _BO.c.request_id.is_(None),
        ),
    ),
)
_DRAWN = (
    sa.update(_RES)
    .where(_RES.c.reservation_id == sa.bindparam("id"))
    .values(quantity=sa.bindparam("quantity", type_=_RES.c.quantity.type), status=sa.bindparam("status"))
)
_ATTACH = (
    sa.update(_BO)
    .where(_BO.c.backorder_id == sa.bindparam("id"))
    .values(order_id=sa.bindparam("order_id"), request_id=sa.bindparam("request_id"), line_no=sa.bindparam("line_no"))
)
