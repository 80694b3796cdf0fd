"""Workshop's use cases on the signed order: take it, dispatch, parts issued, finish jobs, quality check; the board."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope, names
from contracts.events import OrderSchema
from kit.errors import DomainError, NotFound

from ..domain.work_orders import QualityCheckBlocked, board_stage, check_dispatch, jobs_of, parts_of, qc_blockers
from ..models import Bay, Job, PartReceived, PartsRequest, QualityCheck, Technician, WorkOrder
from . import additional_work


def take_signed_order(uow, event: Envelope, verify) -> None:
    """order_signed -> a work order with its jobs; a tampered or unsigned order is refused (dead letter)."""
    order = verify(event.raw_payload)
    session = uow.session
    if session.get(WorkOrder, order["order_id"]) is not None:
        return  # amendments (new versions) arrive with issue #5
    session.add(
        WorkOrder(
            order_id=order["order_id"],
            version=order["version"],
            visit_id=order["visit_id"],
            signed=event.raw_payload,
            plate=order["vehicle"]["plate"],
            advisor_id=order["advisor_id"],
            promised_at=order["promised_at"],
            received_at=uow.clock(),
        )
    )
    session.flush()
    session.add_all(Job(order_id=order["order_id"], **job) for job in jobs_of(order))


def dispatch(uow, order_id: str, *, technician_id: str, bay_id: str) -> WorkOrder:
    """R-WS-1 (traditional mode): the dispatcher assigns technician and bay; the technician then
    collects the order's parts from the parts counter against the signed order (R-WS-2)."""
    session = uow.session
    work_order = _work_order(session, order_id)
    check_dispatch(work_order.status)
    if session.get(Technician, technician_id) is None:
        raise DomainError("Technician not found", field="technician_id")
    if session.get(Bay, bay_id) is None:
        raise DomainError("Bay not found", field="bay_id")
    work_order.status, work_order.technician_id, work_order.bay_id = "in_progress", technician_id, bay_id
    work_order.dispatched_at, work_order.dispatched_by = uow.clock(), uow.actor_id
    for job in session.scalars(sa.select(Job).filter_by(order_id=order_id)):
        job.status, job.technician_id = "in_progress", technician_id
    uow.emit(  # R-PN-1: reception tells the customer that work has started
        names.WORK_STARTED,
        {
            "order_id": order_id,
            "order_version": work_order.version,
            "technician_id": technician_id,
            "bay_id": bay_id,
            "started_at": work_order.dispatched_at,
        },
        correlation_id=work_order.visit_id,
    )
    parts = parts_of(verified_body(work_order))
    if parts:
        additional_work.request_parts(uow, work_order, parts)
    return work_order


def take_parts_issued(uow, event: Envelope) -> None:
    issued = event.payload
    _work_order(uow.session, issued["order_id"])
    uow.session.add_all(
        PartReceived(
            request_id=issued["request_id"],
            order_id=issued["order_id"],
            line_no=line["line_no"],
            part_no=line["part_no"],
            quantity=line["quantity"],
        )
        for line in issued["lines"]
    )


def finish_job(uow, order_id: str, line_no: int, *, report: str) -> Job:
    """R-WS-6: the technician self-checks, writes the repair report and signs it off."""
    uow.correlation_id = _work_order(uow.session, order_id).visit_id
    job = uow.session.get(Job, (order_id, line_no))
    if job is None:
        raise NotFound("This order has no such job line", field="line_no")
    if job.status == "waiting":
        raise DomainError("This job has not been dispatched yet", code="not_dispatched")
    job.status, job.finished_at, job.report = "done", uow.clock(), report
    return job


