"""What the workshop's pages and JSON read: the work order with its jobs (clock, report, parts, help, QC), the
board, the technician's jobs, the QC queue."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from kit.types import utcnow
from kit.uow import answering

from ..domain.completion import self_check_items
from ..domain.work_orders import board_stage
from ..models import Job, PartReceived, WorkOrder
from . import additional_work, clock, expert, order_rows, quality, side
from .floor import FloorSettings

# the order and its jobs as entities (a command's own, as it left them; the order is read again when the command
# did not keep it), with which side tables hold the order's rows: one statement
_ORDER_JOBS_AND_SIDE_ROWS = (
    sa.select(WorkOrder, Job, *order_rows.HAS)
    .select_from(WorkOrder)
    .outerjoin(Job, Job.order_id == WorkOrder.order_id)
    .where(WorkOrder.order_id == sa.bindparam("order_id"))
    .order_by(Job.line_no)
)


_WO, _JOB, _RECEIVED = WorkOrder.__table__, Job.__table__, PartReceived.__table__
_IDS = sa.bindparam("order_ids", expanding=True)
# the board's latest orders, their jobs and the parts received against them: three statements built once, table
# columns (not entities: the orders' signed bodies are not read), whatever the number of orders
_LATEST = sa.select(*(_WO.c[name] for name in order_rows.ORDER_COLUMNS)).order_by(_WO.c.received_at.desc()).limit(200)
_IN_REPAIR = (  # the QC queue's candidates, oldest promise first
    sa.select(*(_WO.c[name] for name in order_rows.ORDER_COLUMNS))
    .where(_WO.c.status == "in_progress")
    .order_by(_WO.c.promised_at)
)
_JOBS_OF = (
    sa.select(*(_JOB.c[name] for name in order_rows.JOB_COLUMNS))
    .where(_JOB.c.order_id.in_(_IDS))
    .order_by(_JOB.c.order_id, _JOB.c.line_no)
)
_RECEIVED_OF = (
    sa.select(_RECEIVED.c.order_id, _RECEIVED.c.line_no, _RECEIVED.c.part_no, _RECEIVED.c.quantity)
    .where(_RECEIVED.c.order_id.in_(_IDS))
    .order_by(_RECEIVED.c.id)
)


def work_orders(session) -> list[dict]:
    """The latest 200 orders' brief views (the workshop board): the orders, their jobs, their parts received and
    their clocks in five statements, not five an order."""
    orders = session.execute(_LATEST).all()
    return _brief_views(session, orders, _jobs_of(session, orders))


def _jobs_of(session, orders) -> dict[str, list]:
    """The orders' jobs (JobRows by line) by one statement."""
    jobs: dict[str, list] = {wo.order_id: [] for wo in orders}
    for job in session.execute(_JOBS_OF, {"order_ids": list(jobs)}):
        jobs[job.order_id].append(order_rows.JobRow._make(job))
    return jobs


def _brief_views(session, orders, jobs: dict[str, list]) -> list[dict]:
    """Brief views of the orders (rows of ORDER_COLUMNS) with their jobs: the parts received and the clocks of all
    of them read by three statements."""
    ids = {"order_ids": [wo.order_id for wo in orders]}
    received: dict[str, list] = {wo.order_id: [] for wo in orders}
    for order_id, line_no, part_no, quantity in session.execute(_RECEIVED_OF, ids):
        received[order_id].append({"line_no": line_no, "part_no": part_no, "quantity": quantity})
    now, settings = utcnow(), FloorSettings.load()
    clocked = clock.clocked_by_order(session, ids["order_ids"], now)
    return [
        work_order_view(
            session,
            wo,
            brief=True,
            jobs=jobs[wo.order_id],
            sides={"parts_received": received[wo.order_id]},
            settings=settings,
            now=now,
            clocked=clocked.get(wo.order_id, {}),
        )
        for wo in orders
    ]


def work_order(session, order_id: str) -> dict | None:
    """The order's view, read in one statement (the order, its jobs by line, which side tables hold its rows, and
    its rows of four of them: order_rows.py), and one more for each other side table that holds rows of the order
    (help tickets, additional work, the clock), none of them loading ORM entities."""
    rows = order_rows.read(session, order_id)
    return None if rows is None else _view_of_rows(session, rows)


def _view_of_rows(session, rows: order_rows.OrderRows) -> dict:
    return work_order_view(session, rows.order, jobs=rows.jobs, has=rows.has, sides=rows.sides, settings=rows.settings)


def answered_with_view(command):
    """A floor command whose answer is the order's view, built in the command's own transaction from what it has
    just written instead of being read again in a second one (kit.uow.answering). The audit trail names the
    command as before."""
    return answering(command, _view_with_held_rows)


def _view_with_held_rows(session, order_id: str) -> dict | None:
    rows = session.execute(_ORDER_JOBS_AND_SIDE_ROWS, {"order_id": order_id}).all()
    if not rows:
        return None
    jobs = [row[1] for row in rows if row[1] is not None]
    return work_order_view(session, rows[0][0], jobs=jobs, has=rows[0]._mapping)


