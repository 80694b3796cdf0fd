"""Amendments 增项 (R-WS-3): the workshop's found work listed, priced by the advisor with the workshop's new
promise, the customer's consent on the tablet or by phone, and the signed versions read back — each page and
its JSON view over the same use case (handlers/amendments.py, handlers/versions.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from marshmallow import Schema, fields

from kit.bounds import (
    SHORT,
    SIGNATURE_CHARS,
    WORDS,
    Choice,
    Count,
    Items,
    Moment,
    Text,
)
from kit.config import Settings
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, form_action, not_found_page, page, read_json

from ..handlers import amendments, versions
from .forms import RequestedLine
from .workshop import promise_time


def ask_workshop(rpc, hours: Decimal | None, not_before: datetime | None) -> datetime | None:
    """R-WS-3: when the workshop, given its load, can finish the added hours (promise_time over RPC), asked
    before the amendment's transaction; None when there is nothing to ask or the workshop does not answer
    (then the added hours go on top of the current promise)."""
    if not hours or rpc is None:
        return None
    return promise_time(rpc, hours, not_before, "an amendment")


class PriceAmendment(Schema):
    """Either the workshop's request (`request_id`) or the advisor's own lines."""

    request_id = Text(SHORT, load_default=None)
    lines = Items(fields.Nested(RequestedLine), load_default=None)
    promised_at = Moment(past=timedelta(days=1), future=timedelta(days=90), load_default=None)


class Consent(Schema):
    method = Choice(("signature", "phone"), required=True)
    signature_sha256 = Text(64, load_default=None)
    at = Moment(past=timedelta(days=30), future=timedelta(minutes=5), load_default=None)
    staff_id = Text(SHORT, load_default=None)
    customer_words = Text(WORDS, load_default="")


class SignAmendment(Schema):
    accepted_lines = Items(Count(minimum=0, maximum=999), required=True)
    consent = fields.Nested(Consent, load_default=None)
    # a data URL, instead of signature_sha256 (the request size limit bounds it first)
    customer_signature = Text(SIGNATURE_CHARS, load_default=None)


def consent_from_form(form) -> dict | None:
    """The consent page: a signature drawn on the pad, or the phone consent fields (local time)."""
    method = form.get("consent_method")
    if method == "signature":
        return {"method": "signature", "signature_sha256": form.get("customer_signature_sha256") or None}
    if method == "phone":
        at = None
        if form.get("consent_at"):
            try:
                at = datetime.fromisoformat(form["consent_at"])
            except ValueError:
                raise DomainError("Enter the time as YYYY-MM-DD HH:MM", field="consent.at") from None
            at = (at if at.tzinfo else at.replace(tzinfo=Settings.load().tz)).astimezone(utcnow().tzinfo)
        return {
            "method": "phone",
            "at": at,
            "staff_id": form.get("consent_staff_id") or None,
            "customer_words": form.get("consent_words", ""),
        }
    return None


def accepted_from_form(form) -> list[int]:
    return sorted(int(v) for v in form.getlist("accept") if v.isdigit())


class AmendmentsWeb:
    """Mixed into services.reception.service.Service (which provides `db`, `orders` and `verifier`)."""

    def price_change(self, request, order_id: str, *, request_id=None, lines=None, promised_at=None):
        """Price found work (or the advisor's own lines), the workshop asked first for the added hours."""
        answer = None
        if promised_at is None:
            hours, not_before = self.db.read(amendments.added_labour, order_id, request_id, lines, utcnow())
            answer = ask_workshop(getattr(self, "workshop_rpc", None), hours, not_before)
        return self.db.run(
            amendments.price_amendment,
            order_id,
            request_id=request_id,
            lines=lines,
            promised_at=promised_at,
            workshop_promise=answer,
            actor_id=request.staff.staff_id,
        )

    def answer_change(self, request, amendment_id: str, *, accepted, consent, customer_signature=None):
        return self.db.run(
            amendments.sign_amendment,
            amendment_id,
            advisor_id=request.staff.staff_id,
            signer=self.orders,
            accepted=accepted,
            consent=consent,
            customer_signature=customer_signature,
            actor_id=request.staff.staff_id,
        )

    @api("GET", "/api/additional-work", action="reception.view")
    def list_additional_work(self, request):
        """?status=open (default) | priced | answered | all; ?order_id=…"""
        status = request.args.get("status", "open")
        work = self.db.read(versions.additional_work, None if status == "all" else status, request.args.get("order_id"))
        return {"additional_work": work}

    @api("GET", "/additional-work", action="reception.view")
    def additional_work_page(self, request):
        work = self.db.read(versions.additional_work, None)
        return page(self.name, N_("Additional work"), "amend_requests.html", request, requests=work)

    @api("POST", "/api/orders/<order_id>/amendments", action="reception.write_order")
    def price_amendment(self, request, order_id):
        """{"request_id": "…"} (the workshop's found work) or {"lines": [{"kind": "part", "code": "P-PAD-F",
        "quantity": "1"}]}; optional "promised_at". Priced from the list; now it needs the customer's consent."""
        amendment = self.price_change(request, order_id, **read_json(request, PriceAmendment))
        return 201, self.db.read(versions.amendment, amendment.amendment_id)

    @api("POST", "/additional-work/<request_id>/price", action="reception.write_order")
    def price_additional_work(self, request, request_id):
        order_id = request.form.get("order_id", "")
        return form_action(
            request,
            lambda: self.price_change(request, order_id, request_id=request_id),
            done=lambda amendment: f"/amendments/{amendment.amendment_id}",
            back="/additional-work",
        )

    @api("GET", "/api/amendments/<amendment_id>", action="reception.view")
    def get_amendment(self, request, amendment_id):
        view = self.db.read(versions.amendment, amendment_id)
        if not view:
            raise NotFound("Amendment not found")
        return view

    @api("POST", "/api/amendments/<amendment_id>/sign", action="reception.sign_order")
    def sign_amendment(self, request, amendment_id):
        """{"accepted_lines": [5], "consent": {"method": "signature", "signature_sha256": "…"}} or
        {"accepted_lines": [5], "consent": {"method": "phone", "at": "2026-11-28T03:10:00Z", "staff_id": "A001",
        "customer_words": "同意更换前刹车片，不做四轮定位"}}; lines not accepted are declined."""
        cmd = read_json(request, SignAmendment)
        self.answer_change(
            request,
            amendment_id,
            accepted=cmd["accepted_lines"],
            consent=cmd["consent"],
            customer_signature=cmd["customer_signature"],
        )
        return self.db.read(versions.amendment, amendment_id)

    @api("GET", "/amendments/<amendment_id>", action="reception.view")
    def amendment_page(self, request, amendment_id):
        """The change on the tablet: the customer accepts or declines each line and signs (or the advisor
        records a phone consent); then the advisor signs the new version."""
        return self._amendment_page(request, amendment_id, {})

    @api("POST", "/amendments/<amendment_id>", action="reception.sign_order")
    def amendment_form(self, request, amendment_id):
        form = request.form
        return form_action(
            request,
            lambda: self.answer_change(
                request, amendment_id, accepted=accepted_from_form(form), consent=consent_from_form(form)
            ),
            done=f"/amendments/{amendment_id}",
            ok=N_("The customer's answer is recorded"),
            form_page=lambda errors, status: self._amendment_page(request, amendment_id, errors, status),
            rename={"customer_signature": "customer_signature_sha256"},
        )

    def _amendment_page(self, request, amendment_id, errors, status=200):
        view = self.db.read(versions.amendment, amendment_id)
        if view is None:
            return not_found_page(self.name, request)
        return page(
            self.name,
            N_("Change to the signed order"),
            "amend.html",
            request,
            status=status,
            amendment=view,
            errors=errors,
            values=request.form if request.method == "POST" else {},
        )

    @api("GET", "/api/orders/<order_id>/versions", action="reception.view")
    def order_versions(self, request, order_id):
        """Every signed version, oldest first, each verified again (signature and chain)."""
        found = self.db.read(versions.versions, order_id, self.verifier)
        if found is None:
            raise NotFound("Work order not found")
        return {"order_id": order_id, "versions": found}

    @api("GET", "/orders/<order_id>/versions", action="reception.view")
    def versions_page(self, request, order_id):
        """Every signed version of the order, still readable and verified (R-WS-3)."""
        found = self.db.read(versions.versions, order_id, self.verifier)
        if found is None:
            return not_found_page(self.name, request)
        return page(
            self.name,
            N_("Signed versions of the order"),
            "amend_versions.html",
            request,
            order_id=order_id,
            versions=found,
            requests=self.db.read(versions.additional_work, None, order_id),
        )

    @api("GET", "/api/orders/<order_id>/versions/<int:version>", action="reception.view")
    def order_version(self, request, order_id, version):
        """One signed version as it was signed, with the result of verifying it now."""
        view = self.db.read(versions.version, order_id, version, self.verifier)
        if view is None:
            raise NotFound("This order has no such version")
        return view

    @api("GET", "/api/consent-requests", action="reception.view")
    def consent_requests(self, request):
        """Changes waiting for the customer's consent (R-PN-1: the progress notices tell the customer)."""
        return {"consent_requests": self.db.read(versions.pending_consents)}
