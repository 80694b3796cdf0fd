"""What reception shows of amendments (R-WS-3): the signed versions of an order, each verified again
(signature, contract, and the chain of `amends`), the workshop's found work, a priced change, and the changes
waiting for the customer's consent."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from kit.errors import PermanentError

from ..domain import amendments
from ..models import AdditionalWork, Amendment, ConsentRequest, Order, OrderVersion
from .amendments import body_sha256, latest_version, loaded, money_line


def verification(session, signed: dict, verifier, previous: OrderVersion | None) -> dict:
    """Does this stored version still verify (signature, contract), and does it name its predecessor right?"""
    try:
        verifier.verify(signed)
    except PermanentError as exc:
        return {"valid": False, "reason": str(exc), "key_id": signed.get("key_id")}
    amends = signed["order"].get("amends")
    if amends is not None:
        if previous is None or amends["version"] != previous.version:
            return {"valid": False, "reason": "the version it amends is missing", "key_id": signed["key_id"]}
        if amends["sha256"] != body_sha256(previous.signed["order"]):
            return {
                "valid": False,
                "reason": "the version it amends was altered after signing",
                "key_id": signed["key_id"],
            }
    return {"valid": True, "reason": None, "key_id": signed["key_id"]}


def versions(session, order_id: str, verifier) -> list[dict] | None:
    if session.get(Order, order_id) is None:
        return None
    rows = list(session.scalars(sa.select(OrderVersion).filter_by(order_id=order_id).order_by(OrderVersion.version)))
    out, previous = [], None
    for row in rows:
        body = row.signed["order"]
        out.append(
            {
                "version": row.version,
                "signed_at": row.signed_at,
                "advisor_id": row.advisor_id,
                "total": body["total"],
                "lines": len(body["lines"]),
                "promised_at": body["promised_at"],
                "sha256": body_sha256(body),
                "amends": body.get("amends"),
                "consent": body.get("consent"),
                "declined_lines": body.get("declined_lines", []),
                "verification": verification(session, row.signed, verifier, previous),
            }
        )
        previous = row
    return out


def version(session, order_id: str, number: int, verifier) -> dict | None:
    row = session.get(OrderVersion, (order_id, number))
    if row is None:
        return None
    previous = session.get(OrderVersion, (order_id, number - 1)) if number > 1 else None
    return {
        "order_id": order_id,
        "version": number,
        "signed_at": row.signed_at,
        "signed": row.signed,
        "sha256": body_sha256(row.signed["order"]),
        "verification": verification(session, row.signed, verifier, previous),
    }


def additional_work(session, status: str | None = "open", order_id: str | None = None) -> list[dict]:
    query = sa.select(AdditionalWork).order_by(AdditionalWork.received_at.desc()).limit(200)
    if status:
        query = query.where(AdditionalWork.status == status)
    if order_id:
        query = query.where(AdditionalWork.order_id == order_id)
    return [
        {
            "request_id": w.request_id,
            "order_id": w.order_id,
            "order_version": w.order_version,
            "visit_id": w.visit_id,
            "plate": w.plate,
            "lines": w.lines,
            "reason": w.reason,
            "reported_by": w.reported_by,
            "reported_at": w.reported_at,
            "status": w.status,
            "amendment_id": w.amendment_id,
            "job_line_no": w.job_line_no,
        }
        for w in session.scalars(query)
    ]


def amendment(session, amendment_id: str) -> dict | None:
    a = session.get(Amendment, amendment_id)
    if a is None:
        return None
    order = session.get(Order, a.order_id)
    current = order.draft
    proposed = [money_line(line) for line in a.lines]
    request = session.get(AdditionalWork, a.request_id) if a.request_id else None
    previous_promise = loaded(latest_version(session, a.order_id).signed["order"])["promised_at"]
    consent_request = session.get(ConsentRequest, amendment_id)
    return {
        "amendment_id": a.amendment_id,
        "order_id": a.order_id,
        "base_version": a.base_version,
        "status": a.status,
        "lines": a.lines,
        "added_total": amendments.added_total(proposed, Decimal(str(current["vat_rate"]))),
        "promised_at": a.promised_at or (consent_request.promised_at if consent_request else previous_promise),
        "previous_promised_at": previous_promise,
        "priced_at": a.priced_at,
        "priced_by": a.priced_by,
        "accepted": a.accepted,
        "declined": a.declined,
        "consent": a.consent,
        "new_version": a.new_version,
        "request": {
            "reason": request.reason,
            "reported_by": request.reported_by,
            "reported_at": request.reported_at,
            "job_line_no": request.job_line_no,
        }
        if request
        else None,
        "order": {
            "plate": current["vehicle"]["plate"],
            "customer": current["customer"],
            "advisor_id": current["advisor_id"],
            "lines": current["lines"],
            "total": current["total"],
            "signed_version": order.signed_version,
        },
    }


def pending_consents(session) -> list[dict]:
    """R-PN-1 hook (read side): changes waiting for the customer, oldest first."""
    rows = session.scalars(
        sa.select(ConsentRequest).where(ConsentRequest.answered_at.is_(None)).order_by(ConsentRequest.requested_at)
    )
    return [
        {
            "amendment_id": r.amendment_id,
            "order_id": r.order_id,
            "visit_id": r.visit_id,
            "plate": r.plate,
            "customer": r.customer,
            "summary": r.summary,
            "added_total": r.added_total,
            "promised_at": r.promised_at,
            "requested_at": r.requested_at,
            "notified_at": r.notified_at,
        }
        for r in rows
    ]
