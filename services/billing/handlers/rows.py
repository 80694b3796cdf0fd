"""Billing's statements of every visit as Core, built once: the rows a command writes and does not need as entities
afterwards are inserted or updated directly (the ORM's unit of work costs several times the statement: an insert
added and flushed about 160 µs against 36, a get, set and flush about 280 against 30), and the rows the delivery
and the cashier read come back as plain records of columns (attributes named as the entities'), not entities.
Run on the session's connection: no autoflush, so each caller has flushed (or has no) entities they depend on."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..models import (
    Correction,
    Delivery,
    GatePass,
    Invoice,
    PartsIssue,
    PartsReturn,
    Payment,
    SignedQuote,
    WarrantyClaim,
    WorkDone,
)

INVOICES, QUOTES, WORK = Invoice.__table__, SignedQuote.__table__, WorkDone.__table__
DELIVERIES, CLAIMS, PASSES = Delivery.__table__, WarrantyClaim.__table__, GatePass.__table__

INSERT_QUOTE = QUOTES.insert()
INSERT_INVOICE = INVOICES.insert()
# the order's first bill unless it has one (its unique order id): whether it was inserted, in one statement
INSERT_INVOICE_ONCE = {
    name: insert(INVOICES).on_conflict_do_nothing(index_elements=["order_id"]).returning(INVOICES.c.invoice_id)
    for name, insert in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
INSERT_ISSUE = PartsIssue.__table__.insert()
INSERT_RETURN = PartsReturn.__table__.insert()
INSERT_WORK = WORK.insert()
INSERT_DELIVERY = DELIVERIES.insert()
INSERT_PAYMENT = Payment.__table__.insert()
INSERT_GATE_PASS = PASSES.insert()
INSERT_CORRECTION = Correction.__table__.insert()
# SET the columns given (their names), WHERE the invoice is "b_invoice_id": compiled once for each set of columns
UPDATE_INVOICE = INVOICES.update().where(INVOICES.c.invoice_id == sa.bindparam("b_invoice_id"))

# the bill, locked (FOR UPDATE on PostgreSQL) until the transaction ends, by its order or by its id
LOCKED_INVOICE = sa.select(INVOICES).where(INVOICES.c.order_id == sa.bindparam("order_id")).with_for_update()
LOCKED_INVOICE_BY_ID = sa.select(INVOICES).where(INVOICES.c.invoice_id == sa.bindparam("invoice_id")).with_for_update()
# the same lock by its order, with the columns an event's rebuild reads of it (`invoices._rebuild`: what it sets is
# not read; the audit's problems, waivers, pay types and discount are)
_REBUILT = ("invoice_id", "order_id", "visit_id", "status", "problems", "waived", "pay_types", "discount")
LOCKED_FOR_REBUILD = (
    sa.select(*(INVOICES.c[name] for name in _REBUILT))
    .where(INVOICES.c.order_id == sa.bindparam("order_id"))
    .with_for_update()
)
# the same lock taken by an UPDATE that sets the time of a bill that waits, and answers whether it waits: parts
# issued or returned change nothing else of a waiting bill (or their event rebuilds it, which sets its time again, and
# reads the whole bill); the time of any other bill is left to its rebuild (a paid one is never rebuilt)
_NOW = sa.bindparam("b_now", type_=INVOICES.c.updated_at.type)
TOUCHED_INVOICE = (
    INVOICES.update()
    .where(INVOICES.c.order_id == sa.bindparam("b_order_id"))
    .values(updated_at=sa.case((INVOICES.c.status == "waiting", _NOW), else_=INVOICES.c.updated_at))
    .returning(INVOICES.c.invoice_id, INVOICES.c.status, INVOICES.c.waiting_for, INVOICES.c.updated_at)
)

_PAYMENTS = Payment.__table__
PAYMENTS = sa.select(_PAYMENTS).where(_PAYMENTS.c.invoice_id == sa.bindparam("invoice_id")).order_by(_PAYMENTS.c.at)
_CORRECTIONS = Correction.__table__
CORRECTIONS = (
    sa.select(_CORRECTIONS)
    .where(_CORRECTIONS.c.invoice_id == sa.bindparam("invoice_id"))
    .order_by(_CORRECTIONS.c.correction_id)
)


def _columns(prefix: str, table: sa.Table, names: tuple[str, ...] | None = None) -> list:
    return [column.label(f"{prefix}{column.name}") for column in table.c if names is None or column.name in names]


# the latest signed version of the invoice's order (as `models.quote(session, order_id, None)` reads it)
_LATEST = sa.and_(
    QUOTES.c.order_id == INVOICES.c.order_id,
    QUOTES.c.version
    == sa.select(sa.func.max(QUOTES.c.version))
    .where(QUOTES.c.order_id == INVOICES.c.order_id)
    .correlate(INVOICES)
    .scalar_subquery(),
)
# (prefix, table, a column that is never NULL in a row of it, the columns read: None for all): a record of each, None
# when the outer join found none. The delivery reads of the bill and the work what its view, the delivery and the
# settlement use (`handlers.delivery`, `settlement.settle`), not their audit (variances, waivers, pay types) or the
# jobs and parts reported; the cashier, of the delivery, only whether there is one.
_DELIVERED_INVOICE = ("invoice_id", "order_id", "visit_id", "status", "lines", "total", "advisor_id", "plate")
_DELIVERED_INVOICE += ("customer_name", "bills")
_DELIVERY_PARTS = (("i_", INVOICES, "invoice_id", _DELIVERED_INVOICE), ("q_", QUOTES, "version", None))
_DELIVERY_PARTS += (
    ("w_", WORK, "order_id", ("order_id", "ready_at", "findings")),
    ("d_", DELIVERIES, "order_id", None),
)
DELIVERY_ROWS = (
    sa.select(*(c for prefix, table, _, names in _DELIVERY_PARTS for c in _columns(prefix, table, names)))
    .select_from(INVOICES)
    .outerjoin(QUOTES, _LATEST)
    .outerjoin(WORK, WORK.c.order_id == INVOICES.c.order_id)
    .outerjoin(DELIVERIES, DELIVERIES.c.order_id == INVOICES.c.order_id)
    .where(INVOICES.c.order_id == sa.bindparam("order_id"))
)
_SETTLEMENT_PARTS = (("i_", INVOICES, "invoice_id", None), ("d_", DELIVERIES, "order_id", ("order_id",)))
_SETTLEMENT_PARTS += (("c_", CLAIMS, "invoice_id", None), ("g_", PASSES, "pass_no", None))
_SETTLEMENT_PARTS += (("q_", QUOTES, "version", None),)
_CORRECTED = (
    sa.exists().where(_CORRECTIONS.c.invoice_id == INVOICES.c.invoice_id).correlate(INVOICES).label("corrected")
)
SETTLEMENT_ROWS = (
    sa.select(*(c for prefix, table, _, names in _SETTLEMENT_PARTS for c in _columns(prefix, table, names)), _CORRECTED)
    .select_from(INVOICES)
    .outerjoin(DELIVERIES, DELIVERIES.c.order_id == INVOICES.c.order_id)
    .outerjoin(CLAIMS, CLAIMS.c.invoice_id == INVOICES.c.invoice_id)
    .outerjoin(PASSES, PASSES.c.invoice_id == INVOICES.c.invoice_id)
    .outerjoin(QUOTES, _LATEST)
    .where(INVOICES.c.invoice_id == sa.bindparam("invoice_id"))
)


# an order's signed versions, oldest first, its work done, and the lines of its parts issues and of its returns
# (R-BL-3, each in id order, as `models.parts_moved` reads them), in one statement: a row's `kind` says which it is
_ISSUES, _RETURNS = PartsIssue.__table__, PartsReturn.__table__
_Q_REST, _W_REST = [c for c in QUOTES.c if c.name != "order_id"], [c for c in WORK.c if c.name != "order_id"]
_MOVED_COLUMNS = [(f"q_{c.name}", c) for c in _Q_REST] + [(f"w_{c.name}", c) for c in _W_REST]
_MOVED_COLUMNS += [("m_id", _ISSUES.c.request_id), ("m_lines", _ISSUES.c.lines)]


def _moved_part(kind: int, table: sa.Table, own: dict[str, str]) -> sa.Select:
    """One part of VERSIONS_WORK_AND_MOVED: `table`'s columns `own` ({label: column name}), NULL (cast) elsewhere."""
    columns = [
        table.c[own[label]].label(label) if label in own else sa.cast(sa.null(), column.type).label(label)
        for label, column in _MOVED_COLUMNS
    ]
    return sa.select(sa.literal(kind).label("kind"), *columns).where(table.c.order_id == sa.bindparam("order_id"))


