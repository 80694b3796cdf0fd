"""The quality check 质量检查 (R-QC-1..4): every job done and every part issued, the inspection standard item by
item with measured values, the road test where needed. Fail: non-conformance records, each failed job back to
the technician who did it, the advisor told at once (qc_failed) and warned if the promise will be missed.
Pass: findings, wear, deferred work, washed, the finished-car bay; vehicle_ready carries them to billing."""

from __future__ import annotations

import json
from collections import namedtuple
from decimal import Decimal

import sqlalchemy as sa

from contracts import names
from kit.errors import DomainError, NotFound

from ..domain.inspection import check_handover, check_road_test, judge, needs_road_test, standard_for
from ..domain.work_orders import QualityCheckBlocked, qc_blockers
from ..models import Job, NonConformance, PartReceived, PartsRequest, QualityCheck, WorkOrder
from . import clock, order_rows
from .floor import FloorSettings
from .orders import ALL_JOBS, _sum_by_line, order_and_jobs


def inspection_of(session, order_id: str, codes: list[str] | None = None) -> dict:
    """The standard to inspect this order to, and whether it needs a road test (for the page and the API);
    `codes`: its jobs' codes when the caller has read the jobs already."""
    if codes is None:
        codes = session.scalars(sa.select(Job.code).filter_by(order_id=order_id)).all()
    return {
        "items": [{"key": i.key, "label": i.label, "limit_mm": i.limit_mm} for i in standard_for(codes)],
        "road_test": needs_road_test(codes),
    }


_RECEIVED_T, _REQUESTED_T = PartReceived.__table__, PartsRequest.__table__
_ORDER_ID = sa.bindparam("order_id")
# the order's parts received and requested, by table columns (Core rows: what the check sums and names)
_RECEIVED = (
    sa.select(_RECEIVED_T.c.line_no, _RECEIVED_T.c.part_no, _RECEIVED_T.c.quantity)
    .where(_RECEIVED_T.c.order_id == _ORDER_ID)
    .order_by(_RECEIVED_T.c.id)
)
_REQUESTED = sa.select(_REQUESTED_T.c.lines).where(_REQUESTED_T.c.order_id == _ORDER_ID)
_WO = WorkOrder.__table__
_CHECK = QualityCheck.__table__.insert()
_READY = _WO.update().where(_WO.c.order_id == sa.bindparam("key_order"))
Received = namedtuple("Received", "line_no part_no quantity")  # a part received, as the check sums and names it
Checked = namedtuple("Checked", "order_id visit_id status")  # a passed check's answer to its caller


def blockers(session, order_id: str, jobs, received_rows=None, requests=None):
    """`received_rows`: the order's parts received (rows of line_no, part_no, quantity) and `requests` its parts
    requests (dicts with their lines) when the caller has read them already."""
    if received_rows is None:
        received_rows = session.execute(_RECEIVED, {"order_id": order_id})
    received = _sum_by_line(received_rows)
    if requests is None:
        requests = session.execute(_REQUESTED, {"order_id": order_id}).mappings()
    requested: dict[int, Decimal] = {}
    for request in requests:
        for line in request["lines"]:
            requested[line["line_no"]] = requested.get(line["line_no"], Decimal("0")) + Decimal(line["quantity"])
    return {j.line_no: j.status for j in jobs}, requested, received


def outstanding_parts(session, order_id: str) -> bool:
    _, requested, received = blockers(session, order_id, [])
    return any(received.get(no, Decimal(0)) < qty for no, qty in requested.items())


