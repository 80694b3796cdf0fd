"""The rows a write-up works on: the visit, its order, its walk-around sheet and write-up, the last mileage.
Shared by the walk-around, write-up and order use cases.

They are read together, in one Core statement, once per unit of work (`rows_of`), as plain rows (`Held`), not ORM
objects: a command and the view it answers with (kit.uow.answering) work on the same rows instead of reading each
table again, and the flags the statement carries (any finding, any odometer change of the visit, the price list in
force) spare the queries their answer is known by. A command writes what it changes at once, with statements built
once (`saved`, `inserted`): only the columns it changed, as the ORM's flush wrote them, so the stored rows are the
same."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import sqlalchemy as sa
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


class Held(SimpleNamespace):
    """One row of `table` as a unit of work holds it: its columns as attributes (not an ORM object: nothing is
    flushed from it; `saved` writes a change)."""

    table: sa.Table
    pending = False  # a new row not written yet (`sheet_of`, `write_up_of`): `saved` inserts it whole


class HeldVisit(Held):
    table = Visit.__table__


class HeldOrder(Held):
    table = Order.__table__


class HeldSheet(Held):
    table = WalkAround.__table__


class HeldWriteUp(Held):
    table = WriteUp.__table__


@dataclass(eq=False)
class Rows:
    """One visit's rows as a unit of work holds them."""

    visit: HeldVisit
    order: HeldOrder | None
    sheet: HeldSheet | None
    write_up: HeldWriteUp | None
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

_HELD_KINDS = (HeldVisit, HeldOrder, HeldSheet, HeldWriteUp)  # the statement's tables, in its column order
_KEYS = [tuple(c.key for c in kind.table.c) for kind in _HELD_KINDS]
_V, _O, _S, _W = (kind.table for kind in _HELD_KINDS)
_ROWS = (  # built once: every write-up command and view reads it
    sa.select(
        *(c.label(f"{i}_{c.key}") for i, kind in enumerate(_HELD_KINDS) for c in kind.table.c),
        HAS_FINDINGS,
        sa.exists().where(OdometerChange.visit_id == _V.c.visit_id).label("has_odometer_changes"),
        _last_mileage_of(_V.c.vehicle["vin"].as_string()).scalar_subquery().label("last_mileage"),
        PRICE_LIST_IN_FORCE,
    )
    .select_from(_V)
    .outerjoin(_O, _O.c.visit_id == _V.c.visit_id)
    .outerjoin(_S, _S.c.visit_id == _V.c.visit_id)
    .outerjoin(_W, _W.c.visit_id == _V.c.visit_id)
)
_ROWS_OF_VISIT = _ROWS.where(_V.c.visit_id == sa.bindparam("visit_id"))
_ROWS_OF_ORDER = _ROWS.where(_O.c.order_id == sa.bindparam("order_id"))
_HELD = "reception.rows"  # session.info: visit id -> Rows, for the life of the session (one unit of work)


def _rows(row) -> Rows:
    """A row of `_ROWS` as the visit's rows (an outer-joined table's row is None when its key is NULL)."""
    held, at = [], 0
    for kind, keys in zip(_HELD_KINDS, _KEYS, strict=True):
        values = row[at : at + len(keys)]
        held.append(None if values[0] is None else kind(**dict(zip(keys, values, strict=True))))
        at += len(keys)
    return Rows(*held, *row[at:])


def rows_of(session, visit_id: str) -> Rows | None:
    """The visit's rows, read once per session (None: no such visit)."""
    held = session.info.setdefault(_HELD, {})
    if visit_id not in held:
        row = session.connection().execute(_ROWS_OF_VISIT, {"visit_id": visit_id}).first()
        held[visit_id] = None if row is None else _rows(row)
    return held[visit_id]


def rows_of_order(session, order_id: str) -> Rows | None:
    """The rows of the visit an order was written for, read once per session (None: no such order)."""
    held = session.info.setdefault(_HELD, {})
    found = next((r for r in held.values() if r is not None and r.order and r.order.order_id == order_id), None)
    if found is None:
        row = session.connection().execute(_ROWS_OF_ORDER, {"order_id": order_id}).first()
        if row is None:
            return None
        found = _rows(row)
        held[found.visit.visit_id] = found
    return found


def held_visit(session, visit_id: str):
    """The visit as this unit of work holds it (its rows read already), else the session's ORM object."""
    rows = session.info.get(_HELD, {}).get(visit_id)
    return rows.visit if rows is not None else session.get(Visit, visit_id)


def committed(row, values: dict) -> None:
    """`values` written to `row`'s table by a statement of their own: the row held says so (an ORM object as
    loaded: no flush writes them again)."""
    if isinstance(row, Held):
        row.__dict__.update(values)
        return
    for name, value in values.items():
        set_committed_value(row, name, value)


