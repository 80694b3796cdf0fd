"""Delivery on the advisor's tablet (R-BL-2..6) and the gate 门证 (R-BL-6): the checklist with the customer,
the waiver signed on the pad, the next service; the guard's page to scan or type the gate pass."""

from __future__ import annotations

from marshmallow import ValidationError
from werkzeug.utils import redirect

from kit import signatures
from kit.errors import DomainError
from kit.i18n import N_
from kit.web import api, flash, form_action, not_found_page, page, read_json

from .. import handlers
from ..domain import delivery as rules
from .forms import DELIVER, GATE_CHECK, CaptureSignature


def delivery_command(form) -> dict:
    """The tablet's form as the JSON command."""
    next_service = {k: form.get(f"next_{k}") or None for k in ("date", "km", "appointment_id")}
    return {
        "checks": {name: form.get(name) == "on" for name in rules.CHECKS},
        "fates": {k[len("fate_") :]: v for k, v in form.items() if k.startswith("fate_")},
        "waiver_signature_sha256": form.get("waiver_signature_sha256") or None,
        "override_reason": form.get("override_reason") or None,
        "next_service": {k: v for k, v in next_service.items() if v},
    }


class DeliveryEndpoints:
    """Mixed into services.billing.service.Service (which provides `db` and `gate_secret`)."""

    def _deliver(self, request, order_id, raw):
        cmd = DELIVER.load(raw)
        return self.db.run(
            handlers.deliver,
            order_id,
            cmd,
            roles=request.staff.roles,
            secret=self.gate_secret,
            actor_id=request.staff.staff_id,
        )

    @api("GET", "/api/deliveries/<order_id>", action="billing.view")
    def delivery(self, request, order_id):
        """What the advisor goes through with the customer: bill, QC findings, wear, deferred work, old parts,
        safety work declined (waiver), the next service proposed; and the delivery once signed off."""
        return self.db.read(handlers.delivery_view, order_id)

    @api("POST", "/api/deliveries/<order_id>", action="billing.deliver")
    def deliver(self, request, order_id):
        """{"checks": {"work_explained": true, "bill_explained": true, "wear_told": true, "covers_removed": true,
        "copies_handed": true}, "fates": {"3": "returned_to_customer"}, "waiver_signature_sha256": "…" (or
        "waiver_signature": "data:image/png;base64,…"), "override_reason": "…" (a manager delivering another's
        car), "next_service": {"date": "2027-06-01", "km": 40210, "appointment_id": "<booked through booking>"}}"""
        return 201, self._deliver(request, order_id, read_json(request))

    @api("GET", "/deliveries/<order_id>", action="billing.view")
    def delivery_page(self, request, order_id):
        try:
            view = self.db.read(handlers.delivery_view, order_id)
        except DomainError:
            return not_found_page(self.name, request)
        return page(
            self.name,
            N_("Delivery"),
            "delivery.html",
            request,
            d=view,
            checks=rules.CHECKS,
            fates=rules.OLD_PART_FATES,
            errors={},
        )

    @api("POST", "/deliveries/<order_id>", action="billing.deliver")
    def deliver_form(self, request, order_id):
        cmd = delivery_command(request.form)
        return form_action(
            request,
            lambda: self._deliver(request, order_id, cmd),
            done=f"/deliveries/{order_id}",
            ok=N_("Delivered; the customer pays at the cashier"),
        )

    @api("POST", "/api/signatures", action="billing.deliver")
    def capture_signature(self, request):
        """{"image": "data:image/png;base64,…"} -> {"sha256": "…"}: the tablet's signature pad (the waiver)."""
        cmd = read_json(request, CaptureSignature)
        return 201, {"sha256": self.db.run(signatures.store, cmd["image"], actor_id=request.staff.staff_id)}


class GateEndpoints:
    """The gate (R-BL-6): the security guard scans or types the gate pass."""

    def _check(self, request, raw) -> dict:
        cmd = GATE_CHECK.load(raw)
        row, refusal = self.db.run(
            handlers.check_gate_pass,
            cmd["token"],
            cmd["plate"],
            secret=self.gate_secret,
            actor_id=request.staff.staff_id,
        )
        if refusal is not None:  # kept for the service manager (committed), then refused
            raise refusal
        return {"pass_no": row.pass_no, "plate": row.plate, "used_at": row.used_at, "may_leave": True}

    @api("POST", "/api/gate/check", action="billing.gate")
    def check_gate_pass(self, request):
        """{"token": "<the pass's QR code text>", "plate": "沪A12345"}: valid, this plate, first use -> the car
        may leave and the pass is spent; forged, another plate or used -> refused, the manager alerted."""
        return self._check(request, read_json(request))

    @api("GET", "/api/gate/alerts", action="billing.gate")
    def gate_alerts(self, request):
        return self.db.read(handlers.gate_view)

    @api("GET", "/gate", action="billing.gate")
    def gate_page(self, request):
        return page(self.name, N_("Gate"), "gate.html", request, **self.db.read(handlers.gate_view))

    @api("POST", "/gate", action="billing.gate")
    def gate_form(self, request):
        raw = {"token": request.form.get("token", ""), "plate": request.form.get("plate", "")}
        try:
            result = self._check(request, raw)
        except DomainError as exc:
            return flash(redirect("/gate", code=303), "error", exc.msgid, **exc.params)
        except ValidationError:  # an empty field
            return flash(redirect("/gate", code=303), "error", N_("Scan or type the gate pass and the plate"))
        return flash(
            redirect("/gate", code=303),
            "ok",
            N_("{plate} may leave (pass {pass_no})"),
            plate=result["plate"],
            pass_no=result["pass_no"],
        )
