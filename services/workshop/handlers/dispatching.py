"""Dispatch 派工 (R-WS-1, R-WS-7): each job of a signed order to a technician and a bay for a window; reassign,
split an order's jobs among technicians; team mode (the advisor leading a team assigns inside it)."""

from __future__ import annotations

from collections import namedtuple
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from contracts import names
from kit.errors import DomainError, NotFound
from kit.i18n import N_

from ..domain.dispatch import (
    Booked,
    DispatchRefused,
    Window,
    check_assignment,
    earliest_start,
    free_bays,
    free_technicians,
)
from ..domain.dispatch import skill_of as _skill_of
from ..domain.work_orders import parts_of
from ..models import Job, WorkOrder
from . import additional_work, order_rows
from .floor import FloorSettings, floor_of
from .orders import _work_order, received_lines


class NotTheDispatcher(DomainError):
    status = 403

    def __init__(self, msgid: str):
        super().__init__(msgid, field="order_id", code="forbidden")


def check_authority(work_order: WorkOrder, actor_id: str, roles, settings: FloorSettings) -> tuple[str, ...] | None:
    """R-WS-1: a team's order is assigned by its team leader inside the team (the team, returned); any other
    order by the dispatcher (or the service manager), never by an advisor."""
    roles = set(roles)
    if work_order.team_leader:
        if actor_id == work_order.team_leader or "service_manager" in roles:
            return settings.teams.get(work_order.team_leader, ())
        raise NotTheDispatcher(N_("This order belongs to a team: its team leader assigns it"))
    if not roles & {"dispatcher", "service_manager"}:
        raise NotTheDispatcher(N_("Only the dispatcher assigns this order"))
    return None


def assign_job(
    uow,
    order_id: str,
    line_no: int,
    *,
    technician_id: str,
    bay_id: str,
    starts_at: datetime | None,
    roles=(),
    settings: FloorSettings | None = None,
) -> WorkOrder:
    """Assign (or reassign) one job to a technician and a bay from `starts_at` (default: their earliest common
    free time on shift) for its sold hours (R-WS-7):
    a busy technician or bay, a missing skill or shift is refused naming the field, with the free alternatives."""
    settings = settings or FloorSettings.load()
    session = uow.session
    work_order = _work_order(session, order_id)
    team = check_authority(work_order, uow.actor_id, roles, settings)
    job = session.get(Job, (order_id, line_no))
    if job is None:
        raise NotFound("This order has no such job line", field="line_no")
    if job.status == "done":
        raise DomainError("This job is finished; it cannot be reassigned", field="line_no", code="job_done")
    floor = floor_of(session, settings)
    now = uow.clock()
    if starts_at is not None and not now - timedelta(days=1) <= starts_at <= now + timedelta(days=14):
        raise DomainError("The start must lie within the next 14 days", field="starts_at", code="starts_at")
    if starts_at is None:  # no time given: the technician's and bay's earliest common free time on shift
        minutes = int(Decimal(job.hours) * 60)
        starts_at = earliest_start(floor, technician_id, bay_id, minutes, uow.clock(), ignore=(order_id, line_no))
    window = Window.of(starts_at or uow.clock(), Decimal(job.hours))
    check_assignment(
        floor,
        technician_id=technician_id,
        bay_id=bay_id,
        window=window,
        code=job.code,
        job=(order_id, line_no),
        team=team,
    )
    _assign(uow, work_order, job, technician_id, bay_id, window)
    return work_order


_WO, _JOB = WorkOrder.__table__, Job.__table__
# the jobs' and the order's new columns, each a prebuilt UPDATE (the SET columns are the parameters' other keys)
_SET_JOB = _JOB.update().where(_JOB.c.order_id == sa.bindparam("key_order"), _JOB.c.line_no == sa.bindparam("key_line"))
_START_ORDER = _WO.update().where(_WO.c.order_id == sa.bindparam("key_order"))
Started = namedtuple("Started", "order_id version visit_id signed technician_id")  # what the announcement names