_UPDATES: dict = {}  # (table, columns) -> its UPDATE by key, built once per shape


def _update(table: sa.Table, columns: tuple[str, ...]):
    statement = _UPDATES.get((table, columns))
    if statement is None:
        key = table.primary_key.columns[0]
        statement = sa.update(table).where(key == sa.bindparam("_key")).values({c: sa.bindparam(c) for c in columns})
        statement = _UPDATES[(table, columns)] = statement
    return statement


_INSERTS: dict = {}  # table -> its INSERT, built once


def _insert(table: sa.Table):
    statement = _INSERTS.get(table)
    if statement is None:
        statement = _INSERTS[table] = sa.insert(table)
    return statement


def saved(session, row: Held, values: dict) -> Held:
    """`values` (the columns a command changed) written to the row held, at once: an UPDATE of those columns only
    (as a flush of the ORM object wrote them), or the whole row when it is new."""
    if not row.pending:  # as the ORM's flush: a column given its own value again is not written
        values = {name: value for name, value in values.items() if getattr(row, name) != value}
    row.__dict__.update(values)
    table = row.table
    if row.pending:
        session.connection().execute(_insert(table), {c.key: getattr(row, c.key) for c in table.c})
        del row.pending  # written: the class's False again
        return row
    if values:
        key = table.primary_key.columns[0].key
        session.connection().execute(_update(table, tuple(values)), {"_key": getattr(row, key), **values})
    return row


def inserted(session, kind: type[Held], values: dict) -> Held:
    """A new row of `kind`'s table inserted at once (a statement built once), held as written. `values` names
    every column."""
    session.connection().execute(_insert(kind.table), values)
    return kind(**values)


def visit_of(session, visit_id: str) -> HeldVisit:
    rows = rows_of(session, visit_id)
    if rows is None:
        raise NotFound("Visit not found", field="visit_id")
    return rows.visit


def order_of_visit(session, visit_id: str) -> HeldOrder | None:
    rows = rows_of(session, visit_id)
    return rows.order if rows is not None else None


def refuse_if_signed(session, visit_id: str) -> None:
    order = order_of_visit(session, visit_id)
    if order is not None and order.status != "draft":
        raise DomainError(
            "The order is signed; changes go through additional work with the customer's consent", code="order_signed"
        )


def _sheet_values(uow, visit) -> dict:
    words = (visit.complaint or "").lower()
    return {
        "visit_id": visit.visit_id,
        "covers": {},
        "covers_by": None,
        "sheet": walk_around.empty_sheet(),
        "first_service": any(w.lower() in words for w in FIRST_SERVICE_WORDS),
        "completed_at": None,
        "completed_by": None,
        "updated_at": uow.clock(),
    }


def new_sheet(uow, visit, **values) -> HeldSheet:
    """The visit's walk-around sheet, written at once with `values` (a command that starts the sheet)."""
    rows = rows_of(uow.session, visit.visit_id)
    rows.sheet = inserted(uow.session, HeldSheet, {**_sheet_values(uow, visit), **values})
    return rows.sheet


def sheet_of(uow, visit) -> HeldSheet:
    """The visit's sheet; a new one is held pending, written whole by the command's first `saved`."""
    rows = rows_of(uow.session, visit.visit_id)
    if rows.sheet is None:
        rows.sheet = HeldSheet(**_sheet_values(uow, visit), pending=True)
    return rows.sheet


def new_write_up(uow, visit) -> dict:
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


def write_up_of(uow, visit) -> HeldWriteUp:
    """The visit's write-up; a new one is held pending, written whole by the command's first `saved`."""
    rows = rows_of(uow.session, visit.visit_id)
    if rows.write_up is None:
        rows.write_up = HeldWriteUp(**new_write_up(uow, visit), pending=True)
    return rows.write_up


_LAST_MILEAGE = _last_mileage_of(sa.bindparam("vin"))  # one statement, built once


def last_mileage(session, vin: str) -> int | None:
    """The highest reception recorded for this car since its last confirmed odometer change."""
    return session.scalar(_LAST_MILEAGE, {"vin": vin})


def last_mileage_of_visit(session, visit) -> int | None:
    """`last_mileage` of the visit's car, as its rows were read."""
    rows = rows_of(session, visit.visit_id)
    if rows is None:
        return last_mileage(session, visit.vehicle["vin"])
    if not rows.last_mileage_known:
        rows.last_mileage, rows.last_mileage_known = last_mileage(session, visit.vehicle["vin"]), True
    return rows.last_mileage
