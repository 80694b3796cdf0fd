"""The work order: written from the write-up with the workshop's promise (R-RC-5..7), signed on the tablet by
the customer then the advisor (R-RC-6), read back, and printed as the customer's copy (PDF). The tablet's
signature pad stores the customer's signature image here first (`/api/signatures`)."""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, fields
from werkzeug.wrappers import Response

from contracts import names
from kit import signatures
from kit.bounds import (
    MAX_MILEAGE_KM,
    NOTE,
    SHORT,
    SIGNATURE_CHARS,
    Count,
    Items,
    Moment,
    Text,
)
from kit.config import Settings
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.rpc import RpcClient
from kit.types import utcnow
from kit.web import api, form_action, not_found_page, page, read_json, refused_page

from ..handlers import arrivals, drafts, orders
from ..handlers import signatures as signature_captures
from . import pdf
from .forms import RequestedLine, local_datetime
from .workshop import promise_time
from .write_up import visit_page


class WriteOrder(Schema):
    # lines / mileage_km may come from the write-up instead (jobs added, the walk-around sheet's reading)
    lines = Items(fields.Nested(RequestedLine), min_items=1, load_default=None)
    mileage_km = Count(maximum=MAX_MILEAGE_KM, load_default=None)
    promised_at = Moment(past=timedelta(days=1), future=timedelta(days=90), load_default=None)
    promise_note = Text(NOTE, load_default="")  # required with a promise entered by hand
    pay_type = Text(SHORT, load_default=None)  # customer | warranty | internal (R-RC-5)
    key_tag = Text(SHORT, load_default=None)  # R-RC-7, unique among open visits
    customer_waits = fields.Boolean(load_default=None)  # in the lounge, or leaves


class SignOrder(Schema):
    customer_signature = Text(SIGNATURE_CHARS, load_default=None)
    customer_signature_sha256 = Text(64, load_default=None)


class CaptureSignature(Schema):
    """The pad's image, for the order about to be signed or the change awaiting the customer's consent."""

    image = Text(SIGNATURE_CHARS, required=True)
    order_id = Text(SHORT, load_default=None, allow_none=True)
    amendment_id = Text(SHORT, load_default=None, allow_none=True)


def order_fields_from_form(form) -> dict:
    """The order's fields on the write-up page, as WriteOrder reads them."""
    cmd = {
        "pay_type": form.get("pay_type") or "customer",
        "key_tag": form.get("key_tag", ""),
        "customer_waits": {"waits": True, "leaves": False}.get(form.get("customer_waits", "")),
        "promised_at": local_datetime(form["promised_at"]) if form.get("promised_at") else None,
        "promise_note": form.get("promise_note", ""),
    }
    if cmd["customer_waits"] is None:
        raise DomainError("Does the customer wait in the lounge or leave?", field="customer_waits", code="required")
    return cmd


def no_answer(hours, not_before):
    """Until the workshop's promise_time answers: nothing, so the advisor enters the promise by hand."""
    return None


# the customer's signature field as the forms name it
SIGNATURE_FIELD = {"customer_signature": "customer_signature_sha256"}


