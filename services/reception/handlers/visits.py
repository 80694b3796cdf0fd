"""The rows a write-up works on: the visit, its order, its walk-around sheet and write-up, the last mileage.
Shared by the walk-around, write-up and order use cases.

They are read together, in one statement, once per unit of work (`rows_of`): a command and the view it answers
with (kit.uow.answering) work on the same objects instead of reading each table again, and the flags the
statement carries (any finding, any odometer change of the visit, the price list in force) spare the queries their
answer is known by."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from kit.errors import DomainError, NotFound

from ..domain import walk_around
from ..models import Finding, MileageReading, OdometerChange, Order, PriceListCopy, Visit, WalkAround, WriteUp

FIRST_SERVICE_WORDS = ("首保", "首次保养", "first service")


def _last_mileage_of(vin):
    """The highest reading of the car `vin` since its last confirmed odometer change (a statement part)."""
    changed = sa.select(sa.func.max(OdometerChange.confirmed_at)).where(OdometerChange.vin == vin)
    changed = changed.correlate(Visit).scalar_subquery()  # inside the rows' statement: of the visit's car
    return sa.select(sa.func.max(MileageReading.mileage_km)).where(
        MileageReading.vin == vin, sa.or_(changed.is_(None), MileageReading.read_at > changed)
    )


@dataclass(eq=False)
class Rows:
    """One visit's rows as a unit of work holds them (the objects of its session)."""

    visit: Visit
    order: Order | None
    sheet: WalkAround | None
    write_up: WriteUp | None
    has_findings: bool
    has_odometer_changes: bool
    last_mileage: int | None
    price_list_version: str | None  # the price list in force (handlers/prices.py builds its book)
    last_mileage_known: bool = True

    def reading_added(self) -> None:
        """A mileage reading or an odometer change of the car was added: its last mileage is read again."""
        self.last_mileage_known = False


PRICE_LIST_IN_FORCE = (  # the version of the price list in force, as a column of a visit's statement
    sa.select(PriceListCopy.version)
    .order_by(PriceListCopy.effective_from.desc())
    .limit(1)
    .scalar_subquery()
    .label("price_list_version")
)
HAS_FINDINGS = sa.exists().where(Finding.visit_id == Visit.visit_id).label("has_findings")

_ROWS = (  # built once: every write-up command and view reads it
    sa.select(
        Visit,
        Order,
        WalkAround,
        WriteUp,
        HAS_FINDINGS,
        sa.exists().where(OdometerChange.visit_id == Visit.visit_id).label("has_odometer_changes"),
        _last_mileage_of(Visit.vehicle["vin"].as_string()).scalar_subquery().label("last_mileage"),
        PRICE_LIST_IN_FORCE,
    )
    .outerjoin(Order, Order.visit_id == Visit.visit_id)
    .outerjoin(WalkAround, WalkAround.visit_id == Visit.visit_id)
    .outerjoin(WriteUp, WriteUp.visit_id == Visit.visit_id)
)
_ROWS_OF_VISIT = _ROWS.where(Visit.visit_id == sa.bindparam("visit_id"))
_ROWS_OF_ORDER = _ROWS.where(Order.order_id == sa.bindparam("order_id"))
_HELD = "reception.rows"  # session.info: visit id -> Rows, for the life of the session (one unit of work)


def rows_of(session, visit_id: str) -> Rows | None:
    """The visit's rows, read once per session (None: no such visit)."""
    held = session.info.setdefault(_HELD, {})
    if visit_id not in held:
        row = session.execute(_ROWS_OF_VISIT, {"visit_id": visit_id}).first()
        held[visit_id] = None if row is None else Rows(*row)
    return held[visit_id]


def rows_of_order(session, order_id: str) -> Rows | None:
    """The rows of the visit an order was written for, read once per session (None: no such order)."""
    held = session.info.setdefault(_HELD, {})
    found = next((r for r in held.values() if r is not None and r.order and r.order.order_id == order_id), None)
    if found is None:
        row = session.execute(_ROWS_OF_ORDER, {"order_id": order_id}).first()
        if row is None:
            return None
        found = held[row.Visit.visit_id] = Rows(*row)
    return found


