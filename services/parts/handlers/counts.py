"""Cycle counts (a variance moves stock only once the service manager approves it), reorder suggestions from
min/max and upcoming reservations, and the counter's figures: stock value, turnover, first-time fill rate."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from kit.errors import DomainError, NotFound

from .. import domain
from ..models import LOCATIONS, MAIN, Backorder, IssueLine, Part, RequestLine, Reservation, StockCount, StockLevel
from . import ledger

ZERO = Decimal("0")


def record_count(uow, part_no: str, location: str, counted) -> StockCount:
    session = uow.session
    part = ledger.part(session, part_no)
    if location not in LOCATIONS:
        raise DomainError("Unknown location", field="location")
    amount = ZERO if _is_zero(counted) else domain.quantity(counted, precision=part.precision, field="counted")
    level = session.get(StockLevel, (part.part_no, location))
    row = StockCount(
        part_no=part.part_no,
        location=location,
        expected=level.quantity if level else ZERO,
        counted=amount,
        status="pending" if (level.quantity if level else ZERO) != amount else "approved",
        counted_by=uow.actor_id,
        counted_at=uow.clock(),
    )
    session.add(row)
    session.flush()
    uow.correlation_id = f"count-{row.count_id}"
    return row


def _is_zero(counted) -> bool:
    """An empty bin is a valid count (every other quantity is checked as any other)."""
    try:
        return Decimal(str(counted).strip()) == 0
    except ArithmeticError:
        return False


def decide_count(uow, count_id: int, approve: bool) -> StockCount:
    """The manager approves (the ledger moves by the variance, reason "count") or rejects a counted variance."""
    row = uow.session.get(StockCount, count_id)
    if row is None or row.status != "pending":
        raise NotFound("No such count waiting for approval", field="count_id")
    row.status, row.decided_by, row.decided_at = ("approved" if approve else "rejected"), uow.actor_id, uow.clock()
    uow.correlation_id = f"count-{count_id}"
    if approve:
        variance = row.counted - row.expected
        if variance < 0:
            ledger.move(uow, row.part_no, -variance, row.location, None, "count", f"count-{count_id}")
        elif variance > 0:
            ledger.move(uow, row.part_no, variance, None, row.location, "count", f"count-{count_id}")
    return row


def counts(session) -> list[dict]:
    return [
        {
            "count_id": c.count_id,
            "part_no": c.part_no,
            "location": c.location,
            "expected": c.expected,
            "counted": c.counted,
            "variance": c.counted - c.expected,
            "status": c.status,
            "counted_by": c.counted_by,
            "counted_at": c.counted_at,
            "decided_by": c.decided_by,
        }
        for c in session.scalars(sa.select(StockCount).order_by(StockCount.count_id.desc()).limit(200))
    ]


def reorder_suggestions(session, now) -> list[dict]:
    """Parts whose free stock is below their minimum: what the main store holds (the shelf's reservations for
    upcoming visits have already left it) plus what is on order less what waiting backorders will take."""
    main = {s.part_no: s.quantity for s in session.scalars(sa.select(StockLevel).filter_by(location=MAIN))}
    on_order: dict[str, Decimal] = {}
    for b in session.scalars(sa.select(Backorder).filter_by(status="waiting")):
        on_order[b.part_no] = on_order.get(b.part_no, ZERO) + b.quantity - b.allocated
    upcoming: dict[str, Decimal] = {}
    for r in session.scalars(
        sa.select(Reservation).where(
            Reservation.status == "reserved", Reservation.starts_at <= now + timedelta(days=14)
        )
    ):
        upcoming[r.part_no] = upcoming.get(r.part_no, ZERO) + r.quantity
    out = []
    for p in session.scalars(sa.select(Part).order_by(Part.part_no)):
        suggest = domain.reorder_quantity(
            main.get(p.part_no, ZERO),
            on_order.get(p.part_no, ZERO),
            on_order.get(p.part_no, ZERO),
            p.min_qty,
            p.max_qty,
        )
        if suggest > 0:
            out.append(
                {
                    "part_no": p.part_no,
                    "name": p.name,
                    "on_hand": main.get(p.part_no, ZERO),
                    "on_order": on_order.get(p.part_no, ZERO),
                    "upcoming": upcoming.get(p.part_no, ZERO),
                    "min_qty": p.min_qty,
                    "max_qty": p.max_qty,
                    "suggested": suggest,
                    "supplier": p.supplier,
                }
            )
    return out


def figures(session, now, days: int = 30) -> dict:
    """Stock value at cost (by part, for the chart), turnover over `days`, first-time fill rate at dispatch."""
    parts = {p.part_no: p for p in session.scalars(sa.select(Part))}
    by_part: dict[str, Decimal] = {}
    for s in session.scalars(sa.select(StockLevel).where(StockLevel.location != "QUARANTINE")):
        cost = parts[s.part_no].cost if s.part_no in parts else ZERO
        by_part[s.part_no] = by_part.get(s.part_no, ZERO) + s.quantity * cost
    value = sum(by_part.values(), ZERO).quantize(Decimal("0.01"))
    since = now - timedelta(days=days)
    issued_cost = sum(
        (
            i.quantity * (parts[i.part_no].cost if i.part_no in parts else ZERO)
            for i in session.scalars(sa.select(IssueLine).where(IssueLine.issued_at >= since))
        ),
        ZERO,
    )
    fills = [
        bool(r)
        for r in session.scalars(sa.select(RequestLine.first_time_full).where(RequestLine.first_time_full.is_not(None)))
    ]
    return {
        "stock_value": value,
        "turnover": domain.turnover(issued_cost, value, days),
        "fill_rate": domain.fill_rate(fills),
        "days": days,
        "value_by_part": [
            {"label": part_no, "value": v.quantize(Decimal("1"))} for part_no, v in sorted(by_part.items())
        ],
    }