def quality_check(
    uow,
    order_id: str,
    *,
    items: dict,
    passed: bool | None = None,
    findings: str = "",
    road_test: dict | None = None,
    deferred_work: list | None = None,
    washed: bool | None = None,
    finished_bay: str | None = None,
    settings: FloorSettings | None = None,
) -> WorkOrder:
    settings = settings or FloorSettings.load()
    session = uow.session
    rows = order_rows.read(session, order_id)  # the order, its jobs, the parts received and requested: one statement
    if rows is None:
        raise NotFound("Work order not found, or it has not reached the workshop yet", field="order_id")
    work_order, jobs = rows.order, rows.jobs
    uow.correlation_id = work_order.visit_id
    if work_order.status != "in_progress":
        raise DomainError("This order is not in repair; it cannot be quality-checked", code="not_in_progress")
    parts_used = [Received(**row) for row in rows.sides["parts_received"]]
    facts = blockers(session, order_id, jobs, parts_used, rows.sides["parts_requests"])
    if qc_blockers(*facts):  # R-QC-1: every job done (named when not), every part issued
        raise QualityCheckBlocked(*facts)
    codes = [j.code for j in jobs]
    outcome = judge(standard_for(codes), items, [j.line_no for j in jobs])
    if passed is not None and passed != outcome.passed:
        raise DomainError(
            "The result does not match the items: a fail needs a failed item, a pass none", field="passed"
        )
    technicians = {j.technician_id for j in jobs if j.technician_id}
    road = check_road_test(road_test, needs_road_test(codes), technicians)
    now = uow.clock()
    check = {
        "order_id": order_id,
        "inspector_id": uow.actor_id,
        "passed": outcome.passed,
        "findings": (findings or "")[:2000],
        "checked_at": now,
        "items": _plain(outcome.results),
        "road_test": road,
        "wear": _plain(outcome.wear),
    }
    if not outcome.passed:  # the jobs go back: their entities (and the order's) change, as does the forecast
        work_order, jobs = order_and_jobs(session, ALL_JOBS, order_id)
        check = QualityCheck(**check)
        session.add(check)
        session.flush()
        _fail(uow, work_order, jobs, check, outcome.failed, settings)
        return work_order
    deferred = check_handover(deferred_work or [], washed, finished_bay, settings.finished_bays)
    check.update(deferred_work=deferred, washed=True, finished_bay=finished_bay)
    session.execute(_CHECK, check)
    session.execute(_READY, {"key_order": order_id, "status": "ready", "ready_at": now})
    rows.set_order(status="ready", ready_at=now)  # the order's rows as written, for the answer
    rows.add_side("quality_checks", check)
    rows.settings = settings
    order_rows.keep(session, rows)
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
            "deferred_work": deferred,
            "wear": outcome.wear,
            "finished_bay": finished_bay,
            "washed": True,
        },
        correlation_id=work_order.visit_id,
    )
    return Checked(order_id, work_order.visit_id, "ready")


def _fail(uow, work_order: WorkOrder, jobs: list[Job], check: QualityCheck, failed: list[dict], settings) -> None:
    """R-QC-2: non-conformance records; each failed job back to the technician who did it; the advisor told."""
    by_line = {j.line_no: j for j in jobs}
    now = uow.clock()
    records = []
    for fail in failed:
        job = by_line[fail["line_no"]]
        uow.session.add(
            NonConformance(
                check_id=check.id,
                order_id=work_order.order_id,
                line_no=job.line_no,
                item=fail["item"],
                cause=fail["cause"],
                technician_id=job.technician_id,
                created_at=now,
            )
        )
        records.append({**fail, "technician_id": job.technician_id})
    for line_no in {f["line_no"] for f in failed}:
        job = by_line[line_no]
        job.status, job.clock, job.finished_at, job.reworks = "in_progress", "assigned", None, job.reworks + 1
        job.signature = job.signed_by = None
    uow.emit(
        names.QC_FAILED,
        {
            "order_id": work_order.order_id,
            "order_version": work_order.version,
            "visit_id": work_order.visit_id,
            "inspector_id": uow.actor_id,
            "failed_at": now,
            "non_conformances": records,
        },
        correlation_id=work_order.visit_id,
    )
    uow.session.flush()
    clock.warn_if_late(uow, work_order, "qc_failed", settings)


def _plain(value):
    """Decimals as text for the JSON columns (the results' and wear's values are text, numbers, booleans, None)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_text))


def _text(value) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not stored in a quality check")
