"""Returns and old parts (R-BL-3): unused parts back to stock with a reversing ledger entry (billing hears
parts_returned); each issued part's old part returned to the customer, scrapped or quarantined for a
warranty claim as decided at delivery (old_parts_decided)."""

from __future__ import annotations

import uuid
from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope, names
from kit.errors import NotFound

from .. import domain
from ..models import MAIN, QUARANTINE, IssueLine, OldPart, PartsReturn
from . import ledger

ZERO = Decimal("0")


def return_parts(uow, order_id: str, lines: list[dict]) -> dict:
    """Unused parts of a signed order back to the main store: each line reverses (part of) its issue exactly."""
    session = uow.session
    issued = list(session.scalars(sa.select(IssueLine).filter_by(order_id=order_id)))
    if not issued:
        raise NotFound("Nothing was issued against this order", field="order_id")
    return_id = f"RT-{uuid.uuid4().hex[:10].upper()}"
    out = []
    for line in lines:
        line_no = line.get("line_no")
        on_line = [i for i in issued if i.line_no == line_no]
        if not on_line:
            raise NotFound("Nothing was issued on line {line_no}", field="line_no", line_no=line_no)
        part_no = on_line[-1].part_no
        part = ledger.part(session, part_no)
        amount = domain.quantity(line.get("quantity"), precision=part.precision)
        before = sum(
            (r.quantity for r in session.scalars(sa.select(PartsReturn).filter_by(order_id=order_id, line_no=line_no))),
            ZERO,
        )
        domain.check_return(sum((i.quantity for i in on_line), ZERO), before, amount, line_no)
        ledger.move(uow, part_no, amount, None, MAIN, "return", f"{order_id}#{line_no}")
        session.add(
            PartsReturn(
                return_id=return_id,
                order_id=order_id,
                order_version=on_line[-1].order_version,
                line_no=line_no,
                part_no=part_no,
                quantity=amount,
                returned_at=uow.clock(),
                returned_by=uow.actor_id,
            )
        )
        out.append({"line_no": line_no, "part_no": part_no, "quantity": amount})
    version = max(i.order_version for i in issued)
    uow.emit(
        names.PARTS_RETURNED,
        {
            "return_id": return_id,
            "order_id": order_id,
            "order_version": version,
            "returned_at": uow.clock(),
            "lines": out,
        },
        correlation_id=issued[0].visit_id,
    )
    return {"return_id": return_id, "order_id": order_id, "order_version": version, "lines": out}


def record_old_parts(uow, event: Envelope) -> None:
    """old_parts_decided -> each old part's fate kept; one kept for a warranty claim goes into quarantine."""
    decided = event.payload
    session = uow.session
    fates = [
        {
            "order_id": decided["order_id"],
            "line_no": fate["line_no"],
            "part_no": fate["part_no"],
            "quantity": fate["quantity"],
            "fate": fate["fate"],
            "decided_at": decided["decided_at"],
            "decided_by": decided["decided_by"],
        }
        for fate in decided["parts"]
    ]
    connection = session.connection()
    new_fate = _NEW_FATE.get(connection.dialect.name)
    if new_fate is not None and all(fate["fate"] != "kept_for_warranty" for fate in fates):
        # nothing moves stock: each fate inserted unless its line's is kept, in one statement (executemany, in
        # order: a line named twice is kept once), instead of reading the order's fates first
        if fates:
            connection.execute(new_fate, fates)
        return
    kept = set(connection.scalars(_KEPT_LINES, {"order_id": decided["order_id"]}))
    batch = ledger.Batch({})  # the fates inserted together: one statement, not one a line
    for fate in fates:
        if fate["line_no"] in kept:
            continue  # this line's fate is kept: the decision re-sent under a new event id (issue 12, item 6)
        kept.add(fate["line_no"])
        batch.insert(OldPart, **fate)
        if fate["fate"] == "kept_for_warranty" and ledger.part_or_none(session, fate["part_no"]):
            ledger.move(
                uow, fate["part_no"], fate["quantity"], None, QUARANTINE, "warranty_old_part", decided["order_id"]
            )
    batch.write(session)


_OLD_TABLE = OldPart.__table__
_OLD = _OLD_TABLE.c
_KEPT_LINES = sa.select(_OLD.line_no).where(_OLD.order_id == sa.bindparam("order_id"))  # built once, Core
# one old part's fate, unless its line's fate is kept (R-BL-3; the decision re-sent under a new event id, issue 12,
# item 6). PostgreSQL types an INSERT … SELECT by its select list: each value cast to its column's type there; not
# on SQLite, whose CAST AS DATETIME would keep only a time's year (a NUMERIC cast of its text)
_FATE_COLUMNS = ("order_id", "line_no", "part_no", "quantity", "fate", "decided_at", "decided_by")


def _new_fate(value) -> sa.Insert:
    values = (value(sa.bindparam(name, type_=_OLD[name].type), _OLD[name].type) for name in _FATE_COLUMNS)
    already = sa.exists().where(_OLD.order_id == sa.bindparam("order_id"), _OLD.line_no == sa.bindparam("line_no"))
    return _OLD_TABLE.insert().from_select(_FATE_COLUMNS, sa.select(*values).where(~already))


_NEW_FATE = {"postgresql": _new_fate(sa.cast), "sqlite": _new_fate(sa.type_coerce)}


def old_parts(session, order_id: str | None = None) -> list[dict]:
    query = sa.select(OldPart).order_by(OldPart.id)
    if order_id:
        query = query.filter_by(order_id=order_id)
    return [
        {
            "order_id": o.order_id,
            "line_no": o.line_no,
            "part_no": o.part_no,
            "quantity": o.quantity,
            "fate": o.fate,
            "decided_at": o.decided_at,
            "decided_by": o.decided_by,
        }
        for o in session.scalars(query)
    ]


def returns(session, order_id: str | None = None) -> list[dict]:
    query = sa.select(PartsReturn).order_by(PartsReturn.id)
    if order_id:
        query = query.filter_by(order_id=order_id)
    return [
        {
            "return_id": r.return_id,
            "order_id": r.order_id,
            "order_version": r.order_version,
            "line_no": r.line_no,
            "part_no": r.part_no,
            "quantity": r.quantity,
            "returned_at": r.returned_at,
            "returned_by": r.returned_by,
        }
        for r in session.scalars(query)
    ]
