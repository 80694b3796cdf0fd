"""The rows of an order's view as one statement reads them: the order, which of its side tables hold rows of it, its
jobs by line, and its rows of four side tables (side.py). The view (views.py) is built from them; a floor command
that reads them first (dispatch, finishing a job, a passed quality check) changes them as it writes the tables and
leaves them for its answer, which is then built without reading the order again (`keep`, `kept`)."""

from __future__ import annotations

import json
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace

import sqlalchemy as sa

from kit.types import Quantity, UtcDateTime

from ..models import (
    AdditionalWorkRequest,
    ClockCorrection,
    HelpTicket,
    Job,
    JobInterval,
    NonConformance,
    PartReceived,
    PartsRequest,
    QualityCheck,
    TechnicianNotice,
    WorkOrder,
)
from . import side

_ORDER_ID = sa.bindparam("order_id")
# the order's side tables, each asked whether it holds rows of the order (one statement for all)
SIDE = (
    PartReceived,
    PartsRequest,
    QualityCheck,
    NonConformance,
    HelpTicket,
    AdditionalWorkRequest,
    TechnicianNotice,
    JobInterval,
    ClockCorrection,
)
HAS = [sa.exists().where(m.__table__.c.order_id == _ORDER_ID).label(m.__tablename__) for m in SIDE]
_WO, _JOB = WorkOrder.__table__, Job.__table__
ORDER_COLUMNS = (
    "order_id",
    "version",
    "visit_id",
    "plate",
    "vin",
    "advisor_id",
    "team_leader",
    "promised_at",
    "status",
    "technician_id",
    "bay_id",
    "dispatched_at",
    "ready_at",
    "comeback_of",
    "waiting_parts",
    "parts_expected_on",
)
JOB_COLUMNS = tuple(c.name for c in _JOB.c if c.name not in ("report", "signature"))  # what the view shows
JobRow = namedtuple("JobRow", JOB_COLUMNS)
_HAS_NAMES = tuple(m.__tablename__ for m in SIDE)


_EXTRA_JSON = 2  # the order's rows have two JSON columns (a job's); a quality check's rows need four


def _kind(column_type):
    """Which columns of the order's rows a side table's column may share: the same result processing."""
    for kind in (UtcDateTime, Quantity, sa.JSON, sa.Boolean, sa.Integer, sa.Date, sa.String):
        if isinstance(column_type, kind):
            return kind
    raise TypeError(f"no shared column for {column_type!r}")


def _order_branch():
    """The order, which side tables hold its rows, and its jobs (one row a job; one row of NULL jobs without any);
    then two JSON columns of NULLs for the side tables' rows."""
    return (
        sa.select(
            sa.literal_column("'order'").label("side"),
            *(_WO.c[name] for name in ORDER_COLUMNS),
            *HAS,
            *(_JOB.c[name] for name in JOB_COLUMNS),
            *(sa.cast(sa.null(), sa.JSON).label(f"json_{i}") for i in range(_EXTRA_JSON)),
        )
        .select_from(_WO.outerjoin(_JOB, _JOB.c.order_id == _WO.c.order_id))
        .where(_WO.c.order_id == _ORDER_ID)
    )


def _layout(order_branch) -> dict[str, list[tuple[str, int]]]:
    """side table -> [(its column, the position it takes in the rows)]: each of its columns (and `seq`, its id, when
    its rows are in the order of their ids) in a column of the order's rows of the same kind, so that a row of the
    union is no wider than the order's and every value is read as its own table reads it."""
    kinds = [_kind(c.type) for c in list(order_branch.selected_columns)[1:]]
    layout = {}
    for name, (model, columns, by) in side.TABLES.items():
        table, free, placed = model.__table__, list(enumerate(kinds, start=1)), []
        for column in ("seq", *columns) if by == "id" else columns:
            kind = _kind(table.c[by if column == "seq" else column].type)
            position = next(p for p, k in free if k is kind)
            free.remove((position, kind))
            placed.append((column, position))
        layout[name] = placed
    return layout


_ORDER_BRANCH = _order_branch()
LAYOUT = _layout(_ORDER_BRANCH)
_WIDTH = len(_ORDER_BRANCH.selected_columns)


def _side_branch(name: str, extra: int):
    model, _columns, by = side.TABLES[name]
    table = model.__table__
    at = dict(LAYOUT[name])
    values = [sa.null()] * _WIDTH
    values[0] = sa.literal_column(f"'{name}'")
    for column, position in at.items():
        values[position] = table.c[by if column == "seq" else column]
    return sa.select(*values, *(sa.null() for _ in range(extra))).where(table.c.order_id == _ORDER_ID)


