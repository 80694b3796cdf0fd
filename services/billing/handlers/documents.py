"""What the customer's documents show (R-BL-6, R-QC-5): the settlement list 机动车维修结算清单 (labour and
materials apart), the completion certificate 竣工出厂合格证 and the quality assurance card 质量保证卡 with the
warranty period from the kind of repair, the gate pass 门证 (its token as a QR code), and the receipt 收款收据 of
the payments taken."""

from __future__ import annotations

from decimal import Decimal

from kit.errors import DomainError, NotFound
from kit.i18n import N_

from ..domain import money, warranty
from . import rows
from .orders import loaded_order

KINDS = ("settlement", "certificate", "quality_card", "gate_pass", "receipt")


def document(session, invoice_id: str, kind: str) -> dict:
    """Read as records of columns: the invoice with its gate pass and latest signed version (one statement), the work
    done, the payments; the signed body as its contract loads it, once for each content (`loaded_order`)."""
    found = rows.settlement_rows(session, invoice_id)
    if found is None or kind not in KINDS:
        raise NotFound("Invoice not found", field="invoice_id")
    invoice, _, _, gate, quote, _ = found
    if invoice.status not in ("ready", "paid"):
        raise DomainError(N_("The invoice is not ready; the car cannot be delivered yet"), code="not_ready")
    body = loaded_order(quote.signed["order"])  # read, never changed
    work = rows.work_done(session, invoice.order_id)
    codes = sorted({line["code"] for line in invoice.lines if line["kind"] == "labour"})
    kind_of_repair = invoice.repair_kind or warranty.repair_kind(codes)
    delivered_on = (invoice.paid_at or (work.ready_at if work else invoice.updated_at)).date()
    lines = [{**line, "amount": Decimal(str(line["amount"]))} for line in invoice.lines]
    vat_rate = Decimal(str(body["vat_rate"]))
    bills = {
        payer: {k: Decimal(str(v)) if k not in ("vat_rate",) else v for k, v in bill.items()}
        for payer, bill in (invoice.bills or {}).items()
    }
    if kind == "gate_pass" and gate is None:
        raise DomainError(N_("The gate pass is issued once the invoice is settled"), code="not_paid")
    return {
        "kind": kind,
        "invoice_id": invoice.invoice_id,
        "order_id": invoice.order_id,
        "status": invoice.status,
        "customer": body["customer"],
        "vehicle": body["vehicle"],
        "mileage_km": body["mileage_km"],
        "advisor_id": body["advisor_id"],
        "inspector_id": work.inspector_id if work else "",
        "lines": lines,
        "labour_lines": [line for line in lines if line["kind"] == "labour"],
        "material_lines": [line for line in lines if line["kind"] != "labour"],
        "totals": money.split_totals(lines, vat_rate, invoice.discount or money.ZERO),
        "bills": bills,
        "warranty": warranty.warranty_period(kind_of_repair, delivered_on, body["mileage_km"]),
        "delivered_on": delivered_on,
        "paid_at": invoice.paid_at,
        "gate_pass": gate and {"pass_no": gate.pass_no, "token": gate.token, "issued_at": gate.issued_at},
        "findings": (work.findings if work else None) or {},
        "payments": [
            {"kind": p.kind, "method": p.method, "amount": p.amount, "at": p.at, "taken_by": p.taken_by}
            for p in rows.payments(session, invoice_id)
            if p.kind == "payment" or p.approved_by
        ],
    }
