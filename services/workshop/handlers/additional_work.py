"""Additional work 增项 (R-WS-3) in the workshop: found work is reported to the advisor, never just done;
the amended order (a new signed version, order_amended) brings the new jobs and tells the technician.
The plain rules are in domain/additional_work.py.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from contracts import Envelope, names
from contracts.repair_order import RepairOrder
from kit import signing
from kit.errors import DomainError, NotFound, PermanentError

from ..domain.additional_work import OPEN_STATUSES, check_found_work, new_lines
from ..models import AdditionalWorkRequest, Job, PartsRequest, TechnicianNotice, WorkOrder
from . import capacity


def request_additional_work(
    uow, order_id: str, *, lines: list[dict], reason: str, job_line_no: int | None = None
) -> AdditionalWorkRequest:
    """R-WS-3: the technician (or dispatcher) reports found work on a job to the advisor: additional_work_requested.

    Nothing on the order changes here: the advisor prices it and asks the customer first.
    """
    session = uow.session
    work_order = session.get(WorkOrder, order_id)
    if work_order is None:
        raise NotFound("Work order not found, or it has not reached the workshop yet", field="order_id")
    if work_order.status not in OPEN_STATUSES:
        raise DomainError(
            "This car is no longer in repair; additional work cannot be reported on it", code="not_in_progress"
        )
    if job_line_no is not None and session.get(Job, (order_id, job_line_no)) is None:
        raise NotFound("This order has no such job line", field="job_line_no")
    found = check_found_work(lines, reason)
    now = uow.clock()
    request = AdditionalWorkRequest(
        request_id=str(uuid.uuid4()),
        order_id=order_id,
        order_version=work_order.version,
        lines=[{**line, "quantity": None if line["quantity"] is None else str(line["quantity"])} for line in found],
        reason=reason.strip(),
        reported_by=uow.actor_id,
        reported_at=now,
        job_line_no=job_line_no,
    )
    session.add(request)
    uow.emit(
        names.ADDITIONAL_WORK_REQUESTED,
        {
            "request_id": request.request_id,
            "order_id": order_id,
            "order_version": work_order.version,
            "visit_id": work_order.visit_id,
            "plate": work_order.plate,
            "reported_by": uow.actor_id,
            "reported_at": now,
            "reason": request.reason,
            "lines": found,
            "job_line_no": job_line_no,
        },
        correlation_id=work_order.visit_id,
    )
    return request


def take_amended_order(uow, event: Envelope, verify) -> None:
    """order_amended -> the new signed version replaces the one the workshop works to: its new jobs join the
    job list (with the technician already on the car, who is told), its new parts are requested from the
    parts counter. A tampered or unsigned version, or one that does not follow the version held, is refused.
    """
    amended = event.payload
    signed = event.raw_payload["signed_order"]
    order = verify(signed)  # a tampered or unsigned version is refused here (dead letter)
    RepairOrder.from_body(order).check_amends(amended)  # R-WS-3
    session = uow.session
    work_order = session.get(WorkOrder, order["order_id"])
    if work_order is None:
        # order_signed and order_amended travel on separate queues: the full new version is enough to start
        work_order = _work_order_from(uow, order, signed)
    elif work_order.version >= order["version"]:
        return  # this version (or a later one) is already held
    elif work_order.version == order["amends"]["version"]:
        if signing.sha256_hex(signing.canonical(work_order.signed["order"])) != order["amends"]["sha256"]:
            raise PermanentError(
                f"order {order['order_id']} v{order['version']} amends a version {work_order.version} "
                "other than the one the workshop holds"
            )
    known_jobs = set(session.scalars(sa.select(Job.line_no).filter_by(order_id=order["order_id"])))
    requested = {
        line["line_no"]
        for request in session.scalars(sa.select(PartsRequest).filter_by(order_id=order["order_id"]))
        for line in request.lines
    }
    jobs, parts = new_lines(order, known_jobs, requested)
    held = {line["line_no"] for line in work_order.signed["order"]["lines"]} if work_order.version else set()
    work_order.version, work_order.signed, work_order.promised_at = order["version"], signed, order["promised_at"]
    if work_order.status == "ready" and (jobs or parts):
        work_order.status, work_order.ready_at = "in_progress", None  # new work after QC: back into repair
    working = work_order.status == "in_progress"
    # the labour the new version adds takes capacity like a booking (R-WS-7)
    key = f"v{order['version']}-{order['order_id']}"[:40]
    capacity.take_walk_in_or_amendment(uow, key, [job["code"] for job in jobs])
    session.add_all(
        Job(
            order_id=order["order_id"],
            status="in_progress" if working else "waiting",
            technician_id=work_order.technician_id if working else None,
            **job,
        )
        for job in jobs
    )
    if working and parts:
        request_parts(uow, work_order, parts)
    if amended.get("request_id"):
        request = session.get(AdditionalWorkRequest, amended["request_id"])
        if request is not None:
            request.status, request.answered_version = "amended", order["version"]
    added = [line for line in order["lines"] if line["line_no"] not in held]
    session.add(
        TechnicianNotice(
            order_id=order["order_id"],
            technician_id=work_order.technician_id,
            version=order["version"],
            added=[{k: line[k] for k in ("line_no", "kind", "code", "description")} for line in added],
            declined=[
                {k: line[k] for k in ("kind", "code", "description")} for line in order.get("declined_lines", [])
            ],
            created_at=uow.clock(),
        )
    )


def take_declined_work(uow, event: Envelope) -> None:
    """additional_work_declined -> the customer said no to all of it: the order stays as signed, and the
    technician is told not to do the work (R-WS-3)."""
    declined = event.payload
    session = uow.session
    work_order = session.get(WorkOrder, declined["order_id"])
    if work_order is None:
        raise NotFound("Work order not found, or it has not reached the workshop yet", field="order_id")
    request = session.get(AdditionalWorkRequest, declined["request_id"])
    if (request is not None and request.status == "declined") or _told(session, work_order, declined["declined"]):
        return  # the answer re-sent under a new event id: the technician is told once (issue 12, item 6)
    if request is not None:
        request.status, request.answered_version = "declined", None
    session.add(
        TechnicianNotice(
            order_id=work_order.order_id,
            technician_id=work_order.technician_id,
            version=work_order.version,
            added=[],
            declined=declined["declined"],
            created_at=uow.clock(),
        )
    )


def _told(session, work_order: WorkOrder, declined: list) -> bool:
    """The technician has this very notice of declined work on this version already."""
    notices = session.scalars(
        sa.select(TechnicianNotice).filter_by(order_id=work_order.order_id, version=work_order.version)
    )
    return any(not n.added and n.declined == declined for n in notices)


def _work_order_from(uow, order: dict, signed: dict) -> WorkOrder:
    work_order = WorkOrder(
        order_id=order["order_id"],
        version=0,  # its jobs are added below like any new version's
        visit_id=order["visit_id"],
        signed=signed,
        plate=order["vehicle"]["plate"],
        advisor_id=order["advisor_id"],
        promised_at=order["promised_at"],
        received_at=uow.clock(),
    )
    uow.session.add(work_order)
    uow.session.flush()
    return work_order


_PARTS_REQUEST = PartsRequest.__table__.insert()


def request_parts(uow, work_order: WorkOrder, parts: list[dict]) -> dict:
    """The technician collects the order's signed parts from the parts counter (R-WS-2): at dispatch, and again
    for the parts each new signed version adds; parts_requested carries the signed order to issue against.
    Returns the request's row as written."""
    request_id = str(uuid.uuid4())
    request = {
        "request_id": request_id,
        "order_id": work_order.order_id,
        "requested_at": uow.clock(),
        "lines": [{**p, "quantity": str(p["quantity"])} for p in parts],
    }
    # a prebuilt Core insert: the row is not needed as an entity (its order is in the table)
    uow.session.execute(_PARTS_REQUEST, request)
    uow.emit(
        names.PARTS_REQUESTED,
        {
            "request_id": request_id,
            "signed_order": work_order.signed,
            "technician_id": work_order.technician_id,
            "lines": [{"line_no": p["line_no"], "quantity": p["quantity"]} for p in parts],
        },
        correlation_id=work_order.visit_id,
    )
    return request


