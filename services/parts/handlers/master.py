"""The parts master (number, names, unit and precision, bin, supersession, min/max, cost, supplier) and what
the pages read: stock by location, the shelf, issues and the stock ledger."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope
from kit import price_list
from kit.errors import DomainError

from .. import domain
from ..models import MAIN, IssueLine, Part, PriceListCopy, Reservation, StockLevel, StockMove
from . import ledger

UNITS = {"pc": 0, "L": 1}  # pieces whole, litres to 0.1


def save_part(uow, fields: dict) -> Part:
    """Create or change a part in the master; the pinyin initials follow its Chinese name."""
    session = uow.session
    part_no = fields["part_no"].strip().upper()
    part = session.get(Part, part_no)
    if part is None:
        part = Part(part_no=part_no, name=fields["name"], lead_time_days=fields.get("lead_time_days") or 3)
        session.add(part)
    unit = fields.get("unit") or part.unit or "pc"
    if unit not in UNITS:
        raise DomainError("Unknown unit", field="unit")
    superseded_by = (fields.get("superseded_by") or "").strip().upper() or None
    if superseded_by:
        if superseded_by == part_no:
            raise DomainError("A part cannot supersede itself", field="superseded_by")
        ledger.part(session, superseded_by, field="superseded_by")
    min_qty, max_qty = Decimal(fields.get("min_qty") or 0), Decimal(fields.get("max_qty") or 0)
    if max_qty and min_qty > max_qty:
        raise DomainError("The minimum may not exceed the maximum", field="min_qty")
    part.name = fields["name"]
    part.name_en = fields.get("name_en") or ""
    part.unit, part.precision = unit, UNITS[unit]
    part.bin = fields.get("bin") or ""
    part.superseded_by = superseded_by
    part.min_qty, part.max_qty = min_qty, max_qty
    part.cost = fields.get("cost") or Decimal("0")
    part.supplier = fields.get("supplier") or ""
    part.lead_time_days = fields.get("lead_time_days") or part.lead_time_days or 3
    part.initials = domain.initials(part.name)
    session.flush()
    uow.correlation_id = part_no
    return part


def receive_stock(uow, part_no: str, name: str, quantity: Decimal, lead_time_days: int = 3, **master) -> None:
    """Opening stock (seed): create the part if new and put the quantity into the warehouse."""
    part = uow.session.get(Part, part_no)
    if part is None:
        unit = master.get("unit", "pc")
        uow.session.add(
            Part(
                part_no=part_no,
                name=name,
                lead_time_days=lead_time_days,
                initials=domain.initials(name),
                unit=unit,
                precision=UNITS[unit],
                **{k: v for k, v in master.items() if k != "unit"},
            )
        )
        uow.session.flush()
    ledger.move(uow, part_no, quantity, None, MAIN, "receive", "goods-in")


def take_price_list(uow, event: Envelope) -> None:
    """price_list_published -> parts' own copy: the master shows each part's retail price from billing's list."""
    price_list.take(uow, event, PriceListCopy)


def part_view(p: Part) -> dict:
    return {
        "part_no": p.part_no,
        "name": p.name,
        "name_en": p.name_en,
        "unit": p.unit,
        "precision": p.precision,
        "bin": p.bin,
        "superseded_by": p.superseded_by,
        "min_qty": p.min_qty,
        "max_qty": p.max_qty,
        "cost": p.cost,
        "supplier": p.supplier,
        "lead_time_days": p.lead_time_days,
        "initials": p.initials,
    }


def search_parts(session, q: str = "") -> list[dict]:
    """By number, Chinese or English name, or pinyin initials (jy finds 机油)."""
    query = sa.select(Part).order_by(Part.part_no)
    q = (q or "").strip()[:40]
    if q:
        like = f"%{q}%"
        query = query.where(
            sa.or_(
                Part.part_no.ilike(like),
                Part.name.ilike(like),
                Part.name_en.ilike(like),
                Part.initials.ilike(f"{q}%"),  # pinyin initials from the start: jy finds 机油
            )
        )
    levels: dict[str, dict[str, Decimal]] = {}
    for s in session.scalars(sa.select(StockLevel)):
        levels.setdefault(s.part_no, {})[s.location] = s.quantity
    book = price_list.current(session, PriceListCopy)
    retail = dict(book.parts) if book else {}
    return [
        {
            **part_view(p),
            "stock": levels.get(p.part_no, {}),
            "retail_price": retail[p.part_no][1] if p.part_no in retail else None,  # billing's published list
        }
        for p in session.scalars(query)
    ]


def stock(session) -> list[dict]:
    rows = session.execute(
        sa.select(Part, StockLevel)
        .join(StockLevel, StockLevel.part_no == Part.part_no)
        .order_by(Part.part_no, StockLevel.location)
    ).all()
    return [
        {
            "part_no": p.part_no,
            "name": p.name,
            "unit": p.unit,
            "bin": p.bin,
            "location": s.location,
            "quantity": s.quantity,
        }
        for p, s in rows
    ]


def reservations(session, appointment_id: str | None = None) -> list[dict]:
    query = sa.select(Reservation).order_by(Reservation.reservation_id)
    if appointment_id:
        query = query.filter_by(appointment_id=appointment_id)
    return [
        {
            "reservation_id": r.reservation_id,
            "appointment_id": r.appointment_id,
            "visit_id": r.visit_id,
            "part_no": r.part_no,
            "quantity": r.quantity,
            "status": r.status,
            "reserved_at": r.reserved_at,
            "starts_at": r.starts_at,
            "picked_at": r.picked_at,
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
            "issued_by": i.issued_by,
            "received_by": i.received_by,
            "received_at": i.received_at,
        }
        for i in session.scalars(query.limit(500))
    ]


def stock_moves(
    session,
    appointment_id: str | None = None,
    limit: int = 200,
    part_no: str | None = None,
    reference: str | None = None,
) -> list[dict]:
    """The stock ledger, newest first; one appointment's moves (reserve, reschedule, release), one part's, or
    one document's (an order `<order_id>#<line>`, a receipt, a count) when asked."""
    query = sa.select(StockMove).order_by(StockMove.id.desc()).limit(limit)
    if appointment_id:
        query = query.where(
            sa.or_(StockMove.reference == appointment_id, StockMove.reference.startswith(f"{appointment_id}@"))
        )
    if part_no:
        query = query.where(StockMove.part_no == part_no.strip().upper())
    if reference:
        query = query.where(sa.or_(StockMove.reference == reference, StockMove.reference.startswith(f"{reference}#")))
    return [
        {
            "part_no": m.part_no,
            "from_location": m.from_location,
            "to_location": m.to_location,
            "quantity": m.quantity,
            "reason": m.reason,
            "reference": m.reference,
            "moved_at": m.moved_at,
            "actor_id": m.actor_id,
        }
        for m in session.scalars(query)
    ]
