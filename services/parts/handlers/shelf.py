"""The appointment shelf (R-BK-6): reserved at booking, a pick list 48 hours ahead confirmed line by line,
issued at dispatch, released on cancel, no-show or expiry."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope, names
from kit.errors import DomainError, NotFound

from .. import domain
from ..models import APPOINTMENT_SHELF, MAIN, Backorder, CancelledAppointment, Part, Reservation, StockLevel
from . import ledger, supply

PICK_AHEAD = timedelta(hours=48)
EXPIRE_AFTER = timedelta(days=2)  # a reservation whose visit is this long past and never issued goes back


def reserve_for_appointment(uow, event: Envelope) -> None:
    """appointment_booked -> planned parts moved to the appointment shelf; a shortage becomes a backorder on a
    purchase order (parts_backordered) and booking hears parts_short with the expected date."""
    booked = event.payload
    if not booked["planned_parts"]:
        return
    session = uow.session
    connection = session.connection()
    planned = [(p["part_no"].strip().upper(), p["quantity"]) for p in booked["planned_parts"]]
    part_nos = sorted({part_no for part_no, _ in planned})
    params = {"appointment_id": booked["appointment_id"], "part_nos": part_nos}
    # the stock rows locked (as ledger.lock) with their parts' lead times and whether the booking came before, in one
    # statement; read apart when a planned part has no stock row (or is not in the master)
    rows = connection.execute(_LOCKED_WITH_LEAD_TIMES, {**params, "locations": sorted((MAIN, APPOINTMENT_SHELF))}).all()
    batch = ledger.locked(rows)
    known = {r.part_no: r.lead_time_days for r in rows}  # part_no: lead_time_days
    before = bool(rows[0].before) if rows else False
    if len(known) < len(part_nos):
        read = connection.execute(_BEFORE_AND_LEAD_TIMES, params).all()
        before, known = bool(read[0].before), {r.part_no: r.lead_time_days for r in read if r.part_no is not None}
    # cancelled before its booking arrived here; or the booking re-sent under a new event id: its parts are
    # reserved (or ordered) once (issue 12, item 6)
    if before:
        return
    plan = domain.plan_reservation(
        [(part_no, q) for part_no, q in planned if part_no in known],  # an unknown number reserves nothing
        {part_no: row.quantity for (part_no, location), row in batch.levels.items() if location == MAIN},
        known,
        uow.clock().date(),
    )
    for part_no, quantity in plan.reserved:
        ledger.move(uow, part_no, quantity, MAIN, APPOINTMENT_SHELF, "reserve", booked["appointment_id"], batch)
        batch.insert(
            Reservation,
            appointment_id=booked["appointment_id"],
            visit_id=booked["visit_id"],
            part_no=part_no,
            quantity=quantity,
            status="reserved",
            reserved_at=uow.clock(),
            starts_at=booked.get("starts_at"),
        )
    batch.write(session)
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
        supply.backorder(
            uow,
            [(p, q, None) for p, q, _ in plan.short],
            promised_at=booked.get("starts_at") or uow.clock(),
            appointment_id=booked["appointment_id"],
            visit_id=booked["visit_id"],
        )
    else:
        uow.emit(names.PARTS_RESERVED, {"appointment_id": booked["appointment_id"], "reserved": reserved})


def _any_of(column) -> sa.Exists:
    return sa.exists(sa.select(column).where(column == sa.bindparam("appointment_id")))


_PART = Part.__table__.c
# built once (see ledger), one statement, as columns: whether the appointment was cancelled here before its booking
# arrived, or reserved (or ordered on a backorder) before; and the lead time of each planned part the master knows
# (one row with no part when it knows none)
_BEFORE = sa.or_(
    _any_of(CancelledAppointment.__table__.c.appointment_id),
    _any_of(Reservation.__table__.c.appointment_id),
    _any_of(Backorder.__table__.c.appointment_id),
)
_BEFORE_AND_LEAD_TIMES = (
    sa.select(
        _BEFORE.label("before"),
        _PART.part_no,
        _PART.lead_time_days,
    )
    .select_from(sa.select(sa.literal(1).label("one")).subquery())
    .outerjoin(Part.__table__, _PART.part_no.in_(sa.bindparam("part_nos", expanding=True)))
)

_LEVEL = StockLevel.__table__.c
# the same with the stock rows of the planned parts at some locations, locked in one order (as ledger._LOCKED_LEVELS);
# PostgreSQL locks those rows only (FOR UPDATE OF), not the parts' rows they are joined with
_LOCKED_WITH_LEAD_TIMES = (
    sa.select(_LEVEL.part_no, _LEVEL.location, _LEVEL.quantity, _PART.lead_time_days, _BEFORE.label("before"))
    .select_from(StockLevel.__table__.join(Part.__table__, _PART.part_no == _LEVEL.part_no))
    .where(
        _LEVEL.part_no.in_(sa.bindparam("part_nos", expanding=True)),
        _LEVEL.location.in_(sa.bindparam("locations", expanding=True)),
    )
    .order_by(_LEVEL.part_no, _LEVEL.location)
    .with_for_update(of=StockLevel.__table__)
)


def release_for_cancelled(uow, event: Envelope) -> None:
    """appointment_cancelled -> what waits on the appointment shelf goes back to the warehouse."""
    appointment_id = event.payload["appointment_id"]
    session = uow.session
    if session.get(CancelledAppointment, appointment_id) is None:
        session.add(CancelledAppointment(appointment_id=appointment_id, cancelled_at=uow.clock()))
    _release(uow, appointment_id, "release")
    supply.release_backorders(uow, appointment_id)


def _release(uow, appointment_id: str, reason: str) -> None:
    for reservation in uow.session.scalars(
        sa.select(Reservation).filter_by(appointment_id=appointment_id, status="reserved")
    ):
        if reservation.quantity > 0:
            ledger.move(uow, reservation.part_no, reservation.quantity, APPOINTMENT_SHELF, MAIN, reason, appointment_id)
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
        if same_moment(reservation.starts_at, moved["starts_at"]):
            continue  # already moved to that time: the move re-sent under a new event id (issue 12, item 6)
        ledger.move(
            uow,
            reservation.part_no,
            reservation.quantity,
            APPOINTMENT_SHELF,
            APPOINTMENT_SHELF,
            "reschedule",
            reference,
        )
        reservation.starts_at = moved["starts_at"]
        reservation.picked_at, reservation.picked_by = None, None  # a new day: picked again for it


def same_moment(stored, wanted) -> bool:
    if stored is None or wanted is None:
        return False
    stored = stored if stored.tzinfo else stored.replace(tzinfo=UTC)
    return stored == wanted


def release_for_no_show(uow, event: Envelope) -> None:
    """appointment_no_show -> the customer did not come: the shelf is released as for a cancellation, and a
    late appointment_booked for it reserves nothing."""
    release_for_cancelled(uow, event)


def expired(session, now) -> list[str]:
    """Appointments whose shelf reservation expired: two days past their time and never issued."""
    cutoff = now - EXPIRE_AFTER
    return sorted(
        {
            r.appointment_id
            for r in session.scalars(
                sa.select(Reservation).where(
                    Reservation.status == "reserved", Reservation.starts_at.is_not(None), Reservation.starts_at < cutoff
                )
            )
        }
    )


def release_expired(uow) -> int:
    """Expiry: reservations of visits more than two days past that were never issued go back to the store."""
    expired_now = expired(uow.session, uow.clock())
    for appointment_id in expired_now:
        _release(uow, appointment_id, "expire")
    return len(expired_now)


def pick_list(session, now) -> list[dict]:
    """R-BK-6: what must be on the shelf for visits in the next 48 hours, soonest first."""
    rows = session.scalars(
        sa.select(Reservation)
        .where(
            Reservation.status == "reserved",
            Reservation.quantity != "0",
            sa.or_(Reservation.starts_at.is_(None), Reservation.starts_at <= now + PICK_AHEAD),
        )
        .order_by(Reservation.starts_at, Reservation.reservation_id)
    )
    parts = {p.part_no: p for p in session.scalars(sa.select(Part))}
    return [
        {
            "reservation_id": r.reservation_id,
            "appointment_id": r.appointment_id,
            "visit_id": r.visit_id,
            "part_no": r.part_no,
            "name": parts[r.part_no].name if r.part_no in parts else "",
            "bin": parts[r.part_no].bin if r.part_no in parts else "",
            "quantity": r.quantity,
            "starts_at": r.starts_at,
            "picked_at": r.picked_at,
            "picked_by": r.picked_by,
        }
        for r in rows
    ]


def confirm_pick(uow, reservation_id: int, scanned: str) -> Reservation:
    """The clerk put the line on the shelf: scanning its part number confirms it (a wrong number is refused)."""
    reservation = uow.session.get(Reservation, reservation_id)
    if reservation is None or reservation.status != "reserved":
        raise NotFound("No such line on the pick list", field="reservation_id")
    if (scanned or "").strip().upper() != reservation.part_no:
        raise DomainError(
            "Scanned {scanned}, but this line is {part_no}",
            field="part_no",
            code="wrong_part",
            scanned=(scanned or "").strip().upper()[:40],
            part_no=reservation.part_no,
        )
    reservation.picked_at, reservation.picked_by = uow.clock(), uow.actor_id
    uow.correlation_id = reservation.visit_id
    return reservation


def draw(reservations: list[Reservation], part_no: str, quantity: Decimal) -> None:
    """Issued from the shelf: the visit's reservations of that part shrink by it."""
    for r in reservations:
        if r.part_no != part_no or quantity <= 0:
            continue
        take = min(r.quantity, quantity)
        r.quantity -= take
        quantity -= take
        if r.quantity == 0:
            r.status = "issued"