def quality_check(uow, order_id: str, *, passed: bool, findings: str) -> WorkOrder:
    """R-QC-1/2: pass releases the car to settlement (vehicle_ready); fail sends it back for rework."""
    session = uow.session
    work_order = _work_order(session, order_id)
    if work_order.status != "in_progress":
        raise DomainError("This order is not in repair; it cannot be quality-checked", code="not_in_progress")
    jobs = list(session.scalars(sa.select(Job).filter_by(order_id=order_id).order_by(Job.line_no)))
    session.add(
        QualityCheck(
            order_id=order_id, inspector_id=uow.actor_id, passed=passed, findings=findings, checked_at=uow.clock()
        )
    )
    if not passed:
        for job in jobs:
            job.status = "in_progress"
        return work_order
    received = _sum_by_line(session.scalars(sa.select(PartReceived).filter_by(order_id=order_id)))
    requested: dict[int, Decimal] = {}
    for request in session.scalars(sa.select(PartsRequest).filter_by(order_id=order_id)):
        for line in request.lines:
            requested[line["line_no"]] = requested.get(line["line_no"], Decimal("0")) + Decimal(line["quantity"])
    job_states = {j.line_no: j.status for j in jobs}
    if qc_blockers(job_states, requested, received):
        raise QualityCheckBlocked(job_states, requested, received)
    now = uow.clock()
    work_order.status, work_order.ready_at = "ready", now
    parts_used = session.scalars(sa.select(PartReceived).filter_by(order_id=order_id).order_by(PartReceived.id))
    uow.emit(
        names.VEHICLE_READY,
        {
            "order_id": order_id,
            "order_version": work_order.version,
            "jobs_done": [
                {"line_no": j.line_no, "code": j.code, "hours": j.hours, "technician_id": j.technician_id} for j in jobs
            ],
            "parts_used": [{"line_no": p.line_no, "part_no": p.part_no, "quantity": p.quantity} for p in parts_used],
            "inspector_id": uow.actor_id,
            "ready_at": now,
        },
        correlation_id=work_order.visit_id,
    )
    return work_order


def verified_body(work_order: WorkOrder) -> dict:
    """The body of the order as received (its signature was verified when it arrived)."""
    return OrderSchema().load(work_order.signed["order"])


def _sum_by_line(rows) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for row in rows:
        out[row.line_no] = out.get(row.line_no, Decimal("0")) + row.quantity
    return out


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


# --- views --------------------------------------------------------------------------------------


def work_orders(session) -> list[dict]:
    return [
        work_order_view(session, wo)
        for wo in session.scalars(sa.select(WorkOrder).order_by(WorkOrder.received_at.desc()).limit(200))
    ]


def work_order(session, order_id: str) -> dict | None:
    wo = session.get(WorkOrder, order_id)
    return work_order_view(session, wo) if wo else None


def work_order_view(session, wo: WorkOrder) -> dict:
    jobs = list(session.scalars(sa.select(Job).filter_by(order_id=wo.order_id).order_by(Job.line_no)))
    received = session.scalars(sa.select(PartReceived).filter_by(order_id=wo.order_id).order_by(PartReceived.id))
    return {
        "order_id": wo.order_id,
        "version": wo.version,
        "visit_id": wo.visit_id,
        "plate": wo.plate,
        "advisor_id": wo.advisor_id,
        "promised_at": wo.promised_at,
        "status": wo.status,
        "stage": board_stage(wo.status, [j.status for j in jobs]),  # the board's column, at_qc included
        "technician_id": wo.technician_id,
        "bay_id": wo.bay_id,
        "dispatched_at": wo.dispatched_at,
        "ready_at": wo.ready_at,
        "jobs": [
            {
                "line_no": j.line_no,
                "code": j.code,
                "description": j.description,
                "hours": j.hours,
                "status": j.status,
                "technician_id": j.technician_id,
                "finished_at": j.finished_at,
            }
            for j in jobs
        ],
        "parts_received": [{"line_no": p.line_no, "part_no": p.part_no, "quantity": p.quantity} for p in received],
        **additional_work.view_of(session, wo.order_id),  # R-WS-3: found work, and what the technician was told
    }
