"""At the cashier (R-BL-1): a blocked invoice put right by a manager's adjustment, pay types per line with the
warranty claim, payments by several methods, refunds approved by a manager, the gate pass and the car
released once the customer's invoice is settled."""

from __future__ import annotations

import uuid
from decimal import Decimal
from types import SimpleNamespace

from contracts import names
from kit.errors import DomainError, NotFound
from kit.i18n import N_

from .. import models
from ..domain import corrections, gate_pass, money, pay_types
from ..models import Invoice, Payment, WarrantyClaim
from . import rows
from .invoices import invoice_view, rebuild_invoice
from .orders import order_header


def _invoice(session, invoice_id: str) -> Invoice:
    invoice = session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound("Invoice not found", field="invoice_id")
    return invoice


def _locked(session, invoice_id: str):
    """The invoice as a record of its columns, locked until the transaction ends (it is rebuilt and written back)."""
    invoice = rows.locked_invoice(session, invoice_id=invoice_id)
    if invoice is None:
        raise NotFound("Invoice not found", field="invoice_id")
    return invoice


def _not_settled(uow, invoice) -> None:
    if invoice.status == "paid" or rows.payments(uow.session, invoice.invoice_id):
        raise DomainError(
            N_("Payment has been taken on this invoice; it can no longer be corrected"), code="already_paid"
        )


def adjust(uow, invoice_id: str, cmd: dict, *, roles, limits: dict):
    """R-BL-1: a manager puts a blocked invoice right: waives variances and/or gives a discount within the
    role's limit, with a reason; the invoice is re-audited and the correction kept in its audit trail."""
    invoice = _locked(uow.session, invoice_id)
    _not_settled(uow, invoice)
    if invoice.status == "waiting":
        raise DomainError(N_("The invoice is still waiting for the workshop"), code="not_ready")
    waive = list(cmd.get("waive") or [])
    variances = invoice.variances or []
    waived_value = sum((Decimal(str(v["value"])) for v in variances if v["key"] in waive), Decimal("0"))
    waived_before = sum(
        (Decimal(str(v["value"])) for v in variances if v["key"] in (invoice.waived or [])), Decimal("0")
    )
    gross = (invoice.subtotal or Decimal("0")) + (invoice.discount or Decimal("0")) + waived_before
    discount = corrections.check_adjustment(
        discount=cmd.get("discount"),
        waived_value=waived_value + waived_before,
        gross=gross,
        limit=corrections.limit_for(roles, limits),
        reason=cmd.get("reason", ""),
        variances=variances,
        waive=waive,
    )
    invoice.waived = sorted(set(invoice.waived or ()) | set(waive))
    invoice.discount = discount if discount else invoice.discount
    detail = {
        "waive": waive,
        "discount": str(discount),
        "waived_value": str(waived_value),
        "problems": list(invoice.problems or []),
    }
    rows.insert_correction(uow, invoice_id, "adjustment", cmd["reason"].strip()[:200], detail)
    # rebuilt from the record locked here, its waiver and discount written with the bill (one UPDATE)
    return rebuild_invoice(uow, invoice.order_id, invoice.visit_id, invoice, ("waived", "discount"))


def assign_pay_types(uow, invoice_id: str, assigned: dict, failure_code: str = ""):
    """The warranty assessor moves lines to warranty (or internal): one invoice per payer; warranty lines
    make the maker's claim (VIN, mileage, failure code, labour, parts, old part kept)."""
    invoice = _locked(uow.session, invoice_id)
    _not_settled(uow, invoice)
    line_nos = {line["line_no"] for line in invoice.lines}
    for line_no, payer in assigned.items():
        pay_types.check_assignment(line_nos, line_no, payer)
    current = {**(invoice.pay_types or {}), **{str(k): v for k, v in assigned.items()}}
    warranty_lines = [line for line in invoice.lines if current.get(str(line["line_no"])) == "warranty"]
    claim = None
    if warranty_lines:
        body = order_header(models.quote(uow.session, invoice.order_id, None).signed["order"])
        claim = pay_types.warranty_claim(
            body["vehicle"].get("vin", ""), body["mileage_km"], failure_code, warranty_lines
        )
    invoice.pay_types = current
    row = uow.session.get(WarrantyClaim, invoice_id)
    if claim is not None:
        claim = {**claim, "labour": _plain(claim["labour"]), "parts": _plain(claim["parts"])}
        if row is None:
            uow.session.add(
                WarrantyClaim(invoice_id=invoice_id, claim=claim, approved_by=uow.actor_id, approved_at=uow.clock())
            )
        else:
            row.claim, row.approved_by, row.approved_at = claim, uow.actor_id, uow.clock()
    elif row is not None:
        uow.session.delete(row)
    rows.insert_correction(uow, invoice_id, "pay_type", failure_code[:200], {"pay_types": current})
    uow.session.flush()  # the claim
    return rebuild_invoice(uow, invoice.order_id, invoice.visit_id, invoice, ("pay_types",))