def dispatch(uow, order_id: str, *, technician_id: str, bay_id: str, roles=("dispatcher",), settings=None):
    """The whole order to one technician and bay: each unassigned job queued at their earliest common free time
    (skill and shift checked as for one job). Reads the order's view rows with its signed order (one statement);
    the rows, changed as written, are kept for the answer (order_rows). Returns the order (its id and visit)."""
    settings = settings or FloorSettings.load()
    session = uow.session
    rows = order_rows.read(session, order_id, signed=True)
    if rows is None:
        raise NotFound("Work order not found, or it has not reached the workshop yet", field="order_id")
    work_order = rows.order
    team = check_authority(work_order, uow.actor_id, roles, settings)
    jobs = [job for job in rows.jobs if job.status == "waiting"]
    if not jobs:
        raise DomainError("This order has already been dispatched", code="already_dispatched", field="order_id")
    uow.correlation_id = work_order.visit_id
    not_before = uow.clock()
    floor = floor_of(session, settings)  # read once: each job queued is added to its booked jobs as assigned
    updates = []
    for job in jobs:
        minutes = int(Decimal(job.hours) * 60)
        starts = earliest_start(floor, technician_id, bay_id, minutes, not_before) or not_before
        window = Window.of(starts, Decimal(job.hours))
        check_assignment(
            floor, technician_id=technician_id, bay_id=bay_id, window=window, code=job.code, job=None, team=team
        )
        if job.technician_id and job.technician_id != technician_id and job.clock == "running":
            raise DispatchRefused(
                N_("The job's clock is running; its technician pauses it first"), field="line_no", alternatives={}
            )
        updates.append(
            {
                "key_order": order_id,
                "key_line": job.line_no,
                "status": "in_progress",
                "technician_id": technician_id,
                "bay_id": bay_id,
                "planned_start": window.starts,
                "planned_end": window.ends,
                "clock": "assigned" if job.clock == "done" else job.clock,
            }
        )
        floor.booked.append(Booked(technician_id, bay_id, window, (order_id, job.line_no)))
        not_before = window.ends
    session.execute(_SET_JOB, updates)
    for update in updates:  # the jobs' rows as written, for the answer
        rows.set_job(update["key_line"], **{name: v for name, v in update.items() if not name.startswith("key_")})
    if work_order.status == "waiting_dispatch":
        _start(uow, rows, technician_id, bay_id)
    rows.settings = settings
    order_rows.keep(session, rows)
    return work_order


def _start(uow, rows: order_rows.OrderRows, technician_id: str, bay_id: str) -> None:
    """The order's first assignment (dispatch): in progress, its parts requested, the customer told."""
    now, work_order = uow.clock(), rows.order
    started = {"status": "in_progress", "technician_id": technician_id, "bay_id": bay_id, "dispatched_at": now}
    uow.session.execute(_START_ORDER, {"key_order": work_order.order_id, **started, "dispatched_by": uow.actor_id})
    announced = Started(work_order.order_id, work_order.version, work_order.visit_id, work_order.signed, technician_id)
    rows.set_order(**started)
    request = _announce(uow, announced, bay_id, now)
    if request is not None:
        rows.add_side("parts_requests", request)


def _announce(uow, work_order, bay_id: str, started_at: datetime) -> dict | None:
    """Returns the parts request's row, if the order has parts."""
    # parts_requested first: the parts counter's issue is on the visit's critical path (the quality check waits
    # for it), the customer's notice is not; the relay publishes the outbox in this order
    parts = parts_of(received_lines(work_order))
    request = None
    if parts:  # R-WS-2: the technician collects the order's parts against the signed order
        request = additional_work.request_parts(uow, work_order, parts)
    uow.emit(  # R-PN-1: reception tells the customer that work has started
        names.WORK_STARTED,
        {
            "order_id": work_order.order_id,
            "order_version": work_order.version,
            "technician_id": work_order.technician_id,
            "bay_id": bay_id,
            "started_at": started_at,
        },
        correlation_id=work_order.visit_id,
    )
    return request


def _assign(uow, work_order: WorkOrder, job: Job, technician_id: str, bay_id: str, window: Window) -> None:
    first = work_order.status == "waiting_dispatch"
    if job.technician_id and job.technician_id != technician_id and job.clock == "running":
        raise DispatchRefused(
            N_("The job's clock is running; its technician pauses it first"), field="line_no", alternatives={}
        )
    job.status, job.technician_id, job.bay_id = "in_progress", technician_id, bay_id
    job.planned_start, job.planned_end = window.starts, window.ends
    if job.clock == "done":
        job.clock = "assigned"
    uow.correlation_id = work_order.visit_id
    if not first:
        return
    work_order.status, work_order.technician_id, work_order.bay_id = "in_progress", technician_id, bay_id
    work_order.dispatched_at, work_order.dispatched_by = uow.clock(), uow.actor_id
    _announce(uow, work_order, bay_id, work_order.dispatched_at)


def alternatives(session, order_id: str, line_no: int, starts_at: datetime, settings: FloorSettings) -> dict:
    """Free technicians (with the skill, on shift) and bays for one job from `starts_at`."""
    job = session.get(Job, (order_id, line_no))
    if job is None:
        raise NotFound("This order has no such job line", field="line_no")
    window = Window.of(starts_at, Decimal(job.hours))
    floor = floor_of(session, settings)
    return {
        "technicians": free_technicians(floor, window, _skill_of(job.code), (order_id, line_no)),
        "bays": free_bays(floor, window, (order_id, line_no)),
    }
