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


def _statement(*extra: str):
    """The order, which side tables hold its rows, and its jobs (one row a job; one row of NULL jobs without any),
    then the order's rows of four side tables by one UNION ALL (`side` says which rows are which); `extra`: more of
    the order's columns, last in its rows."""
    width = len(ORDER_COLUMNS) + len(HAS) + len(JOB_COLUMNS)
    return sa.union_all(
        sa.select(
            sa.literal_column("'order'").label("side"),
            *(_WO.c[name] for name in ORDER_COLUMNS),
            *HAS,
            *(_JOB.c[name] for name in JOB_COLUMNS),
            *side.typed_nulls(),
            *(_WO.c[name] for name in extra),
        )
        .select_from(_WO.outerjoin(_JOB, _JOB.c.order_id == _WO.c.order_id))
        .where(_WO.c.order_id == _ORDER_ID),
        *(branch.add_columns(*(sa.null() for _ in extra)) for branch in side.branches(width)),
    )


VIEW = _statement()
VIEW_AND_SIGNED = _statement("signed")  # dispatch forwards the signed order to the parts counter
_ORDER = slice(1, 1 + len(ORDER_COLUMNS))
_HAS_AT = slice(_ORDER.stop, _ORDER.stop + len(HAS))
_JOBS_AT = slice(_HAS_AT.stop, _HAS_AT.stop + len(JOB_COLUMNS))
_EXTRA_AT = _JOBS_AT.stop + len(side.typed_nulls())


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
    main = sorted((row for row in rows if row.side == "order"), key=lambda row: row.line_no or 0)
    if not main:
        return None
    first = main[0]
    order = SimpleNamespace(**dict(zip(ORDER_COLUMNS, first[_ORDER], strict=True)))
    if signed:
        order.signed = first[_EXTRA_AT]
    return OrderRows(
        order=order,
        jobs=[JobRow._make(row[_JOBS_AT]) for row in main if row.line_no is not None],
        has=dict(zip(_HAS_NAMES, first[_HAS_AT], strict=True)),
        sides=side.grouped(row._mapping for row in rows if row.side != "order"),
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