def _plain(items: list[dict]) -> list[dict]:
    return [{k: str(v) if isinstance(v, Decimal) else v for k, v in item.items()} for item in items]


def payments_of(session, invoice) -> list:
    """The invoice's payments and refunds by time (rows of their columns); none to read while nothing was paid on it
    (each payment adds to its paid amount, and a refund is of a payment)."""
    return rows.payments(session, invoice.invoice_id) if invoice.paid_amount is not None else []


def customer_due(session, invoice: Invoice, payments: list[Payment] | None = None) -> Decimal:
    """What the customer still owes on `invoice`, less `payments` (its payments as read, when at hand)."""
    total = Decimal(str((invoice.bills or {}).get("customer", {}).get("total", "0.00")))
    rows = [
        {"kind": p.kind, "amount": p.amount, "approved_by": p.approved_by}
        for p in (models.payments(session, invoice.invoice_id) if payments is None else payments)
    ]
    return money.balance_due(total, rows)


def _rows(session, invoice_id: str):
    """(invoice, delivery, warranty claim, gate pass, latest signed version) as records of their columns, and
    whether the invoice has corrections."""
    found = rows.settlement_rows(session, invoice_id)
    if found is None:
        raise NotFound("Invoice not found", field="invoice_id")
    return found


def pay(uow, invoice_id: str, *, amount: Decimal, method: str, secret: bytes) -> dict:
    """R-BL-1/R-BL-2: the customer pays after the delivery checklist, in one or more payments and methods;
    once the customer's invoice is settled the gate pass 门证 is issued and the car released (R-BL-6).

    Answers the settlement view as it stands after, from what it read and wrote (no second transaction)."""
    invoice, delivered, claim, gate, quote, corrected = _rows(uow.session, invoice_id)
    if invoice.status == "ready" and delivered is None:
        raise DomainError(
            N_("The advisor goes through the delivery checklist with the customer before payment"),
            code="not_delivered",
        )
    payments = payments_of(uow.session, invoice)
    money.check_payment(invoice.status, customer_due(uow.session, invoice, payments), amount, method)
    payment = SimpleNamespace(
        payment_id=str(uuid.uuid4()),
        invoice_id=invoice_id,
        kind="payment",
        amount=amount,
        method=method,
        taken_by=uow.actor_id,
        at=uow.clock(),
        reason="",
        approved_by=None,
        approved_at=None,
    )
    uow.session.connection().execute(rows.INSERT_PAYMENT, vars(payment))
    payments.append(payment)  # the latest: payments are listed by time
    invoice.paid_amount = (invoice.paid_amount or Decimal("0")) + amount
    invoice.payment_method = method if invoice.payment_method in (None, method) else "mixed"
    invoice.cashier_id = uow.actor_id
    uow.correlation_id = invoice.visit_id  # audited with the visit and the order, as the invoice it changed
    uow.subject_id = invoice.order_id
    changed = ("paid_amount", "payment_method", "cashier_id")
    if customer_due(uow.session, invoice, payments) == 0:
        gate = settle(uow, invoice, secret, quote.signed["order"])
        changed += SETTLED
    rows.update_invoice(uow.session, invoice, *changed)  # the invoice is a record of its columns: one UPDATE
    return _settlement_view(uow.session, invoice, payments, claim, delivered, gate, corrected)


SETTLED = ("status", "paid_at", "gate_pass_no")  # the invoice's columns `settle` sets