_MOVED = sa.union_all(
    _moved_part(0, QUOTES, {f"q_{c.name}": c.name for c in _Q_REST}),
    _moved_part(1, WORK, {f"w_{c.name}": c.name for c in _W_REST}),
    _moved_part(2, _ISSUES, {"m_id": "request_id", "m_lines": "lines"}),
    _moved_part(3, _RETURNS, {"m_id": "return_id", "m_lines": "lines"}),
)
VERSIONS_WORK_AND_MOVED = _MOVED.order_by(
    _MOVED.selected_columns.kind, _MOVED.selected_columns.q_version, _MOVED.selected_columns.m_id
)
VERSIONS = sa.select(QUOTES).where(QUOTES.c.order_id == sa.bindparam("order_id")).order_by(QUOTES.c.version)
WORK_DONE = sa.select(WORK).where(WORK.c.order_id == sa.bindparam("order_id"))
UPDATE_WORK = WORK.update().where(WORK.c.order_id == sa.bindparam("b_order_id"))


def _keys(parts) -> tuple:
    """For each part of a joined row: its never-NULL column's label, and (label, name) of each column read."""
    return tuple(
        (f"{prefix}{key}", tuple((column.key, column.key[len(prefix) :]) for column in _columns(prefix, table, names)))
        for prefix, table, key, names in parts
    )