class OrdersWeb:
    """Mixed into services.reception.service.Service (which provides `db` and `orders`, the signer)."""

    workshop_rpc = RpcClient(names.WORKSHOP)

    def promise(self, visit_id: str, cmd: dict):
        """R-RC-5: the workshop's promise_time(hours, not_before) for this order's labour hours, asked before
        the order's transaction (never holding it open while waiting); None when the workshop does not answer
        (down, too slow, or no time within its horizon) — then the advisor enters the promise by hand."""
        if cmd.get("promised_at"):
            return no_answer
        hours = self.db.read(drafts.labour_hours, visit_id, cmd.get("lines"))
        if hours is None:
            return no_answer
        promised = promise_time(self.workshop_rpc, hours, utcnow(), f"visit {visit_id}")
        if promised is None:
            return no_answer

        def asked(h, not_before):
            return promised if h == hours else None  # the jobs changed meanwhile: ask again

        return asked

    def write_the_order(self, request, visit_id: str, cmd: dict):
        promise = self.promise(visit_id, cmd)  # asked of the workshop before the order's transaction
        return self.db.run(orders.write_order, visit_id, cmd, promise=promise, actor_id=request.staff.staff_id)

    def sign_the_order(self, request, order_id: str, **signature):
        return self.db.run(
            orders.sign_order,
            order_id,
            advisor_id=request.staff.staff_id,
            signer=self.orders,
            actor_id=request.staff.staff_id,
            **signature,
        )

    @api("POST", "/api/visits/<visit_id>/order", action="reception.write_order")
    def write_order(self, request, visit_id):
        """{"mileage_km": 35210, "lines": [{"kind": "labour", "code": "LAB-OIL"},
        {"kind": "part", "code": "P-OIL-5W30", "quantity": "1"}], "pay_type": "customer", "key_tag": "K-17",
        "customer_waits": true}; the promise comes from the workshop's load, or by hand: "promised_at" with a
        "promise_note". lines / mileage_km may be left out when the write-up has them (jobs, walk-around)."""
        order = self.write_the_order(request, visit_id, read_json(request, WriteOrder))
        return 201, arrivals.order_view_of(order)  # what was written, not read again

    @api("POST", "/visits/<visit_id>/order", action="reception.write_order")
    def order_form(self, request, visit_id):
        """Writes (or re-writes) the order from the write-up, then the customer reads and signs it."""
        return form_action(
            request,
            lambda: self.write_the_order(request, visit_id, order_fields_from_form(request.form)),
            done=lambda order: f"/orders/{order.order_id}/sign",
            ok=N_("The order is written"),
            form_page=lambda errors, status: visit_page(self, request, visit_id, errors, status),
        )

    @api("POST", "/api/orders/<order_id>/sign", action="reception.sign_order")
    def sign_order(self, request, order_id):
        """{"customer_signature_sha256": "…"} of a signature captured on the tablet (POST /api/signatures),
        or {"customer_signature": "data:image/png;base64,…"}; then the signed-in advisor signs."""
        signature = read_json(request, SignOrder)
        staff_id = request.staff.staff_id  # the answer: the order as signed, from what the signing wrote
        return self.db.run(
            orders.signed_answer, order_id, advisor_id=staff_id, signer=self.orders, actor_id=staff_id, **signature
        )

    @api("GET", "/orders/<order_id>/sign", action="reception.sign_order")
    def sign_page(self, request, order_id):
        """The order on the tablet: the customer reads it and signs on the pad, then the advisor signs."""
        return self._sign_page(request, order_id, {})

    @api("POST", "/orders/<order_id>/sign", action="reception.sign_order")
    def sign_form(self, request, order_id):
        sha256 = request.form.get("customer_signature_sha256") or None
        return form_action(
            request,
            lambda: self.sign_the_order(request, order_id, customer_signature_sha256=sha256),
            done=f"/orders/{order_id}/sign",
            ok=N_("The order is signed"),
            form_page=lambda errors, status: self._sign_page(request, order_id, errors, status),
            rename=SIGNATURE_FIELD,
        )

    def _sign_page(self, request, order_id, errors, status=200):
        order = self.db.read(orders.order, order_id)
        if order is None:
            return not_found_page(self.name, request)
        title = N_("Sign the work order")
        return page(self.name, title, "sign.html", request, status=status, order=order, errors=errors)

    @api("GET", "/api/orders/<order_id>", action="reception.view")
    def get_order(self, request, order_id):
        view = self.db.read(orders.order, order_id)
        if not view:
            raise NotFound("Work order not found")
        return view

    @api("GET", "/orders/<order_id>/pdf", action="reception.view")
    def order_pdf(self, request, order_id):
        """The printed 委托书 of the latest signed version, the customer's copy (R-RC-5/6); ?version=1 for another."""
        return self._order_pdf(request, order_id, request.args.get("version", type=int))

    @api("GET", "/orders/<order_id>/versions/<int:version>/pdf", action="reception.view")
    def order_version_pdf(self, request, order_id, version):
        """The printed 委托书 of one signed version (old versions stay readable, R-WS-3)."""
        return self._order_pdf(request, order_id, version)

    def _order_pdf(self, request, order_id, version):
        try:
            document = self.db.read(orders.order_document, order_id, version)
        except DomainError as exc:
            return refused_page(self.name, request, exc, title=N_("This order cannot be printed"))
        settings = Settings.load()
        data = pdf.render_pdf(
            document, dealer_name=settings.raw.get("DEALER_NAME") or settings.dealer_id, tz=settings.dealer_timezone
        )
        return pdf.response(data, f"order-{document['order']['vehicle']['plate']}-v{document['version']}.pdf")

    # --- the customer's handwritten signature, captured on the tablet's pad (kit/signatures.py) ---------------

    @api("POST", "/api/signatures", action="reception.sign_order")
    def capture_signature(self, request):
        """{"image": "data:image/png;base64,…", "order_id": "…"} (or "amendment_id") -> {"sha256", "capture_id",
        "order_id", "version"}: the tablet's pad posts here; the signature is bound to that order's next version
        (or that change) and signs it once (handlers/signatures.py)."""
        cmd = read_json(request, CaptureSignature)
        captured = self.db.run(
            signature_captures.capture,
            cmd["image"],
            cmd["order_id"],
            cmd["amendment_id"],
            actor_id=request.staff.staff_id,
        )
        return 201, captured

    @api("GET", "/signatures/<sha256>", action="staff.self")
    def signature_image(self, request, sha256):
        image = self.db.read(signatures.image, sha256)
        return Response(image, mimetype="image/png") if image else Response("not found", status=404)