def _statement(*extra: str):
    """The order's rows (`_order_branch`, then `extra`: more of the order's columns), and its rows of the four side
    tables side.py names, by one UNION ALL (`side` says which rows are which; LAYOUT where each value is)."""
    return sa.union_all(
        _ORDER_BRANCH.add_columns(*(_WO.c[name] for name in extra)),
        *(_side_branch(name, len(extra)) for name in side.TABLES),
    )


VIEW = _statement()
VIEW_AND_SIGNED = _statement("signed")  # dispatch forwards the signed order to the parts counter
_ORDER = slice(1, 1 + len(ORDER_COLUMNS))
_HAS_AT = slice(_ORDER.stop, _ORDER.stop + len(HAS))
_JOBS_AT = slice(_HAS_AT.stop, _HAS_AT.stop + len(JOB_COLUMNS))
_SIGNED_AT = _WIDTH
_ORDERED_BY = {
    name: dict(LAYOUT[name])["seq" if by == "id" else by] for name, (_model, _columns, by) in side.TABLES.items()
}


def _sides(rows) -> dict[str, list[dict]]:
    """The side tables' rows by table, each table's in its own order (by id, or by the time requested)."""
    found: dict[str, list] = {name: [] for name in side.TABLES}
    for row in rows:
        found[row[0]].append(row)
    out = {}
    for name, table_rows in found.items():
        if len(table_rows) > 1:
            table_rows.sort(key=lambda row, at=_ORDERED_BY[name]: row[at])
        out[name] = [{column: row[p] for column, p in LAYOUT[name] if column != "seq"} for row in table_rows]
    return out


@dataclass
class OrderRows:
    """`order`: its columns as attributes (ORDER_COLUMNS, and `signed` when read); `jobs`: JobRows by line; `has`:
    side table -> whether it holds rows of the order; `sides`: the rows of the tables side.py reads; `settings`:
    the floor's settings the command worked with (FloorSettings), for its answer."""

    order: SimpleNamespace
    jobs: list
    has: dict
    sides: dict = field(default_factory=dict)
    settings: object = None

    def job(self, line_no: int):
        return next((j for j in self.jobs if j.line_no == line_no), None)

    def set_order(self, **changed) -> None:
        for name, value in changed.items():
            setattr(self.order, name, _as_read(value))

    def set_job(self, line_no: int, **changed) -> None:
        """The job's columns as written (times as read back: UTC; JSON as read back)."""
        self.jobs = [
            j._replace(**{name: _as_read(value) for name, value in changed.items()}) if j.line_no == line_no else j
            for j in self.jobs
        ]

    def add_side(self, table: str, row: dict) -> None:
        """A row written to one of side.py's tables: its view's columns, after the rows read (in each table's
        order: by id, the new row last; by the time requested, after the rows of the same time)."""
        _model, columns, by = side.TABLES[table]
        rows = [*self.sides[table], {c: _as_read(row[c]) for c in columns}]
        if by != "id":  # a later id is the last row already; a time is sorted as side.grouped sorts it (stable)
            rows.sort(key=lambda r: r[by])
        self.sides[table] = rows
        self.has = {**self.has, table: True}


def read(session, order_id: str, *, signed: bool = False) -> OrderRows | None:
    """The order's view rows (one statement), None when there is no such order; `signed`: its signed order too."""
    rows = session.execute(VIEW_AND_SIGNED if signed else VIEW, {"order_id": order_id}).all()
    main = sorted((row for row in rows if row[0] == "order"), key=lambda row: row.line_no or 0)
    if not main:
        return None
    first = main[0]
    order = SimpleNamespace(**dict(zip(ORDER_COLUMNS, first[_ORDER], strict=True)))
    if signed:
        order.signed = first[_SIGNED_AT]
    return OrderRows(
        order=order,
        jobs=[JobRow._make(row[_JOBS_AT]) for row in main if row.line_no is not None],
        has=dict(zip(_HAS_NAMES, first[_HAS_AT], strict=True)),
        sides=_sides(row for row in rows if row[0] != "order"),
    )


_KEPT = "workshop.order_rows"


def keep(session, rows: OrderRows) -> None:
    """The order's rows as the command left them, for its answer in the same transaction (`kept`)."""
    session.info.setdefault(_KEPT, {})[rows.order.order_id] = rows


def kept(session, order_id: str) -> OrderRows | None:
    """The rows a command of this transaction kept for the order (taken: an answer uses them once)."""
    return session.info.get(_KEPT, {}).pop(order_id, None)


def _as_read(value):
    """A value as the tables give it back: aware times in UTC, JSON documents as decoded from their text."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, dict | list | tuple):
        return json.loads(json.dumps(value, ensure_ascii=False))
    return value
