"""What billing's pages and JSON views share: the input schemas and the settings (discount limits, VAT)."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, fields, validate

from kit.config import Settings

from ..domain import corrections, money


class PaySchema(Schema):
    # a string, read exactly by the domain: more than two decimals is refused, never rounded (R-BL-1)
    amount = fields.String(required=True, validate=validate.Length(min=1, max=20))
    method = fields.String(required=True, validate=validate.OneOf(money.PAYMENT_METHODS))


class AdjustSchema(Schema):
    waive = fields.List(fields.String(validate=validate.Length(max=80)), load_default=list)
    discount = fields.String(load_default="0", validate=validate.Length(max=20))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class PayTypesSchema(Schema):
    pay_types = fields.Dict(
        keys=fields.String(validate=validate.Length(max=6)),
        values=fields.String(validate=validate.Length(max=12)),
        required=True,
    )
    failure_code = fields.String(load_default="", validate=validate.Length(max=20))


class RefundSchema(Schema):
    amount = fields.String(required=True, validate=validate.Length(min=1, max=20))
    method = fields.String(required=True, validate=validate.OneOf(money.PAYMENT_METHODS))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))


class NextServiceSchema(Schema):
    date = fields.Date(load_default=None)
    km = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2_000_000))
    appointment_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class DeliverSchema(Schema):
    checks = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)), values=fields.Boolean(), load_default=dict
    )
    fates = fields.Dict(
        keys=fields.String(validate=validate.Length(max=6)),
        values=fields.String(validate=validate.Length(max=40)),
        load_default=dict,
    )
    waiver_signature = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=3_000_000))
    waiver_signature_sha256 = fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=64))
    override_reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    next_service = fields.Nested(NextServiceSchema, load_default=dict)


class GateCheckSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    plate = fields.String(required=True, validate=validate.Length(min=1, max=16))


class CaptureSignature(Schema):
    image = fields.String(required=True, validate=validate.Length(min=1, max=3_000_000))
    # the kit's pad sends what it was opened for; the waiver pad is opened for its delivery page, not an order version
    order_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    amendment_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))


# each instantiated once: building a schema deep-copies its fields; load keeps no state in it
PAY, ADJUST, PAY_TYPES, REFUND = PaySchema(), AdjustSchema(), PayTypesSchema(), RefundSchema()
DELIVER, GATE_CHECK = DeliverSchema(), GateCheckSchema()


def discount_limits() -> dict[str, Decimal]:
    """BILLING_DISCOUNT_LIMITS ("service_manager=0.10" by default): each role's largest discount share."""
    return corrections.discount_limits((Settings.load().raw or {}).get("BILLING_DISCOUNT_LIMITS"))


def vat_rate() -> Decimal:
    """BILLING_VAT_RATE (0.13 by default): the VAT a new price list version is prepared with."""
    return Decimal((Settings.load().raw or {}).get("BILLING_VAT_RATE", "0.13"))