_DELIVERY_KEYS, _SETTLEMENT_KEYS = _keys(_DELIVERY_PARTS), _keys(_SETTLEMENT_PARTS)


def _split(row, keys) -> tuple | None:
    if row is None:
        return None
    return tuple(
        SimpleNamespace(**{name: row[label] for label, name in labels}) if row[present] is not None else None
        for present, labels in keys
    )


def locked_invoice(session, *, order_id: str | None = None, invoice_id: str | None = None):
    """The invoice of `order_id` (or `invoice_id`) as a record of its columns, locked; None if there is none."""
    statement, key = (LOCKED_INVOICE, order_id) if invoice_id is None else (LOCKED_INVOICE_BY_ID, invoice_id)
    found = session.connection().execute(statement, {"order_id" if invoice_id is None else "invoice_id": key})
    row = found.mappings().first()
    return None if row is None else SimpleNamespace(**row)


def locked_for_rebuild(session, order_id: str):
    """The invoice of `order_id` locked, as a record of the columns an event's rebuild reads (LOCKED_FOR_REBUILD);
    None if there is none."""
    row = session.connection().execute(LOCKED_FOR_REBUILD, {"order_id": order_id}).mappings().first()
    return None if row is None else SimpleNamespace(**row)


def touched_invoice(session, order_id: str, now):
    """The order's bill locked as by `locked_invoice`, its time set to `now` if it waits, in one statement (see
    TOUCHED_INVOICE): a record of its id, status, waiting list and time; None if there is none."""
    row = session.connection().execute(TOUCHED_INVOICE, {"b_order_id": order_id, "b_now": now}).mappings().first()
    return None if row is None else SimpleNamespace(**row)


