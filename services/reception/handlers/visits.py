"""The rows a write-up works on: the visit, its order, its walk-around sheet and write-up, the last mileage.
Shared by the walk-around, write-up and order use cases."""

from __future__ import annotations

import sqlalchemy as sa

from kit.errors import DomainError, NotFound

from ..domain import walk_around
from ..models import MileageReading, OdometerChange, Order, Visit, WalkAround, WriteUp

FIRST_SERVICE_WORDS = ("首保", "首次保养", "first service")


def visit_of(session, visit_id: str) -> Visit:
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("Visit not found", field="visit_id")
    return visit


_ORDER_OF_VISIT = sa.select(Order).where(Order.visit_id == sa.bindparam("visit_id"))  # built once


def order_of_visit(session, visit_id: str) -> Order | None:
    return session.scalars(_ORDER_OF_VISIT, {"visit_id": visit_id}).first()


def refuse_if_signed(session, visit_id: str) -> None:
    order = order_of_visit(session, visit_id)
    if order is not None and order.status != "draft":
        raise DomainError(
            "The order is signed; changes go through additional work with the customer's consent", code="order_signed"
        )


def sheet_of(uow, visit: Visit) -> WalkAround:
    row = uow.session.get(WalkAround, visit.visit_id)
    if row is None:
        words = (visit.complaint or "").lower()
        row = WalkAround(
            visit_id=visit.visit_id,
            covers={},
            sheet=walk_around.empty_sheet(),
            first_service=any(w.lower() in words for w in FIRST_SERVICE_WORDS),
            updated_at=uow.clock(),
        )
        uow.session.add(row)
    return row


def write_up_of(uow, visit: Visit) -> WriteUp:
    row = uow.session.get(WriteUp, visit.visit_id)
    if row is None:
        row = WriteUp(
            visit_id=visit.visit_id,
            customer_words=visit.complaint or "",
            concern="",
            cause="",
            correction="",
            symptom_codes=[],
            jobs=[],
            pay_type="customer",
            updated_at=uow.clock(),
        )
        uow.session.add(row)
    return row


_CHANGED = (
    sa.select(sa.func.max(OdometerChange.confirmed_at))
    .where(OdometerChange.vin == sa.bindparam("vin"))
    .scalar_subquery()
)
_LAST_MILEAGE = sa.select(sa.func.max(MileageReading.mileage_km)).where(  # one statement, built once
    MileageReading.vin == sa.bindparam("vin"), sa.or_(_CHANGED.is_(None), MileageReading.read_at > _CHANGED)
)


def last_mileage(session, vin: str) -> int | None:
    """The highest reading reception recorded for this car since its last confirmed odometer change."""
    return session.scalar(_LAST_MILEAGE, {"vin": vin})
