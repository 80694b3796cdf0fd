"""The technician's job clock (R-WS-2, R-WS-6): start, pause with a reason, resume, finish with the self-check,
the repair report and the signature; the foreman's corrections; the on-time forecast and the advisor's early
warning (order_at_risk, R-WS-7); stock-outs from the parts counter put jobs in "waiting for parts"."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope, names
from kit.errors import NotFound

from ..domain.completion import check_completion
from ..domain.forecast import OpenJob, at_risk, forecast_ready
from ..domain.job_clock import (
    DONE,
    PAUSED,
    RUNNING,
    Interval,
    NotYourJob,
    check_correction,
    clocked_minutes,
    may_act,
    next_state,
)
from ..models import ClockCorrection, Job, JobInterval, PartReceived, PartsRequest, WorkOrder
from . import order_rows, orders
from .floor import FloorSettings
from .orders import ONE_JOB, order_and_jobs


def _job(uow, order_id: str, line_no: int, foreman: bool) -> tuple[WorkOrder, Job]:
    work_order, jobs = order_and_jobs(uow.session, ONE_JOB, order_id, line_no=line_no)
    uow.correlation_id = work_order.visit_id
    return work_order, _workable(uow, jobs[0] if jobs else None, foreman)


def _workable(uow, job, foreman: bool):
    """The job (an entity or a row of the order's view) this staff member may work on: dispatched, and theirs
    unless the foreman acts for them; refused otherwise."""
    if job is None:
        raise NotFound("This order has no such job line", field="line_no")
    if job.status == "waiting":
        raise NotFound("This job has not been dispatched yet", field="line_no")
    if not may_act(uow.actor_id, job.technician_id, foreman=foreman):
        raise NotYourJob()
    return job


def _open_interval(session, job: Job) -> JobInterval | None:
    return session.scalars(
        sa.select(JobInterval).filter_by(order_id=job.order_id, line_no=job.line_no, ended_at=None)
    ).first()


def _stop(session, job: Job, now: datetime, reason: str) -> None:
    interval = _open_interval(session, job)
    if interval is not None:
        interval.ended_at, interval.end_reason = now, reason


def _run(session, job: Job, now: datetime) -> None:
    session.add(
        JobInterval(order_id=job.order_id, line_no=job.line_no, technician_id=job.technician_id, started_at=now)
    )


def clock_job(uow, order_id: str, line_no: int, *, action: str, reason: str | None = None, foreman=False) -> Job:
    """start / pause (with a reason) / resume: the clock runs only while the technician works on the job."""
    work_order, job = _job(uow, order_id, line_no, foreman)
    job.clock = next_state(job.clock, action, reason)
    now = uow.clock()
    if job.clock == RUNNING:
        job.pause_reason = None
        _run(uow.session, job, now)
    elif job.clock == PAUSED:
        job.pause_reason = reason
        _stop(uow.session, job, now, reason)
    return job


_JOB = Job.__table__
_FINISHED = _JOB.update().where(
    _JOB.c.order_id == sa.bindparam("key_order"), _JOB.c.line_no == sa.bindparam("key_line")
)


def finish_job(
    uow, order_id: str, line_no: int, *, self_check: dict, report: dict, signature: str, foreman: bool = False
):
    """R-WS-6: the self-check, the repair report (concern / cause / correction) and the signature; then done.
    Read (the order's view rows, one statement) and written by prebuilt Core statements (the same checks as
    `_job`, `_workable`); the rows, changed as written, are kept for the answer. Returns the order and visit."""
    rows = order_rows.read(uow.session, order_id)
    if rows is None:
        raise NotFound("Work order not found, or it has not reached the workshop yet", field="order_id")
    uow.correlation_id = rows.order.visit_id
    job = _workable(uow, rows.job(line_no), foreman)
    clean = check_completion(job.code, self_check, report, signature)
    next_state(job.clock, "finish")
    now = uow.clock()
    if job.clock == RUNNING:  # only a running clock has an open interval (started and resumed open one, each
        _stop(uow.session, job, now, "finish")  # pause closes it): finishing from assigned or paused reads none
    finished = {
        "clock": DONE,
        "status": "done",
        "finished_at": now,
        "pause_reason": None,
        "self_check": dict(self_check),
        "repair_report": clean,
        "signed_by": uow.actor_id,
    }
    uow.session.execute(
        _FINISHED,
        {
            "key_order": order_id,
            "key_line": line_no,
            **finished,
            "signature": signature,
            "report": "\n".join(clean.values()),
        },
    )
    rows.set_job(line_no, **finished)
    order_rows.keep(uow.session, rows)
    return rows.order


def correct_clock(uow, order_id: str, line_no: int, *, minutes: int, reason: str) -> Job:
    """R-WS-2: only the foreman corrects a clock, with a reason; kept in the audit trail."""
    minutes = check_correction(minutes, reason)
    work_order, job = _job(uow, order_id, line_no, foreman=True)
    uow.session.add(
        ClockCorrection(
            order_id=order_id,
            line_no=line_no,
            minutes=minutes,
            reason=reason.strip(),
            corrected_by=uow.actor_id,
            corrected_at=uow.clock(),
        )
    )
    uow.record(
        "clock_corrected", order_id, work_order.visit_id, {"line_no": line_no, "minutes": minutes, "reason": reason}
    )
    return job


def clocked(session, order_id: str, line_no: int, now: datetime) -> int:
    intervals = [
        Interval(i.started_at, i.ended_at)
        for i in session.scalars(sa.select(JobInterval).filter_by(order_id=order_id, line_no=line_no))
    ]
    corrections = session.scalars(
        sa.select(ClockCorrection.minutes).filter_by(order_id=order_id, line_no=line_no)
    ).all()
    return clocked_minutes(intervals, now, corrections)


# --- the on-time forecast (R-WS-7) ------------------------------------------------------------------


def clocked_by_line(session, order_id: str, now: datetime) -> dict[int, int]:
    """`clocked` for every job of the order at once (two queries, not two a job): line_no -> minutes."""
    return clocked_by_order(session, [order_id], now).get(order_id, {})


_ORDER_IDS = sa.bindparam("order_ids", expanding=True)
# the orders' clock intervals and corrections, built once (the ids a list parameter)
_INTERVALS = sa.select(JobInterval.order_id, JobInterval.line_no, JobInterval.started_at, JobInterval.ended_at).where(
    JobInterval.order_id.in_(_ORDER_IDS)
)
_CORRECTIONS = sa.select(ClockCorrection.order_id, ClockCorrection.line_no, ClockCorrection.minutes).where(
    ClockCorrection.order_id.in_(_ORDER_IDS)
)


def clocked_by_order(session, order_ids: list[str], now: datetime) -> dict[str, dict[int, int]]:
    """`clocked_by_line` for many orders at once (two queries, not two an order): order_id -> line_no -> minutes."""
    ids = {"order_ids": list(order_ids)}
    intervals: dict[tuple[str, int], list[Interval]] = {}
    for order_id, line_no, started, ended in session.execute(_INTERVALS, ids):
        intervals.setdefault((order_id, line_no), []).append(Interval(started, ended))
    corrections: dict[tuple[str, int], list[int]] = {}
    for order_id, line_no, minutes in session.execute(_CORRECTIONS, ids):
        corrections.setdefault((order_id, line_no), []).append(minutes)
    out: dict[str, dict[int, int]] = {}
    for order_id, line_no in set(intervals) | set(corrections):
        minutes = clocked_minutes(intervals.get((order_id, line_no), ()), now, corrections.get((order_id, line_no), ()))
        out.setdefault(order_id, {})[line_no] = minutes
    return out


def forecast_of(
    session, work_order: WorkOrder, now: datetime, settings: FloorSettings, jobs=None, clocked_lines=None
) -> datetime:
    """R-WS-7: when the order will be ready; `jobs` and `clocked_lines` when the caller has read them already."""
    if jobs is None:
        jobs = session.scalars(sa.select(Job).filter_by(order_id=work_order.order_id))
    if clocked_lines is None:
        clocked_lines = clocked_by_line(session, work_order.order_id, now)
    jobs = [OpenJob(j.technician_id, j.hours, clocked_lines.get(j.line_no, 0), j.status == "done") for j in jobs]
    expected = work_order.parts_expected_on if work_order.waiting_parts else None
    return forecast_ready(now, jobs, settings.hours, expected)


def _risk_key(
    session, work_order: WorkOrder, reason: str, now: datetime, settings: FloorSettings, jobs=None, clocked=None
) -> tuple:
    """(key, forecast) when the forecast passes the promise and the advisor has not been warned of it yet; `jobs`
    and `clocked` (its lines' minutes) when the caller has read them already."""
    if work_order.status == "ready":
        return None, None
    forecast = forecast_of(session, work_order, now, settings, jobs, clocked)
    if not at_risk(forecast, work_order.promised_at):
        return None, None
    key = f"{reason}:{forecast.isoformat()}"[:80]
    return (None, None) if work_order.at_risk_told == key else (key, forecast)


def warn_if_late(uow, work_order: WorkOrder, reason: str, settings: FloorSettings | None = None) -> bool:
    """order_at_risk once per reason and forecast: the advisor tells the customer before the promise passes."""
    settings = settings or FloorSettings.load()
    key, forecast = _risk_key(uow.session, work_order, reason, uow.clock(), settings)
    if key is None:
        return False
    work_order.at_risk_told = key
    uow.emit(
        names.ORDER_AT_RISK,
        {
            "order_id": work_order.order_id,
            "visit_id": work_order.visit_id,
            "promised_at": work_order.promised_at,
            "forecast_at": forecast,
            "reason": reason,
        },
        correlation_id=work_order.visit_id,
    )
    return True


_WO = WorkOrder.__table__
_IN_REPAIR = _WO.c.status == "in_progress"
# what the timer's read needs of the orders in repair and of their jobs (table columns, not entities: the orders'
# signed bodies are not read), each by one statement built once
_ORDERS_IN_REPAIR = sa.select(
    _WO.c.order_id, _WO.c.status, _WO.c.promised_at, _WO.c.waiting_parts, _WO.c.parts_expected_on, _WO.c.at_risk_told
).where(_IN_REPAIR)
_JOBS_IN_REPAIR = (
    sa.select(_JOB.c.order_id, _JOB.c.line_no, _JOB.c.technician_id, _JOB.c.hours, _JOB.c.status)
    .join(_WO, _WO.c.order_id == _JOB.c.order_id)
    .where(_IN_REPAIR)
)


def forecasts_to_warn(session, now: datetime) -> list[str]:
    """Orders in repair whose forecast passes the promise, the advisor not yet warned (the timer reads first): the
    orders, their jobs and their clocks in four statements, not three an order."""
    settings = FloorSettings.load()
    orders = session.execute(_ORDERS_IN_REPAIR).all()
    jobs_of: dict[str, list] = {wo.order_id: [] for wo in orders}
    for job in session.execute(_JOBS_IN_REPAIR):
        jobs_of.setdefault(job.order_id, []).append(job)
    clocked = clocked_by_order(session, list(jobs_of), now)
    return [
        wo.order_id
        for wo in orders
        if _risk_key(session, wo, "forecast", now, settings, jobs_of[wo.order_id], clocked.get(wo.order_id, {}))[0]
    ]


def watch_forecasts(uow) -> int:
    """The timer's round: every order in repair whose forecast passes its promise warns the advisor once."""
    settings = FloorSettings.load()
    orders = uow.session.scalars(sa.select(WorkOrder).where(WorkOrder.status == "in_progress"))
    return sum(warn_if_late(uow, wo, "forecast", settings) for wo in orders)


# --- stock-outs (the parts counter's events) ----------------------------------------------------------


def _pause_for_parts(uow, work_order: WorkOrder) -> None:
    now = uow.clock()
    for job in uow.session.scalars(sa.select(Job).filter_by(order_id=work_order.order_id)):
        if job.clock == RUNNING:
            _stop(uow.session, job, now, "waiting_parts")
            job.clock, job.pause_reason = PAUSED, "waiting_parts"
        elif job.status != "done" and job.clock != DONE:
            job.pause_reason = job.pause_reason or "waiting_parts"


def take_issue_refused(uow, event: Envelope) -> None:
    """parts_issue_refused -> the order waits for parts; running jobs pause with that reason."""
    work_order = uow.session.get(WorkOrder, event.payload["order_id"])
    if work_order is None:
        return
    work_order.waiting_parts = True
    _pause_for_parts(uow, work_order)
    uow.session.flush()
    warn_if_late(uow, work_order, "waiting_parts")


def take_backordered(uow, event: Envelope) -> None:
    """parts_backordered (for a workshop request) -> the expected date; a delay warning if the promise is at risk."""
    order_id = event.payload.get("order_id")
    work_order = uow.session.get(WorkOrder, order_id) if order_id else None
    if work_order is None:
        return
    work_order.waiting_parts = True
    work_order.parts_expected_on = max(line["expected_on"] for line in event.payload["lines"])
    _pause_for_parts(uow, work_order)
    uow.session.flush()
    warn_if_late(uow, work_order, "waiting_parts")


def take_received(uow, event: Envelope) -> None:
    """parts_received: the goods for a waiting order are in; it expects them today (the issue follows)."""
    received = event.payload
    for line in received["allocated"]:
        work_order = uow.session.get(WorkOrder, line.get("order_id")) if line.get("order_id") else None
        if work_order is not None and work_order.waiting_parts:
            work_order.parts_expected_on = received["received_at"].astimezone(FloorSettings.load().hours.tz).date()


def resume_after_issue(uow, order_id: str, outstanding: bool) -> None:
    """parts_issued -> once nothing is outstanding the order stops waiting and its jobs paused for parts resume."""
    work_order = uow.session.get(WorkOrder, order_id)
    if work_order is None or not work_order.waiting_parts or outstanding:
        return
    work_order.waiting_parts, work_order.parts_expected_on = False, None
    now = uow.clock()
    for job in uow.session.scalars(sa.select(Job).filter_by(order_id=order_id)):
        if job.pause_reason != "waiting_parts":
            continue
        job.pause_reason = None
        if job.clock == PAUSED:
            job.clock = RUNNING
            _run(uow.session, job, now)


def take_parts_issued(uow, event: Envelope) -> None:
    """parts_issued -> the parts received against the order; a waiting order whose parts are all in resumes."""
    work_order = orders.take_parts_issued(uow, event)
    order_id = event.payload["order_id"]
    if not work_order.waiting_parts:
        return  # nothing to resume, whatever is outstanding (resume_after_issue)
    uow.session.flush()
    requested: dict[int, Decimal] = {}
    for request in uow.session.scalars(sa.select(PartsRequest).filter_by(order_id=order_id)):
        for line in request.lines:
            requested[line["line_no"]] = requested.get(line["line_no"], Decimal(0)) + Decimal(line["quantity"])
    received = orders._sum_by_line(uow.session.scalars(sa.select(PartReceived).filter_by(order_id=order_id)))
    outstanding = any(received.get(no, Decimal(0)) < qty for no, qty in requested.items())
    resume_after_issue(uow, order_id, outstanding)