def answered_from_tables(command):
    """As `answered_with_view`, for a command that writes by Core statements and keeps no entities: the view is
    built from the order's rows the command read and changed as it wrote them (order_rows.keep), or else read
    from the tables by `work_order` (Core rows), in the command's own transaction."""
    return answering(command, _view_kept_or_read)


def _view_kept_or_read(session, order_id: str) -> dict | None:
    rows = order_rows.kept(session, order_id)
    return work_order(session, order_id) if rows is None else _view_of_rows(session, rows)


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


def work_order_view(
    session, wo, brief: bool = False, *, jobs=None, has=None, sides=None, settings=None, now=None, clocked=None
) -> dict:
    """`wo`: the WorkOrder (or a row of its columns); `jobs`: its jobs when read already; `has`: which side tables
    (order_rows.SIDE) hold rows of the order, the others not read (None: every one read); `sides`: the order's
    rows of the tables side.py reads, when read already; `settings`: the floor's, when the caller has them; `now`
    and `clocked` (line -> minutes clocked at `now`): when the caller has worked them out for many orders."""
    now = now or utcnow()
    order_id = wo.order_id
    if jobs is None:
        jobs = list(session.scalars(sa.select(Job).filter_by(order_id=order_id).order_by(Job.line_no)))
    if clocked is None and (has is None or has["job_intervals"] or has["clock_corrections"]):
        clocked = clock.clocked_by_line(session, order_id, now)
    elif clocked is None:
        clocked = {}
    if sides is None:  # the rows of the side tables side.py reads, when not read with the order
        sides = _sides(session, has, order_id)
    view = {
        "order_id": order_id,
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
            clock.forecast_of(session, wo, now, settings or FloorSettings.load(), jobs, clocked)
            if wo.status == "in_progress"
            else None
        ),
        "jobs": [job_view(session, j, now, clocked.get(j.line_no, 0)) for j in jobs],
        "parts_received": sides["parts_received"],
    }
    if brief:
        return view
    view.update(
        {
            "parts_requested": sides["parts_requests"],
            "inspection": quality.inspection_of(session, order_id, [j.code for j in jobs]),
            "quality_checks": sides["quality_checks"],
            "non_conformances": sides["non_conformances"],
            "help_tickets": (
                expert.tickets(
                    session, now, (settings or FloorSettings.load()).expert_target_minutes, order_id=order_id
                )
                if has is None or has["help_tickets"]
                else []
            ),
            # R-WS-3: found work, and what the technician was told
            **(
                additional_work.view_of(session, order_id)
                if has is None or has["additional_work_requests"] or has["technician_notices"]
                else {"additional_work": [], "notices": []}
            ),
        }
    )
    return view


def _sides(session, has, order_id: str) -> dict[str, list[dict]]:
    """The order's rows of the side tables `side.side_rows` reads (one statement), none read when `has` says no
    such table holds any."""
    if has is not None and not any(has[table] for table in side.TABLES):
        return {table: [] for table in side.TABLES}
    return side.side_rows(session, order_id)


# a technician's unfinished jobs of orders in repair, in planned order, with their order's plate and promise
_MY_JOBS = (
    sa.select(*(_JOB.c[name] for name in order_rows.JOB_COLUMNS), _WO.c.plate, _WO.c.promised_at)
    .join(_WO, _WO.c.order_id == _JOB.c.order_id)
    .where(_JOB.c.technician_id == sa.bindparam("technician_id"), _JOB.c.status != "done")
    .where(_WO.c.status == "in_progress")
    .order_by(_JOB.c.planned_start.is_(None), _JOB.c.planned_start, _JOB.c.order_id, _JOB.c.line_no)
)


def my_jobs(session, technician_id: str) -> list[dict]:
    """The technician's tablet: their unfinished jobs in planned order, with the order they belong to (the jobs
    with their orders by one statement, their clocks by two)."""
    now = utcnow()
    rows = session.execute(_MY_JOBS, {"technician_id": technician_id}).all()
    clocked = clock.clocked_by_order(session, sorted({row.order_id for row in rows}), now)
    width = len(order_rows.JOB_COLUMNS)
    out = []
    for row in rows:
        j = order_rows.JobRow._make(row[:width])
        minutes = clocked.get(j.order_id, {}).get(j.line_no, 0)
        out.append(
            {
                **job_view(session, j, now, minutes),
                "order_id": j.order_id,
                "plate": row.plate,
                "promised_at": row.promised_at,
            }
        )
    return out


def qc_queue(session) -> list[dict]:
    """R-QC-1: orders in repair whose every job is signed off, oldest promise first (the orders in repair and their
    jobs by two statements, the queue's views by three)."""
    orders = session.execute(_IN_REPAIR).all()
    jobs = _jobs_of(session, orders)
    waiting = [wo for wo in orders if board_stage(wo.status, [j.status for j in jobs[wo.order_id]]) == "at_qc"]
    return _brief_views(session, waiting, jobs)
