"""The order's body composed from the write-up (R-RC-5): jobs and accepted findings priced from the published
list, totals, diagnosis, declined findings, the order's fields and the promise. A draft follows the write-up."""

from __future__ import annotations

import json
from decimal import Decimal

import sqlalchemy as sa

from contracts.repair_order import RepairOrder
from kit.errors import DomainError
from kit.web import JSONEncoder

from ..domain.pricing import price_lines, totals
from ..models import Finding, Visit, WriteUp
from .prices import book_of_version, current_price_book, price_book_for
from .visits import (
    HAS_FINDINGS,
    PRICE_LIST_IN_FORCE,
    HeldOrder,
    HeldVisit,
    order_of_visit,
    rows_of,
    saved,
    sheet_of,
    write_up_of,
)


def requested_lines(lines: list[dict]) -> list[dict]:
    out = []
    for line in lines:
        quantity = line.get("quantity")
        out.append(
            {
                "kind": line["kind"],
                "code": line["code"].strip().upper(),
                "quantity": None if quantity in (None, "") else str(quantity),
            }
        )
    return out


def priced_lines(jobs: list[dict], book) -> list[dict]:
    return price_lines(
        [{**j, "quantity": None if j.get("quantity") is None else Decimal(str(j["quantity"]))} for j in jobs], book
    )


_FINDINGS = sa.select(Finding).where(Finding.visit_id == sa.bindparam("visit_id")).order_by(Finding.id)  # built once


def findings_of(session, visit_id: str) -> list[Finding]:
    """The visit's findings, oldest first (none read when the visit's rows say there is none)."""
    rows = rows_of(session, visit_id)
    if rows is not None and not rows.has_findings:
        return []
    return list(session.scalars(_FINDINGS, {"visit_id": visit_id}))


def with_accepted_findings(session, visit_id: str, jobs: list[dict], found: list[Finding] | None = None) -> list[dict]:
    """The jobs, then the lines of the findings the customer accepted that are not among them already."""
    jobs = list(jobs)
    for f in findings_of(session, visit_id) if found is None else found:
        if f.status != "accepted":
            continue
        have = RepairOrder.of_lines(jobs)
        jobs += [j for j in f.jobs if not have.has_job(j["kind"], j["code"])]
    return jobs


def compose_body(uow, visit: HeldVisit, order: HeldOrder | None, promise: dict) -> dict:
    """The order body (R-RC-5): jobs and accepted findings priced from the published list, totals, the
    diagnosis, declined findings, pay type, key tag, waiting, and the promise with where it came from."""
    session = uow.session
    row = write_up_of(uow, visit)
    book = price_book_for(session, visit.visit_id)
    if book is None:
        price_lines([], None)  # raises no_price_list
    found = findings_of(session, visit.visit_id)
    lines = priced_lines(with_accepted_findings(session, visit.visit_id, row.jobs, found), book)
    declined, noted = [], []
    for f in (f for f in found if f.status != "proposed"):
        priced = priced_lines(f.jobs, book)
        amount = RepairOrder.of_lines(priced).net()
        noted.append({"description": f.description, "status": f.status, "amount": amount})
        if f.status == "declined":
            declined += [{k: v for k, v in line.items() if k != "line_no"} for line in priced]
    subtotal, vat, total = totals(lines, book.vat_rate)
    sheet = sheet_of(uow, visit)
    mileage = sheet.sheet.get("mileage_km")
    if mileage is None:
        raise DomainError("Enter the mileage shown on the odometer", field="mileage_km", code="required")
    return {
        "order_id": order.order_id if order else None,
        "version": 1,
        "visit_id": visit.visit_id,
        "dealer_id": uow.dealer_id,
        "appointment_id": visit.appointment_id,
        "customer": visit.customer,
        "vehicle": {k: visit.vehicle[k] for k in ("vin", "plate", "model") if k in visit.vehicle},
        "mileage_km": mileage,
        "advisor_id": visit.advisor_id,
        "price_list_version": book.version,
        "lines": lines,
        "subtotal": subtotal,
        "vat_rate": book.vat_rate,
        "vat": vat,
        "total": total,
        "promised_at": promise["promised_at"],
        # additive fields (issue #5): consumers that do not know them still verify and load the body
        "promise_source": promise["source"],
        "promise_note": promise.get("note", ""),
        "pay_type": row.pay_type,
        "key_tag": row.key_tag,
        "customer_waits": row.customer_waits,
        "complaint": {
            "customer_words": row.customer_words,
            "concern": row.concern,
            "cause": row.cause,
            "correction": row.correction,
            "symptom_codes": list(row.symptom_codes),
            "findings": noted,
        },
        **({"declined_lines": declined} if declined else {}),  # R-RC-4: recorded as declined, not quoted
    }


def refresh_draft(uow, visit: HeldVisit) -> None:
    """A draft already written follows the write-up (diagnosis, findings, mileage), keeping its promise."""
    order = order_of_visit(uow.session, visit.visit_id)
    if order is None or order.status != "draft":
        return
    uow.session.flush()
    promise = {
        "promised_at": order.draft["promised_at"],
        "source": order.draft.get("promise_source") or "manual",
        "note": order.draft.get("promise_note", ""),
    }
    try:
        body = compose_body(uow, visit, order, promise)
    except DomainError:
        return  # e.g. every job removed: the draft stays until the advisor writes the order again
    saved(uow.session, order, {"draft": json.loads(json.dumps(body, cls=JSONEncoder)), "updated_at": uow.clock()})


_FOR_HOURS = (  # built once: what a promise asked before the order's transaction needs of the visit, as columns
    sa.select(WriteUp.jobs, HAS_FINDINGS, PRICE_LIST_IN_FORCE)
    .select_from(Visit)
    .outerjoin(WriteUp, WriteUp.visit_id == Visit.visit_id)
    .where(Visit.visit_id == sa.bindparam("visit_id"))
)


def labour_hours(session, visit_id: str, lines: list[dict] | None = None) -> Decimal | None:
    """The standard hours the order would hold (its jobs, or `lines`, plus accepted findings), to ask the
    workshop for a promise before the order is written; None while they cannot be priced."""
    found = session.connection().execute(_FOR_HOURS, {"visit_id": visit_id}).first()
    jobs = requested_lines(lines) if lines is not None else list((found.jobs if found else None) or [])
    if found is None:  # no such visit: no findings, the list in force
        accepted, book = [], current_price_book(session)
    else:
        accepted = list(session.scalars(_FINDINGS, {"visit_id": visit_id})) if found.has_findings else []
        book = book_of_version(session, found.price_list_version)
    try:
        priced = priced_lines(with_accepted_findings(session, visit_id, jobs, accepted), book)
    except DomainError:
        return None
    return RepairOrder.of_lines(priced).labour_hours()