def committed(row, values: dict) -> None:
    """`values` written to `row`'s table by a statement of their own: the object held says so, as loaded (no flush
    writes them again)."""
    for name, value in values.items():
        set_committed_value(row, name, value)


def inserted(session, entity, statement, values: dict):
    """A row inserted by `statement` (built once) through the session's connection, held as the session's object
    for it, as if loaded: the unit of work's flush does not write it again. `values` names every column."""
    session.connection().execute(statement, values)
    row = entity(**values)
    make_transient_to_detached(row)
    session.add(row)
    return row


def visit_of(session, visit_id: str) -> Visit:
    rows = rows_of(session, visit_id)
    if rows is None:
        raise NotFound("Visit not found", field="visit_id")
    return rows.visit


def order_of_visit(session, visit_id: str) -> Order | None:
    rows = rows_of(session, visit_id)
    return rows.order if rows is not None else None


def refuse_if_signed(session, visit_id: str) -> None:
    order = order_of_visit(session, visit_id)
    if order is not None and order.status != "draft":
        raise DomainError(
            "The order is signed; changes go through additional work with the customer's consent", code="order_signed"
        )


_INSERT_SHEET = sa.insert(WalkAround.__table__)  # built once


def new_sheet(uow, visit: Visit, **values) -> WalkAround:
    """The visit's walk-around sheet, written at once with `values` (a command that starts the sheet)."""
    words = (visit.complaint or "").lower()
    row = {
        "visit_id": visit.visit_id,
        "covers": {},
        "covers_by": None,
        "sheet": walk_around.empty_sheet(),
        "first_service": any(w.lower() in words for w in FIRST_SERVICE_WORDS),
        "completed_at": None,
        "completed_by": None,
        "updated_at": uow.clock(),
        **values,
    }
    rows = rows_of(uow.session, visit.visit_id)
    rows.sheet = inserted(uow.session, WalkAround, _INSERT_SHEET, row)
    return rows.sheet


def sheet_of(uow, visit: Visit) -> WalkAround:
    rows = rows_of(uow.session, visit.visit_id)
    if rows.sheet is None:
        words = (visit.complaint or "").lower()
        rows.sheet = WalkAround(
            visit_id=visit.visit_id,
            covers={},
            sheet=walk_around.empty_sheet(),
            first_service=any(w.lower() in words for w in FIRST_SERVICE_WORDS),
            updated_at=uow.clock(),
        )
        uow.session.add(rows.sheet)
    return rows.sheet


def new_write_up(uow, visit: Visit) -> dict:
    """A visit's write-up as it starts (every column): the customer's words from the complaint at check-in."""
    return {
        "visit_id": visit.visit_id,
        "customer_words": visit.complaint or "",
        "concern": "",
        "cause": "",
        "correction": "",
        "symptom_codes": [],
        "jobs": [],
        "pay_type": "customer",
        "key_tag": None,
        "open_key_tag": None,
        "customer_waits": None,
        "closed_at": None,
        "updated_at": uow.clock(),
    }


def write_up_of(uow, visit: Visit) -> WriteUp:
    rows = rows_of(uow.session, visit.visit_id)
    if rows.write_up is None:
        rows.write_up = WriteUp(**new_write_up(uow, visit))
        uow.session.add(rows.write_up)
    return rows.write_up


_LAST_MILEAGE = _last_mileage_of(sa.bindparam("vin"))  # one statement, built once


def last_mileage(session, vin: str) -> int | None:
    """The highest reception recorded for this car since its last confirmed odometer change."""
    return session.scalar(_LAST_MILEAGE, {"vin": vin})


def last_mileage_of_visit(session, visit: Visit) -> int | None:
    """`last_mileage` of the visit's car, as its rows were read."""
    rows = rows_of(session, visit.visit_id)
    if rows is None:
        return last_mileage(session, visit.vehicle["vin"])
    if not rows.last_mileage_known:
        rows.last_mileage, rows.last_mileage_known = last_mileage(session, visit.vehicle["vin"]), True
    return rows.last_mileage
