"""The order's rows in four of its side tables (parts received and requested, quality checks, non-conformances) as
the order's view shows them, read together by one statement: a UNION ALL of the four tables' rows of the order,
each row its table's columns and NULL in the others' (cast to those columns' types: PostgreSQL matches each column's
type across the branches, and every value is read as its own table reads it), sorted in Python as each table's
own ORDER BY sorted it. The order's view reads them with the order itself, in the order's columns (order_rows.py);
TABLES names them for both."""

from __future__ import annotations

import sqlalchemy as sa

from ..models import NonConformance, PartReceived, PartsRequest, QualityCheck

# table -> (model, the view's columns, the column its rows are ordered by)
TABLES = {
    "parts_received": (PartReceived, ("line_no", "part_no", "quantity"), "id"),
    "parts_requests": (PartsRequest, ("request_id", "requested_at", "lines"), "requested_at"),
    "quality_checks": (
        QualityCheck,
        (
            "inspector_id",
            "passed",
            "checked_at",
            "findings",
            "items",
            "road_test",
            "wear",
            "deferred_work",
            "washed",
            "finished_bay",
        ),
        "id",
    ),
    "non_conformances": (NonConformance, ("line_no", "item", "cause", "technician_id"), "id"),
}
_ORDER_ID = sa.bindparam("order_id")
_ALL = [(name, column) for name, (_model, columns, _by) in TABLES.items() for column in columns]


_AT = PartsRequest.__table__.c.requested_at.type


def _branch(name: str):
    """The table's rows of the order in the union's columns (its own, and the other tables' as typed NULLs)."""
    model, columns, by = TABLES[name]
    table = model.__table__
    own = {(name, c): table.c[c] for c in columns}
    values = [own.get((t, c), _null(t, c)).label(f"{t}__{c}") for t, c in _ALL]
    return sa.select(
        sa.literal_column(f"'{name}'").label("side"),
        (table.c[by] if by == "id" else sa.cast(sa.null(), sa.Integer)).label("seq"),
        (table.c[by] if by != "id" else sa.cast(sa.null(), _AT)).label("at"),
        *values,
    ).where(table.c.order_id == _ORDER_ID)


def _null(table: str, column: str):
    return sa.cast(sa.null(), TABLES[table][0].__table__.c[column].type)


_SIDE_ROWS = sa.union_all(*(_branch(name) for name in TABLES))
_KEYS = {name: [(f"{name}__{c}", c) for c in columns] for name, (_m, columns, _b) in TABLES.items()}


def side_rows(session, order_id: str) -> dict[str, list[dict]]:
    """table -> the order's rows of it (dicts of the view's columns), each table's rows in its own order."""
    return grouped(session.execute(_SIDE_ROWS, {"order_id": order_id}).mappings())


def grouped(rows) -> dict[str, list[dict]]:
    """The union's rows (mappings) by table, each table's in its own order (by id, or by the time requested: within
    one table the key is always the one or always the other)."""
    found: dict[str, list] = {name: [] for name in TABLES}
    for row in rows:
        found[row["side"]].append(row)
    return {
        name: [{column: row[key] for key, column in _KEYS[name]} for row in sorted(rows, key=_order_of)]
        for name, rows in found.items()
    }


def _order_of(row):
    return row["seq"] if row["at"] is None else row["at"]