def settle(uow, invoice, secret: bytes, order: dict):
    """The customer's invoice is settled: gate pass issued, the car delivered (vehicle_delivered). `order`: the
    latest signed version's body. `invoice` is a record of its columns: the caller writes its SETTLED columns."""
    now = uow.clock()
    invoice.status = "paid"
    invoice.paid_at = now
    pass_no = f"GP{now.strftime('%y%m%d')}-{invoice.invoice_id[:6].upper()}"
    invoice.gate_pass_no = pass_no
    token = gate_pass.issue(secret, pass_no, invoice.plate or "")
    row = SimpleNamespace(
        pass_no=pass_no,
        invoice_id=invoice.invoice_id,
        plate=invoice.plate or "",
        token=token,
        issued_at=now,
        used_at=None,
        used_by=None,
    )
    uow.session.connection().execute(rows.INSERT_GATE_PASS, vars(row))
    body = order_header(order)
    uow.emit(
        names.VEHICLE_DELIVERED,
        {
            "invoice_id": invoice.invoice_id,
            "order_id": invoice.order_id,
            "advisor_id": body["advisor_id"],
            "customer": body["customer"],
            "vehicle": body["vehicle"],
            "total": invoice.total,
            "delivered_at": now,
            "mileage_km": body["mileage_km"],
            "labour_codes": sorted({line["code"] for line in invoice.lines if line["kind"] == "labour"}),
        },
        correlation_id=invoice.visit_id,
    )
    return row


def request_refund(uow, invoice_id: str, *, amount: Decimal, reason: str, method: str) -> Payment:
    invoice = _invoice(uow.session, invoice_id)
    rows = models.payments(uow.session, invoice_id)
    paid = sum((p.amount for p in rows if p.kind == "payment"), Decimal("0.00"))
    refunded = sum((p.amount for p in rows if p.kind == "refund"), Decimal("0.00"))
    money.check_refund(paid, refunded, amount, reason)
    if method not in money.PAYMENT_METHODS:
        raise DomainError(
            "The payment method must be one of {methods}", field="method", methods=", ".join(money.PAYMENT_METHODS)
        )
    refund = Payment(
        payment_id=str(uuid.uuid4()),
        invoice_id=invoice.invoice_id,
        kind="refund",
        amount=amount,
        method=method,
        taken_by=uow.actor_id,
        at=uow.clock(),
        reason=reason.strip()[:200],
    )
    uow.session.add(refund)
    uow.session.flush()
    return refund


def approve_refund(uow, payment_id: str, *, roles) -> Payment:
    refund = uow.session.get(Payment, payment_id)
    if refund is None or refund.kind != "refund":
        raise NotFound("Refund not found", field="payment_id")
    money.check_refund_approval(refund.taken_by, uow.actor_id, roles, refund.approved_by)
    refund.approved_by, refund.approved_at = uow.actor_id, uow.clock()
    return refund


def settlement_view(session, invoice_id: str) -> dict:
    """The invoice with its payments, balance, audit trail, warranty claim, delivery and gate pass."""
    invoice, delivered, claim, gate, _, corrected = _rows(session, invoice_id)
    return _settlement_view(session, invoice, payments_of(session, invoice), claim, delivered, gate, corrected)


def _settlement_view(session, invoice, payments, claim, delivered, gate, corrected: bool) -> dict:
    """The settlement view; its audit trail read only when `corrected` says it has one."""
    view = invoice_view(invoice)
    view["payments"] = [
        {
            k: getattr(p, k)
            for k in ("payment_id", "kind", "amount", "method", "taken_by", "at", "reason", "approved_by")
        }
        for p in payments
    ]
    view["balance"] = customer_due(session, invoice, payments) if invoice.status in ("ready", "paid") else None
    view["corrections"] = [
        {k: getattr(c, k) for k in ("kind", "actor_id", "at", "reason", "detail")}
        for c in (rows.corrections(session, invoice.invoice_id) if corrected else ())
    ]
    view["warranty_claim"] = claim.claim if claim else None
    view["delivered"] = delivered is not None
    view["gate_pass"] = gate and {"pass_no": gate.pass_no, "token": gate.token, "used_at": gate.used_at}
    return view
