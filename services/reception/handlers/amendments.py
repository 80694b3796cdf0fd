"""Reception's amendment use cases (R-WS-3): found work in, priced, consented, signed as a new version.

`f(uow, ...)`; the rules are in domain/amendments.py, the views of versions and changes in versions.py.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope, names
from contracts.events import OrderSchema
from contracts.repair_order import RepairOrder
from kit import signing
from kit.errors import DomainError, NotFound
from kit.web import JSONEncoder

from ..domain import amendments
from ..models import AdditionalWork, Amendment, ConsentRequest, Order, OrderVersion, WriteUp
from . import signatures as signature_captures
from .prices import price_book

_ORDER = OrderSchema()


def body_sha256(body: dict) -> str:
    """The SHA-256 of a version's canonical body (RFC 8785), as the next version names it."""
    return signing.sha256_hex(signing.canonical(body))


def take_additional_work(uow, event: Envelope) -> None:
    """additional_work_requested -> shown to the advisor, who prices it and asks the customer (R-WS-3)."""
    p = event.payload
    if uow.session.get(AdditionalWork, p["request_id"]) is not None:
        return
    uow.session.add(
        AdditionalWork(
            request_id=p["request_id"],
            order_id=p["order_id"],
            order_version=p["order_version"],
            visit_id=p["visit_id"],
            plate=p["plate"],
            lines=_json(p["lines"]),
            reason=p["reason"],
            reported_by=p["reported_by"],
            reported_at=p["reported_at"],
            received_at=uow.clock(),
            job_line_no=p["job_line_no"],
        )
    )


def price_amendment(
    uow,
    order_id: str,
    *,
    lines: list[dict] | None = None,
    request_id: str | None = None,
    promised_at=None,
    workshop_promise=None,
) -> Amendment:
    """R-WS-3: the advisor re-prices the found work (or lines of their own) from reception's copy of the
    price list the order was priced from, and re-estimates the delivery time: the advisor's own time, else the
    workshop's answer for the added hours given its load (`workshop_promise`, asked before this transaction),
    else the added hours on top of the current promise. The change now needs the customer's consent: recorded
    for the progress notices (R-PN-1)."""
    session = uow.session
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("Work order not found", field="order_id")
    if order.status != "signed":
        raise DomainError("Only a signed order can be amended; change the draft instead", code="not_signed")
    _check_not_delivered(session, order)
    work = None
    if request_id:
        work = session.get(AdditionalWork, request_id)
        if work is None or work.order_id != order_id:
            raise NotFound("Additional work request not found", field="request_id")
        if work.amendment_id:
            existing = session.get(Amendment, work.amendment_id)
            if existing.status == "awaiting_consent" and existing.base_version == order.signed_version:
                return existing  # already priced: the same change, not a second one
        lines = [{**line, "quantity": _decimal(line.get("quantity"))} for line in work.lines]
    if not lines:
        raise DomainError("The change needs at least one repair item", field="lines")
    now = uow.clock()
    previous = loaded(latest_version(session, order_id).signed["order"])
    book = price_book(session, previous["price_list_version"])
    proposed = amendments.price_found_work(lines, book, RepairOrder.from_body(previous).last_line_no)
    promise = amendments.check_promise(promised_at, now)
    estimate = promise or amendments.reestimate(previous["promised_at"], now, proposed)
    if promise is None and workshop_promise is not None:
        estimate = max(workshop_promise, previous["promised_at"])
    amendment = Amendment(
        amendment_id=str(uuid.uuid4()),
        order_id=order_id,
        request_id=request_id,
        base_version=order.signed_version,
        lines=_json(proposed),
        promised_at=promise,
        status="awaiting_consent",
        priced_by=uow.actor_id,
        priced_at=now,
        accepted=[],
        declined=[],
    )
    session.add(amendment)
    if work is not None:
        work.status, work.amendment_id = "priced", amendment.amendment_id
    session.add(
        ConsentRequest(
            amendment_id=amendment.amendment_id,
            order_id=order_id,
            visit_id=order.visit_id,
            plate=previous["vehicle"]["plate"],
            customer=_json(previous["customer"]),
            summary=amendments.summary(proposed),
            added_total=amendments.added_total(proposed, previous["vat_rate"]),
            promised_at=estimate,
            requested_at=now,
        )
    )
    uow.correlation_id = order.visit_id
    session.flush()
    return amendment