# --- views --------------------------------------------------------------------------------------


def view_of(session, order_id: str) -> dict:
    """The order's additional-work requests and the technician's notices, for the work order's view."""
    requests = session.scalars(
        sa.select(AdditionalWorkRequest).filter_by(order_id=order_id).order_by(AdditionalWorkRequest.reported_at)
    )
    notices = session.scalars(sa.select(TechnicianNotice).filter_by(order_id=order_id).order_by(TechnicianNotice.id))
    return {
        "additional_work": [
            {
                "request_id": r.request_id,
                "order_version": r.order_version,
                "lines": r.lines,
                "reason": r.reason,
                "reported_by": r.reported_by,
                "reported_at": r.reported_at,
                "status": r.status,
                "answered_version": r.answered_version,
                "job_line_no": r.job_line_no,
            }
            for r in requests
        ],
        "notices": [
            {
                "technician_id": n.technician_id,
                "version": n.version,
                "added": n.added,
                "declined": n.declined,
                "created_at": n.created_at,
            }
            for n in notices
        ],
    }


def notices_for(session, technician_id: str) -> list[dict]:
    """R-WS-3: what the technician has been told about amended orders, newest first."""
    rows = session.scalars(
        sa.select(TechnicianNotice)
        .filter_by(technician_id=technician_id)
        .order_by(TechnicianNotice.id.desc())
        .limit(50)
    )
    return [
        {
            "order_id": n.order_id,
            "version": n.version,
            "added": n.added,
            "declined": n.declined,
            "created_at": n.created_at,
        }  # fmt: skip
        for n in rows
    ]
