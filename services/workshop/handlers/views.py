"""What the workshop's pages and JSON read: the work order with its jobs (clock, report, parts, help, QC), the
board, the technician's jobs, the QC queue."""

from __future__ import annotations

import functools
from datetime import datetime

import sqlalchemy as sa

from kit.types import utcnow

from ..domain.completion import self_check_items
from ..domain.work_orders import board_stage
from ..models import Job, NonConformance, PartReceived, PartsRequest, QualityCheck, WorkOrder
from . import additional_work, clock, expert, quality
from .floor import FloorSettings


def work_orders(session) -> list[dict]:
    return [
        work_order_view(session, wo, brief=True)
        for wo in session.scalars(sa.select(WorkOrder).order_by(WorkOrder.received_at.desc()).limit(200))
    ]


def work_order(session, order_id: str) -> dict | None:
    wo = session.get(WorkOrder, order_id)
    return work_order_view(session, wo) if wo else None


def answered_with_view(command):
    """A floor command whose answer is the order's view, built in the command's own transaction from what it has
    just written instead of being read again in a second one. The audit trail names the command as before."""

    @functools.wraps(command)
    def run(uow, order_id: str, *args, **kwargs) -> dict:
        done = command(uow, order_id, *args, **kwargs)
        uow.correlation_id = getattr(done, "visit_id", None) or uow.correlation_id  # the visit, as for `done`
        uow.session.flush()
        return work_order(uow.session, order_id)

    return run


def job_view(session, j: Job, now: datetime, clocked_minutes: int | None = None) -> dict:
    if clocked_minutes is None:
        clocked_minutes = clock.clocked(session, j.order_id, j.line_no, now)
    return {
        "line_no": j.line_no,
        "code": j.code,
        "description": j.description,
        "hours": j.hours,
        "status": j.status,
        "technician_id": j.technician_id,
        "bay_id": j.bay_id,
        "planned_start": j.planned_start,
        "planned_end": j.planned_end,
        "clock": j.clock,
        "pause_reason": j.pause_reason,
        "clocked_minutes": clocked_minutes,
        "finished_at": j.finished_at,
        "self_check_items": self_check_items(j.code),
        "self_check": j.self_check,
        "repair_report": j.repair_report,
        "signed_by": j.signed_by,
        "reworks": j.reworks,
    }


def work_order_view(session, wo: WorkOrder, brief: bool = False) -> dict:
    now = utcnow()
    settings = FloorSettings.load()
    jobs = list(session.scalars(sa.select(Job).filter_by(order_id=wo.order_id).order_by(Job.line_no)))
    clocked = clock.clocked_by_line(session, wo.order_id, now)
    received = session.scalars(sa.select(PartReceived).filter_by(order_id=wo.order_id).order_by(PartReceived.id))
    view = {
        "order_id": wo.order_id,
        "version": wo.version,
        "visit_id": wo.visit_id,
        "plate": wo.plate,
        "vin": wo.vin,
        "advisor_id": wo.advisor_id,
        "team_leader": wo.team_leader,
        "promised_at": wo.promised_at,
        "status": wo.status,
        "stage": board_stage(wo.status, [j.status for j in jobs]),  # the board's column, at_qc included
        "technician_id": wo.technician_id,
        "bay_id": wo.bay_id,
        "dispatched_at": wo.dispatched_at,
        "ready_at": wo.ready_at,
        "comeback_of": wo.comeback_of,
        "waiting_parts": wo.waiting_parts,
        "parts_expected_on": wo.parts_expected_on,
        "forecast_at": (
            clock.forecast_of(session, wo, now, settings, jobs, clocked) if wo.status == "in_progress" else None
        ),
        "jobs": [job_view(session, j, now, clocked.get(j.line_no, 0)) for j in jobs],
        "parts_received": [{"line_no": p.line_no, "part_no": p.part_no, "quantity": p.quantity} for p in received],
    }
    if brief:
        return view
    requested = session.scalars(
        sa.select(PartsRequest).filter_by(order_id=wo.order_id).order_by(PartsRequest.requested_at)
    )
    checks = session.scalars(sa.select(QualityCheck).filter_by(order_id=wo.order_id).order_by(QualityCheck.id))
    ncs = session.scalars(sa.select(NonConformance).filter_by(order_id=wo.order_id).order_by(NonConformance.id))
    view.update(
        {
            "parts_requested": [
                {"request_id": r.request_id, "requested_at": r.requested_at, "lines": r.lines} for r in requested
            ],
            "inspection": quality.inspection_of(session, wo.order_id, [j.code for j in jobs]),
            "quality_checks": [
                {
                    "inspector_id": c.inspector_id,
                    "passed": c.passed,
                    "checked_at": c.checked_at,
                    "findings": c.findings,
                    "items": c.items,
                    "road_test": c.road_test,
                    "wear": c.wear,
                    "deferred_work": c.deferred_work,
                    "washed": c.washed,
                    "finished_bay": c.finished_bay,
                }
                for c in checks
            ],
            "non_conformances": [
                {"line_no": n.line_no, "item": n.item, "cause": n.cause, "technician_id": n.technician_id} for n in ncs
            ],
            "help_tickets": expert.tickets(session, now, settings.expert_target_minutes, order_id=wo.order_id),
            **additional_work.view_of(session, wo.order_id),  # R-WS-3: found work, and what the technician was told
        }
    )
    return view


def my_jobs(session, technician_id: str) -> list[dict]:
    """The technician's tablet: their unfinished jobs in planned order, with the order they belong to."""
    now = utcnow()
    jobs = session.scalars(
        sa.select(Job)
        .where(Job.technician_id == technician_id, Job.status != "done")
        .order_by(Job.planned_start.is_(None), Job.planned_start, Job.order_id, Job.line_no)
    )
    out = []
    for j in jobs:
        wo = session.get(WorkOrder, j.order_id)
        if wo is None or wo.status != "in_progress":
            continue
        out.append(
            {**job_view(session, j, now), "order_id": wo.order_id, "plate": wo.plate, "promised_at": wo.promised_at}
        )
    return out


def qc_queue(session) -> list[dict]:
    """R-QC-1: orders in repair whose every job is signed off, oldest promise first."""
    orders = session.scalars(
        sa.select(WorkOrder).where(WorkOrder.status == "in_progress").order_by(WorkOrder.promised_at)
    )
    queue = []
    for wo in orders:
        states = session.scalars(sa.select(Job.status).filter_by(order_id=wo.order_id)).all()
        if board_stage(wo.status, list(states)) == "at_qc":
            queue.append(work_order_view(session, wo, brief=True))
    return queue
