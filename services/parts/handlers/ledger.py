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
# every stock row of some parts at some locations, locked in one statement, in one order (part, location) so two
# transactions locking overlapping rows wait for each other instead of deadlocking
_LOCKED_LEVELS = (
    sa.select(StockLevel)
    .where(
        StockLevel.part_no.in_(sa.bindparam("part_nos", expanding=True)),
        StockLevel.location.in_(sa.bindparam("locations", expanding=True)),
    )
    .order_by(StockLevel.part_no, StockLevel.location)
    .with_for_update()
    .execution_options(populate_existing=True)
)
# issued (+) and returned (-) quantities of an order by signed line, in one statement
_ISSUED_LESS_RETURNED = sa.union_all(
    sa.select(IssueLine.line_no, IssueLine.quantity, sa.literal(1).label("sign")).where(
        IssueLine.order_id == sa.bindparam("order_id")
    ),
    sa.select(PartsReturn.line_no, PartsReturn.quantity, sa.literal(-1)).where(
        PartsReturn.order_id == sa.bindparam("order_id")
    ),
)


def locked_level(session, part_no: str, location: str) -> StockLevel:
    """The stock row, locked until commit (SELECT … FOR UPDATE on PostgreSQL): concurrent issues of the same
    part wait for each other and each sees what the one before left."""
    row = session.execute(_LOCKED_LEVEL, {"part_no": part_no, "location": location}).scalar_one_or_none()
    if row is None:
        row = StockLevel(part_no=part_no, location=location, quantity=Decimal("0"))
        session.add(row)
    return row


class Batch:
    """What one command moves and writes: the stock rows it locked at once (`lock`), and its ledger entries and
    other new rows, inserted together by `write`: one statement a table (the ORM inserts the rows of a table
    whose key the database generates one at a time, on SQLite)."""

    def __init__(self, levels: dict[tuple[str, str], StockLevel]):
        self.levels = levels
        self.rows: dict[sa.Table, list[dict]] = {}

    def insert(self, model, **values) -> None:
        self.rows.setdefault(model.__table__, []).append(values)

    def write(self, session) -> None:
        for table, rows in self.rows.items():
            session.execute(_insert(table), rows)
        self.rows.clear()


@functools.cache
def _insert(table: sa.Table) -> sa.Insert:
    return sa.insert(table)  # built once a table


def lock(session, part_nos, locations) -> Batch:
    """The stock rows of `part_nos` at `locations`, locked until commit like `locked_level`, in one statement; a
    row that does not exist yet is created by `move`."""
    if not part_nos:
        return Batch({})
    rows = session.scalars(_LOCKED_LEVELS, {"part_nos": sorted(part_nos), "locations": sorted(locations)})
    return Batch({(row.part_no, row.location): row for row in rows})


def _level(session, batch: Batch | None, part_no: str, location: str) -> StockLevel:
    if batch is None:
        return locked_level(session, part_no, location)
    row = batch.levels.get((part_no, location))
    if row is None:
        row = batch.levels[(part_no, location)] = StockLevel(part_no=part_no, location=location, quantity=ZERO)
        session.add(row)
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