def sign_amendment(
    uow,
    amendment_id: str,
    *,
    advisor_id: str,
    signer,
    accepted: list[int],
    consent: dict | None,
    customer_signature: str | None = None,
) -> Amendment:
    """R-WS-3: only after the customer's consent is the new version signed and announced (order_amended).

    Lines not accepted are recorded as declined and are not on the new version. Without consent the
    amendment is refused and nothing changes. `consent`: {"method": "signature", "signature_sha256"} (or the
    image itself in `customer_signature`), or {"method": "phone", "at", "staff_id", "customer_words"}.
    """
    session = uow.session
    amendment = session.get(Amendment, amendment_id)
    if amendment is None:
        raise NotFound("Amendment not found", field="amendment_id")
    order = session.get(Order, amendment.order_id)
    uow.correlation_id = order.visit_id
    if amendment.status != "awaiting_consent":
        raise DomainError("This change has already been answered", code="already_answered")
    _check_not_delivered(session, order)
    if order.signed_version != amendment.base_version:
        raise DomainError("The order has changed since this change was priced; price it again", code="stale_amendment")
    if advisor_id != order.draft["advisor_id"]:
        raise DomainError(
            "The order must be signed by the advisor who received the car", field="advisor_id", code="wrong_advisor"
        )
    now = uow.clock()
    consent = dict(consent or {})
    if consent.get("method") == "signature":
        consent["staff_id"] = advisor_id
        if consent.get("signature_sha256"):  # captured on the pad for this change, not used yet: else no consent
            try:
                signature_captures.use(uow, consent["signature_sha256"], order.order_id, amendment_id)
            except DomainError:
                consent["signature_sha256"] = None
        elif customer_signature:
            consent["signature_sha256"] = signature_captures.capture_and_use(
                uow, customer_signature, order.order_id, amendment_id
            )
    elif consent.get("method") == "phone":
        consent.setdefault("staff_id", uow.actor_id)
    consent = amendments.check_consent(consent, now=now, priced_at=amendment.priced_at)
    proposed = [money_line(line) for line in amendment.lines]
    taken, declined = amendments.decide(proposed, accepted)
    amendment.accepted = [line["line_no"] for line in taken]
    amendment.declined = [line["line_no"] for line in declined]
    amendment.consent = _json(consent)
    amendment.answered_at = now
    request = session.get(AdditionalWork, amendment.request_id) if amendment.request_id else None
    if request is not None:
        request.status = "answered"
    consent_request = session.get(ConsentRequest, amendment_id)
    if consent_request is not None:
        consent_request.answered_at = now
    if not taken:
        amendment.status = "declined"  # the order stays as it is: nothing to sign
        if request is not None:  # the workshop is told not to do the work it found
            uow.emit(
                names.ADDITIONAL_WORK_DECLINED,
                {
                    "request_id": request.request_id,
                    "order_id": order.order_id,
                    "amendment_id": amendment_id,
                    "order_version": order.signed_version,
                    "declined": [{k: line[k] for k in ("kind", "code", "description")} for line in declined],
                    "consent": consent,
                },
                correlation_id=order.visit_id,
            )
        return amendment
    previous_row = latest_version(session, order.order_id)
    previous = loaded(previous_row.signed["order"])
    promise = amendment.promised_at or amendments.reestimate(previous["promised_at"], now, taken)
    change = RepairOrder.of_lines(proposed)
    all_hours_taken = change.labour_hours(amendment.accepted) == change.labour_hours()
    if amendment.promised_at is None and consent_request is not None and all_hours_taken:
        promise = max(consent_request.promised_at, previous["promised_at"])  # the time the customer was told
    body = amendments.amended_body(
        previous,
        body_sha256(previous_row.signed["order"]),
        taken,
        declined,
        consent=consent,
        promised_at=promise,
        signed_at=now,
    )
    signed = signer.sign_json(_json(body))
    version = body["version"]
    session.add(
        OrderVersion(order_id=order.order_id, version=version, signed=signed, signed_at=now, advisor_id=advisor_id)
    )
    order.signed_version, order.draft, order.updated_at = version, signed["order"], now
    amendment.status, amendment.new_version = "signed", version
    uow.emit(
        names.ORDER_AMENDED,
        {
            "amendment_id": amendment_id,
            "signed_order": signed,
            "version": version,
            "previous_version": previous["version"],
            "previous_sha256": body["amends"]["sha256"],
            "request_id": amendment.request_id,
        },
        correlation_id=order.visit_id,
    )
    return amendment


def added_labour(session, order_id: str, request_id: str | None, lines: list[dict] | None, now):
    """(labour hours the change adds, the time they can start: the current promise or now) to ask the workshop
    before pricing; (None, None) when there is nothing to ask (no labour, or the change will be refused)."""
    order = session.get(Order, order_id)
    if order is None or order.status != "signed":
        return None, None
    if request_id:
        work = session.get(AdditionalWork, request_id)
        if work is None:
            return None, None
        lines = [{**line, "quantity": _decimal(line.get("quantity"))} for line in work.lines]
    previous = loaded(latest_version(session, order_id).signed["order"])
    try:
        proposed = amendments.price_found_work(lines or [], price_book(session, previous["price_list_version"]), 0)
    except DomainError:
        return None, None
    hours = RepairOrder.of_lines(proposed).labour_hours()
    return (hours, max(previous["promised_at"], now)) if hours else (None, None)


def _check_not_delivered(session, order: Order) -> None:
    """The car has left (vehicle_delivered closed the visit): its order can no longer change."""
    write_up = session.get(WriteUp, order.visit_id)
    if write_up is not None and write_up.closed_at is not None:
        raise DomainError("The car has been delivered; its order can no longer be amended", code="delivered")


def latest_version(session, order_id: str) -> OrderVersion:
    return session.scalars(
        sa.select(OrderVersion).filter_by(order_id=order_id).order_by(OrderVersion.version.desc()).limit(1)
    ).one()


def loaded(body: dict) -> dict:
    return _ORDER.load(body)


def money_line(line: dict) -> dict:
    return {
        **line,
        "quantity": Decimal(str(line["quantity"])),
        "unit_price": Decimal(str(line["unit_price"])),
        "amount": Decimal(str(line["amount"])),
    }


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _json(value):
    return json.loads(json.dumps(value, cls=JSONEncoder))
