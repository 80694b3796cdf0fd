"""The stock ledger: every move of stock between locations, locked row by row so stock never goes negative."""

from __future__ import annotations

import functools
from decimal import Decimal

import sqlalchemy as sa

from kit.errors import DomainError

from .. import domain
from ..models import IssueLine, Part, PartsReturn, StockLevel, StockMove

ZERO = Decimal("0")


def part(session, part_no: str, field: str = "part_no") -> Part:
    """A known part, or refused naming the field."""
    found = session.get(Part, (part_no or "").strip().upper()) if part_no else None
    if found is None:
        raise DomainError(
            "Unknown part number {part_no}", field=field, code="unknown_part", part_no=(part_no or "")[:40]
        )
    return found


def levels(session, part_nos: set[str], location: str) -> dict[str, Decimal]:
    rows = session.scalars(
        sa.select(StockLevel).where(StockLevel.part_no.in_(part_nos), StockLevel.location == location)
    )
    return {row.part_no: row.quantity for row in rows}


# built once: a statement built per call costs more CPU (coercions, cache key) than running it on SQLite
_LOCKED_LEVEL = (
    sa.select(StockLevel)
    .where(StockLevel.part_no == sa.bindparam("part_no"), StockLevel.location == sa.bindparam("location"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_L = StockLevel.__table__
# every stock row of some parts at some locations, locked in one statement, in one order (part, location) so two
# transactions locking overlapping rows wait for each other instead of deadlocking; as columns (Core): `Batch`
# writes what changes
_LOCKED_LEVELS = (
    sa.select(_L.c.part_no, _L.c.location, _L.c.quantity)
    .where(
        _L.c.part_no.in_(sa.bindparam("part_nos", expanding=True)),
        _L.c.location.in_(sa.bindparam("locations", expanding=True)),
    )
    .order_by(_L.c.part_no, _L.c.location)
    .with_for_update()
)
_NEW_LEVEL = sa.insert(_L)
_SET_LEVEL = (
    sa.update(_L)
    .where(_L.c.part_no == sa.bindparam("p"), _L.c.location == sa.bindparam("loc"))
    .values(quantity=sa.bindparam("quantity", type_=_L.c.quantity.type))
)
# issued (+) and returned (-) quantities of an order by signed line, in one statement
_I, _R = IssueLine.__table__.c, PartsReturn.__table__.c
_ISSUED_LESS_RETURNED = sa.union_all(
    sa.select(_I.line_no, _I.quantity, sa.literal(1).label("sign")).where(_I.order_id == sa.bindparam("order_id")),
    sa.select(_R.line_no, _R.quantity, sa.literal(-1)).where(_R.order_id == sa.bindparam("order_id")),
)


def locked_level(session, part_no: str, location: str) -> StockLevel:
    """The stock row, locked until commit (SELECT … FOR UPDATE on PostgreSQL): concurrent issues of the same
    part wait for each other and each sees what the one before left."""
    row = session.execute(_LOCKED_LEVEL, {"part_no": part_no, "location": location}).scalar_one_or_none()
    if row is None:
        row = StockLevel(part_no=part_no, location=location, quantity=Decimal("0"))
        session.add(row)
    return row


class Row(dict):
    """A row's values, read and set as attributes like the entity it stands for: what `Batch` inserts or updates
    (the dict itself is the statement's parameters, so a value set after it was added is the one written)."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value


class Batch:
    """What one command moves and writes: the stock rows it locked at once (`lock`: Rows, not entities), and its
    ledger entries and other new rows, inserted together by `write`: one statement a table (the ORM inserts the rows
    of a table whose key the database generates one at a time, on SQLite), then the stock rows that changed and
    the other updates, one statement each. Nothing is tracked by the session: `write` runs on its connection."""

    def __init__(self, levels: dict[tuple[str, str], Row]):
        self.levels = levels
        self.rows: dict[sa.Table, list[dict]] = {}
        self.updates: dict[sa.Update, list[dict]] = {}

    def insert(self, model, **values) -> None:
        self.rows.setdefault(model.__table__, []).append(values)

    def add(self, model, row: Row) -> Row:
        """`row` inserted by `write` with the values it holds then."""
        self.rows.setdefault(model.__table__, []).append(row)
        return row

    def update(self, statement: sa.Update, values: dict) -> None:
        self.updates.setdefault(statement, []).append(values)

    def write(self, session) -> None:
        connection = session.connection()
        new = [
            {"part_no": r.part_no, "location": r.location, "quantity": r.quantity}
            for r in self.levels.values()
            if r.was is None
        ]
        if new:
            connection.execute(_NEW_LEVEL, new)
        for table, rows in self.rows.items():
            connection.execute(_insert(table), rows)
        changed = [
            {"p": r.part_no, "loc": r.location, "quantity": r.quantity}
            for r in self.levels.values()
            if r.was is not None and r.quantity != r.was
        ]
        if changed:
            connection.execute(_SET_LEVEL, changed)
        for statement, rows in self.updates.items():
            connection.execute(statement, rows)
        for r in self.levels.values():
            r.was = r.quantity
        self.rows.clear()
        self.updates.clear()


@functools.cache
def _insert(table: sa.Table) -> sa.Insert:
    return sa.insert(table)  # built once a table


def lock(session, part_nos, locations) -> Batch:
    """The stock rows of `part_nos` at `locations`, locked until commit like `locked_level`, in one statement; a
    row that does not exist yet is created by `move`."""
    if not part_nos:
        return Batch({})
    rows = session.connection().execute(_LOCKED_LEVELS, {"part_nos": sorted(part_nos), "locations": sorted(locations)})
    return locked(rows)


def locked(rows) -> Batch:
    """The Batch of stock rows (part_no, location, quantity) a statement locked (as `lock`: see _LOCKED_LEVELS)."""
    return Batch(
        {
            (r.part_no, r.location): Row(part_no=r.part_no, location=r.location, quantity=r.quantity, was=r.quantity)
            for r in rows
        }
    )


def _level(session, batch: Batch | None, part_no: str, location: str):
    if batch is None:
        return locked_level(session, part_no, location)
    row = batch.levels.get((part_no, location))
    if row is None:  # inserted by batch.write
        row = batch.levels[(part_no, location)] = Row(part_no=part_no, location=location, quantity=ZERO, was=None)
    return row


def move(
    uow,
    part_no: str,
    quantity: Decimal,
    source: str | None,
    target: str | None,
    reason: str,
    ref: str,
    batch: Batch | None = None,
):
    """One ledger entry: `quantity` of `part_no` from `source` (None: from outside, e.g. a supplier) to `target`
    (None: left stock, e.g. issued to a job). The source never goes below zero (domain.withdraw).

    `batch`: the rows already locked (`lock`); the stock rows change with the transaction's next flush and the
    entry is written by `batch.write`, with the others of the same command."""
    session = uow.session
    if source is not None and source != target:  # shelf to shelf (a reschedule) moves nothing, only records
        level = _level(session, batch, part_no, source)
        level.quantity = domain.withdraw(level.quantity, quantity, part_no)
    if target is not None and target != source:
        level = _level(session, batch, part_no, target)
        level.quantity = level.quantity + quantity
    entry = {
        "part_no": part_no,
        "from_location": source,
        "to_location": target,
        "quantity": quantity,
        "reason": reason,
        "reference": ref[:80],
        "moved_at": uow.clock(),
        "actor_id": uow.actor_id,
    }
    if batch is not None:
        batch.insert(StockMove, **entry)
        return
    session.add(StockMove(**entry))
    session.flush()


def part_or_none(session, part_no: str) -> Part | None:
    return session.get(Part, part_no)


def issued_by_line(session, order_id: str) -> dict[int, Decimal]:
    """Issued less returned, per signed line of the order (every request and version)."""
    out: dict[int, Decimal] = {}
    for line_no, quantity, sign in session.execute(_ISSUED_LESS_RETURNED, {"order_id": order_id}):
        out[line_no] = out.get(line_no, ZERO) + (quantity if sign > 0 else -quantity)
    return out
