"""Delivery 交车 on the advisor's tablet (R-BL-2..6) and the gate 门证 (R-BL-6): the checklist signed off,
the old parts' fates (old_parts_decided), the waiver for declined safety work, the next service; the guard's
check of the gate pass, and the service manager alerted when it is refused."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from contracts import names
from kit import signatures
from kit.errors import DomainError, NotFound
from kit.i18n import N_

from .. import models
from ..domain import delivery, gate_pass
from ..models import Delivery, GateAlert, GatePass, Invoice
from . import rows
from .orders import order_header
from .settlement import SETTLED, customer_due, settle

NEXT_SERVICE_KM = 5000  # the default interval when booking's plan is not at hand
NEXT_SERVICE_DAYS = 180


def _rows(session, order_id: str):
    """(invoice, latest signed version, work done, delivery) of the order; NotFound before its signed order."""
    found = rows.delivery_rows(session, order_id)
    if found is None or found[1] is None:
        raise NotFound("This order has no invoice yet")
    return found


def delivery_view(session, order_id: str) -> dict:
    """What the advisor goes through with the customer: the bill, the QC findings, wear and deferred work, the
    old parts, the safety work declined (waiver), the next service proposed."""
    return _view(*_rows(session, order_id))


def _view(invoice: Invoice, quote, work, done: Delivery | None) -> dict:
    findings = (work.findings if work else None) or {"deferred_work": [], "wear": []}
    body = order_header(quote.signed["order"])  # the car, the customer and the mileage, not the lines
    ready = work.ready_at.date() if work else date.today()
    return {
        "order_id": invoice.order_id,
        "invoice_id": invoice.invoice_id,
        "status": invoice.status,
        "plate": invoice.plate,
        "customer_name": invoice.customer_name,
        "receiving_advisor": invoice.advisor_id,
        "lines": invoice.lines,
        "total": invoice.total,
        "findings": findings,
        "deferred_work": findings.get("deferred_work") or [],
        "wear": findings.get("wear") or [],
        "safety_declined": delivery.declined_safety(findings.get("deferred_work") or []),
        "old_parts": delivery.old_parts(invoice.lines),
        "next_service": {"date": ready + timedelta(days=NEXT_SERVICE_DAYS), "km": body["mileage_km"] + NEXT_SERVICE_KM},
        "vehicle": body["vehicle"],
        "customer": body["customer"],
        "delivered": done
        and {
            "delivered_by": done.delivered_by,
            "override_reason": done.override_reason,
            "old_parts": done.old_parts,
            "waiver": done.waiver,
            "waiver_signature": done.waiver_signature,
            "next_service": done.next_service,
            "delivered_at": done.delivered_at,
        },
    }


def deliver(uow, order_id: str, cmd: dict, *, roles, secret: bytes) -> dict:
    """R-BL-2..6: the advisor who received the car (or a manager with a reason) signs off the checklist; each
    old part's fate is chosen (old_parts_decided to the parts counter); declined safety work needs the
    customer's waiver signature; the next service given (and booked through booking: its appointment id).

    Answers the delivery view as it stands after, from what it read and wrote (no second transaction)."""
    session = uow.session
    found = rows.delivery_rows(session, order_id)  # records of columns: the delivery and the bill written by Core
    if found is None:
        raise NotFound("This order has no invoice yet")
    invoice, quote, work, done = found
    if invoice.status not in ("ready", "paid"):
        raise DomainError(N_("The invoice is not ready; the car cannot be delivered yet"), code="not_ready")
    if done is not None:
        raise DomainError(N_("This car has already been delivered"), code="already_delivered")
    override = delivery.check_deliverer(invoice.advisor_id, uow.actor_id, roles, cmd.get("override_reason"))
    if quote is None:
        raise NotFound("This order has no invoice yet")
    view = _view(invoice, quote, work, None)
    decided = delivery.check_fates(view["old_parts"], cmd.get("fates") or {})
    waiver_image, digest = cmd.get("waiver_signature") or None, cmd.get("waiver_signature_sha256") or None
    if digest and not signatures.exists(session, digest):
        raise DomainError(N_("The customer has not signed yet"), field="waiver_signature", code="unsigned")
    delivery.check_checklist(cmd.get("checks") or {}, view["deferred_work"], bool(waiver_image or digest))
    if not view["safety_declined"]:
        digest = None
    elif not digest:
        digest = signatures.store(uow, waiver_image, "waiver_signature")
    next_service = cmd.get("next_service") or {}
    row = SimpleNamespace(
        order_id=order_id,
        invoice_id=invoice.invoice_id,
        delivered_by=uow.actor_id,
        override_reason=(cmd.get("override_reason") or "").strip()[:200] if override else None,
        checks={name: True for name in delivery.CHECKS},
        old_parts=[{**p, "quantity": str(p["quantity"])} for p in decided],
        waiver=view["safety_declined"],
        waiver_signature=digest,
        next_service={
            "date": str(next_service.get("date") or view["next_service"]["date"]),
            "km": int(next_service.get("km") or view["next_service"]["km"]),
            "appointment_id": next_service.get("appointment_id"),
        },
        delivered_at=uow.clock(),
    )
    session.connection().execute(rows.INSERT_DELIVERY, vars(row))
    if decided:
        uow.emit(
            names.OLD_PARTS_DECIDED,
            {"order_id": order_id, "decided_by": uow.actor_id, "decided_at": row.delivered_at, "parts": decided},
            correlation_id=invoice.visit_id,
        )
    # R-BL-1: nothing was paid before this delivery (a payment on a ready invoice waits for it; refunds, for a
    # payment), so the customer owes the bill's total: nothing (warranty or internal) releases the car now
    if invoice.status == "ready" and customer_due(session, invoice, []) == 0:
        settle(uow, invoice, secret, quote.signed["order"])
        rows.update_invoice(session, invoice, *SETTLED)
    return _view(invoice, quote, work, row)


def check_gate_pass(uow, token: str, plate: str, *, secret: bytes) -> tuple[GatePass | None, DomainError | None]:
    """R-BL-6: valid, for this plate, not used before -> the car may leave and the pass is spent. Otherwise the
    refusal is kept for the service manager (the alert) and returned: the caller commits, then refuses."""
    session = uow.session
    try:
        pass_no, _ = gate_pass.read(secret, token)
        row = session.get(GatePass, pass_no)
        if row is None or row.token != token.strip():
            raise DomainError(N_("This is not a gate pass of this dealership"), field="token", code="forged")
        gate_pass.check(secret, token, plate, row.used_at)
    except DomainError as exc:
        alert = GateAlert(
            plate=(plate or "")[:16],
            token=(token or "")[:200],
            cause=exc.code or "forged",
            guard_id=uow.actor_id,
            at=uow.clock(),
        )
        session.add(alert)
        return None, exc
    row.used_at, row.used_by = uow.clock(), uow.actor_id
    return row, None


def gate_view(session) -> dict:
    """The guard's page and the service manager's alerts: passes refused at the gate, newest first."""
    return {
        "alerts": [
            {"plate": a.plate, "cause": a.cause, "guard_id": a.guard_id, "at": a.at}
            for a in models.gate_alerts(session)
        ]
    }
