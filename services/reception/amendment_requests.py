"""What the amendment entrypoints accept (R-WS-3): JSON bodies and the consent page's form."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from marshmallow import Schema, fields, validate

from contracts.events import LINE_KINDS
from kit.config import Settings
from kit.errors import DomainError
from kit.rpc import ServiceUnavailable
from kit.types import utcnow

log = logging.getLogger(__name__)


def ask_workshop(rpc, hours: Decimal | None, not_before: datetime | None) -> datetime | None:
    """R-WS-3: when the workshop, given its load, can finish the added hours (promise_time over RPC), asked
    before the amendment's transaction; None when there is nothing to ask or the workshop does not answer
    (then the added hours go on top of the current promise)."""
    if not hours or rpc is None:
        return None
    try:
        answer = rpc.call("promise_time", hours=str(hours), not_before=not_before.isoformat())
    except ServiceUnavailable:
        log.warning("workshop did not answer promise_time for an amendment")
        return None
    promised = (answer or {}).get("promised_at")
    return datetime.fromisoformat(promised) if promised else None


class ChangeLine(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    code = fields.String(required=True, validate=validate.Length(min=1))
    quantity = fields.Decimal(load_default=None)


class PriceAmendment(Schema):
    """Either the workshop's request (`request_id`) or the advisor's own lines."""

    request_id = fields.String(load_default=None)
    lines = fields.List(fields.Nested(ChangeLine), load_default=None)
    promised_at = fields.AwareDateTime(load_default=None)


class Consent(Schema):
    method = fields.String(required=True, validate=validate.OneOf(("signature", "phone")))
    signature_sha256 = fields.String(load_default=None)
    at = fields.AwareDateTime(load_default=None)
    staff_id = fields.String(load_default=None)
    customer_words = fields.String(load_default="")


class SignAmendment(Schema):
    accepted_lines = fields.List(fields.Integer(), required=True)
    consent = fields.Nested(Consent, load_default=None)
    customer_signature = fields.String(load_default=None)  # a data URL, instead of signature_sha256


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
