"""Workshop's use cases on the signed order: take it (team mode, comebacks), the parts issued against it.

Dispatch is in dispatching.py, the job clock and finishing in clock.py, the quality check in quality.py, the
pages' views in views.py."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope
from kit.errors import NotFound

from ..domain.comebacks import ComebackRules, Visit, first_order_of
from ..domain.work_orders import jobs_of
from ..models import Bay, Job, PartReceived, Technician, WorkOrder
from . import capacity

_RECEIVED = PartReceived.__table__.insert()
_WO, _JOB = WorkOrder.__table__, Job.__table__
_NEW_ORDER, _NEW_JOB = _WO.insert(), _JOB.insert()
_SEEN = sa.select(_WO.c.order_id, _WO.c.received_at, _WO.c.mileage_km, _WO.c.concerns).where(
    sa.or_(_WO.c.order_id == sa.bindparam("order_id"), _WO.c.vin == sa.bindparam("vin"))
)


def concerns_of(order: dict) -> list[str]:
    """What the car came in for: its labour operations and the knowledge base's symptom codes (comebacks)."""
    codes = {line["code"] for line in order["lines"] if line["kind"] == "labour"}
    codes |= {f"symptom:{c}" for c in (order.get("complaint") or {}).get("symptom_codes", [])}
    return sorted(codes)


def take_signed_order(
    uow, event: Envelope, verify, teams: dict | None = None, comebacks: ComebackRules = ComebackRules()
) -> None:
    """order_signed -> a work order with its jobs; a tampered or unsigned order is refused (dead letter).

    A team leader's order skips the dispatcher (R-WS-1 team mode); a car back for the same concern within the
    comeback window is linked to its first order."""
    order = verify(event.raw_payload)
    session = uow.session
    vin = order["vehicle"]["vin"]
    # this order if the workshop has it already, and the car's earlier orders: one statement
    seen = session.execute(_SEEN, {"order_id": order["order_id"], "vin": vin}).all()
    if any(w.order_id == order["order_id"] for w in seen):
        return  # amendments (new versions) arrive as order_amended
    concerns = concerns_of(order)
    now = uow.clock()
    earlier = [Visit(w.order_id, vin, w.received_at, w.mileage_km, frozenset(w.concerns or ())) for w in seen]
    new = Visit(order["order_id"], vin, now, order.get("mileage_km"), frozenset(concerns))
    session.execute(  # prebuilt Core inserts, the order before its jobs (no entities: none is used afterwards)
        _NEW_ORDER,
        {
            "vin": vin,
            "mileage_km": order.get("mileage_km"),
            "concerns": concerns,
            "comeback_of": first_order_of(new, earlier, comebacks),
            "team_leader": order["advisor_id"] if order["advisor_id"] in (teams or {}) else None,
            "order_id": order["order_id"],
            "version": order["version"],
            "visit_id": order["visit_id"],
            "signed": event.raw_payload,
            "plate": order["vehicle"]["plate"],
            "advisor_id": order["advisor_id"],
            "promised_at": order["promised_at"],
            "received_at": now,
        },
    )
    jobs = jobs_of(order)
    if jobs:
        session.execute(_NEW_JOB, [{"order_id": order["order_id"], **job} for job in jobs])
    if not order.get("appointment_id"):  # a walk-in takes capacity like a booking (R-WS-7)
        capacity.take_walk_in_or_amendment(uow, f"w-{order['order_id']}"[:40], [j["code"] for j in jobs])


_WAITING_PARTS = sa.select(_WO.c.order_id, _WO.c.waiting_parts).where(_WO.c.order_id == sa.bindparam("order_id"))


def take_parts_issued(uow, event: Envelope):
    """The parts issued recorded against the order; the order's id and whether it waits for parts returned."""
    issued = event.payload
    work_order = uow.session.execute(_WAITING_PARTS, {"order_id": issued["order_id"]}).first()
    if work_order is None:
        raise NotFound("Work order not found, or it has not reached the workshop yet", field="order_id")
    rows = [
        {
            "request_id": issued["request_id"],
            "order_id": issued["order_id"],
            "line_no": line["line_no"],
            "part_no": line["part_no"],
            "quantity": line["quantity"],
        }
        for line in issued["lines"]
    ]
    if rows:  # one statement for all the lines, their ids not needed
        uow.session.execute(_RECEIVED, rows)
    return work_order


def received_lines(work_order: WorkOrder) -> dict:
    """The order's lines as received, quantities as Decimals (as its contract loads them: Decimal of the text);
    its signature was verified and its body loaded by contract when it arrived, so it is not loaded again."""
    return {
        "lines": [{**line, "quantity": Decimal(str(line["quantity"]))} for line in work_order.signed["order"]["lines"]]
    }


def _sum_by_line(rows) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for row in rows:
        out[row.line_no] = out.get(row.line_no, Decimal("0")) + row.quantity
    return out


def _order_and_jobs(*on):
    return (
        sa.select(WorkOrder, Job)
        .outerjoin(Job, sa.and_(Job.order_id == WorkOrder.order_id, *on))
        .where(WorkOrder.order_id == sa.bindparam("order_id"))
        .order_by(Job.line_no)
    )


ALL_JOBS = _order_and_jobs()
ONE_JOB = _order_and_jobs(Job.line_no == sa.bindparam("line_no"))


def order_and_jobs(session, statement, order_id: str, **params) -> tuple[WorkOrder, list[Job]]:
    """The work order (NotFound as for `_work_order`) and those of its jobs `statement` joins (ALL_JOBS,
    ONE_JOB with `line_no`), by line: one statement."""
    rows = session.execute(statement, {"order_id": order_id, **params}).all()
    if not rows:
        raise NotFound("Work order not found, or it has not reached the workshop yet", field="order_id")
    return rows[0][0], [job for _, job in rows if job is not None]


def _work_order(session, order_id: str) -> WorkOrder:
    work_order = session.get(WorkOrder, order_id)
    if work_order is None:
        raise NotFound("Work order not found, or it has not reached the workshop yet", field="order_id")
    return work_order


def add_technician(uow, technician_id: str, name: str, skill: str) -> None:
    if uow.session.get(Technician, technician_id) is None:
        uow.session.add(Technician(technician_id=technician_id, name=name, skill=skill))


def add_bay(uow, bay_id: str, name: str) -> None:
    if uow.session.get(Bay, bay_id) is None:
        uow.session.add(Bay(bay_id=bay_id, name=name))