def versions_work_and_moved(session, order_id: str) -> tuple[list, object, tuple[list[dict], list[dict]]]:
    """The order's signed versions (oldest first) and its work done (None if not reported) as records of their
    columns, as `models.versions_and_work` reads them for an order that has an invoice, and the lines of its parts
    issues and of its returns with Decimal quantities, as `models.parts_moved`: in one statement."""
    versions, work, moved = [], None, ([], [])
    for row in session.connection().execute(VERSIONS_WORK_AND_MOVED, {"order_id": order_id}).mappings():
        kind = row["kind"]
        if kind == 0:
            versions.append(SimpleNamespace(order_id=order_id, **{c.name: row[f"q_{c.name}"] for c in _Q_REST}))
        elif kind == 1:
            work = SimpleNamespace(order_id=order_id, **{c.name: row[f"w_{c.name}"] for c in _W_REST})
        else:
            moved[kind - 2].extend({**line, "quantity": Decimal(line["quantity"])} for line in row["m_lines"])
    return versions, work, moved


def work_done(session, order_id: str):
    """The order's work done as a row of its columns, or None (`models.work_done`)."""
    return session.connection().execute(WORK_DONE, {"order_id": order_id}).first()


def quotes(session, order_id: str) -> list:
    """Every signed version billing holds for the order, oldest first, as rows of their columns (`models.quotes`)."""
    return list(session.connection().execute(VERSIONS, {"order_id": order_id}))


def delivery_rows(session, order_id: str):
    """(invoice, latest signed version, work done, delivery) of an order as records of their columns (those of
    _DELIVERY_PARTS), in one statement, the last three None when absent; None without an invoice (as
    `models.delivery_rows`)."""
    return _split(
        session.connection().execute(DELIVERY_ROWS, {"order_id": order_id}).mappings().first(), _DELIVERY_KEYS
    )


def settlement_rows(session, invoice_id: str):
    """(invoice, delivery, warranty claim, gate pass, latest signed version) as records of their columns (of the
    delivery, its order id: whether there is one), and whether the invoice has corrections (its audit trail, read
    only then), in one statement; all but the invoice None when absent; None without the invoice (as
    `models.settlement_rows`)."""
    row = session.connection().execute(SETTLEMENT_ROWS, {"invoice_id": invoice_id}).mappings().first()
    return None if row is None else (*_split(row, _SETTLEMENT_KEYS), bool(row["corrected"]))


def payments(session, invoice_id: str) -> list:
    """The invoice's payments and refunds by time, as rows of their columns."""
    return list(session.connection().execute(PAYMENTS, {"invoice_id": invoice_id}))


def corrections(session, invoice_id: str) -> list:
    """The invoice's audit trail, as rows of their columns."""
    return list(session.connection().execute(CORRECTIONS, {"invoice_id": invoice_id}))


def insert_correction(uow, invoice_id: str, kind: str, reason: str, detail: dict) -> None:
    """One line of the invoice's audit trail, by the unit of work's actor ("system" for an event), now."""
    values = {"kind": kind, "actor_id": uow.actor_id or "system", "at": uow.clock(), "reason": reason}
    uow.session.connection().execute(INSERT_CORRECTION, {"invoice_id": invoice_id, **values, "detail": detail})


def insert_invoice_once(session, values: dict) -> bool | None:
    """Insert the order's first bill unless it has one: whether it did; None on a database without ON CONFLICT."""
    statement = INSERT_INVOICE_ONCE.get(session.get_bind().dialect.name)
    if statement is None:
        return None
    return session.connection().execute(statement, values).first() is not None


def update_invoice(session, invoice, *names: str) -> None:
    """One UPDATE of the invoice's columns `names` to the values `invoice` (a record) holds now."""
    session.connection().execute(
        UPDATE_INVOICE, {"b_invoice_id": invoice.invoice_id, **{n: getattr(invoice, n) for n in names}}
    )
