"""Reception's events: the signed work order 维修委托书, its versions and the pre-inspection alert."""

from marshmallow import Schema, fields, validate

from ..fields import Id, Money, Quantity, UtcTime
from .common import LINE_KINDS, CustomerSchema, VehicleSchema


class PreInspectionCongested(Schema):
    """R-RC-8: the service manager is alerted at once (on screen and as this event)."""

    incident_id = fields.Integer(required=True, strict=True)
    cause = fields.String(required=True, validate=validate.OneOf(("queue", "wait")))
    waiting = fields.Integer(required=True, strict=True)
    longest_wait_seconds = fields.Integer(required=True, strict=True)
    actions = fields.List(fields.String(), required=True)


class OrderLineSchema(Schema):
    line_no = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    code = fields.String(required=True)
    description = fields.String(required=True)
    quantity = Quantity(required=True)
    unit_price = Money(required=True)
    amount = Money(required=True)


class AmendsSchema(Schema):
    """R-WS-3: the version an amendment replaces, and the SHA-256 of that version's canonical body."""

    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    sha256 = fields.String(required=True, validate=validate.Length(equal=64))


class ConsentSchema(Schema):
    """R-WS-3: how the customer consented to an amendment: a signature on the tablet, or by phone."""

    method = fields.String(required=True, validate=validate.OneOf(("signature", "phone")))
    at = UtcTime(required=True)
    staff_id = Id(required=True)  # who took the consent
    customer_words = fields.String(load_default="")  # phone: what the customer said
    signature_sha256 = fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=64))


class DeclinedLineSchema(Schema):
    """A line the customer declined: recorded in the signed version, not on it (R-WS-3)."""

    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    code = fields.String(required=True)
    description = fields.String(required=True)
    quantity = Quantity(required=True)
    unit_price = Money(required=True)
    amount = Money(required=True)


class FindingNoteSchema(Schema):
    """R-RC-4: a fault the customer had not noticed, and their answer."""

    description = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(("accepted", "declined")))
    amount = Money(required=True)


class ComplaintSchema(Schema):
    """R-RC-4: the customer's own words, kept apart from the advisor's diagnosis (concern / cause / correction)."""

    customer_words = fields.String(required=True)
    concern = fields.String(required=True)
    cause = fields.String(required=True)
    correction = fields.String(required=True)
    symptom_codes = fields.List(fields.String(), required=True)  # the knowledge base's (R-KB-1)
    findings = fields.List(fields.Nested(FindingNoteSchema), required=True)


class DamageMarkSchema(Schema):
    zone = fields.String(required=True)
    kind = fields.String(required=True)
    note = fields.String(required=True)


class OdometerChangeSchema(Schema):
    """R-RC-2: a lower reading accepted because a service manager confirmed the odometer was changed."""

    previous_km = fields.Integer(required=True, allow_none=True)
    reason = fields.String(required=True)
    confirmed_by = Id(required=True)
    confirmed_at = UtcTime(required=True)


class WalkAroundSchema(Schema):
    """R-RC-1..3, R-KB-1a: the completed walk-around sheet as signed with the order."""

    completed_at = UtcTime(required=True)
    completed_by = Id(required=True)
    covers = fields.Dict(keys=fields.String(), values=fields.String(), required=True)  # cover -> time fitted
    vin_read = fields.String(required=True, validate=validate.Length(equal=17))
    fuel_eighths = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=8))
    checks = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)  # item -> {state, note}
    valuables = fields.Dict(required=True)  # {"left": bool, "note"}
    damages = fields.List(fields.Nested(DamageMarkSchema), required=True)
    first_service = fields.Boolean(required=True)
    odometer_change = fields.Nested(OdometerChangeSchema, required=True, allow_none=True)


class OrderSchema(Schema):
    """The body of one signed version of a work order 维修委托书.

    Versions after the first (amendments, R-WS-3) also carry `amends`, `consent` and `declined_lines`;
    these fields are absent from a first version (so its canonical form, and signature, stay as they were).
    """

    order_id = Id(required=True)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    visit_id = Id(required=True)
    dealer_id = Id(required=True)
    appointment_id = Id(load_default=None, allow_none=True)
    customer = fields.Nested(CustomerSchema, required=True)
    vehicle = fields.Nested(VehicleSchema, required=True)
    mileage_km = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    advisor_id = Id(required=True)
    price_list_version = fields.String(required=True)
    lines = fields.List(fields.Nested(OrderLineSchema), required=True, validate=validate.Length(min=1))
    subtotal = Money(required=True)
    vat_rate = fields.Decimal(as_string=True, required=True)
    vat = Money(required=True)
    total = Money(required=True)
    promised_at = UtcTime(required=True)
    customer_signature_sha256 = fields.String(required=True, validate=validate.Length(equal=64))
    signed_at = UtcTime(required=True)
    # additive, amendments only (no load_default: a first version loads and dumps without them)
    amends = fields.Nested(AmendsSchema)
    consent = fields.Nested(ConsentSchema)
    declined_lines = fields.List(fields.Nested(DeclinedLineSchema))
    # additive, the write-up (issue #5; absent from orders written before it, which still verify and load)
    pay_type = fields.String(validate=validate.OneOf(("customer", "warranty", "internal")))
    key_tag = fields.String(allow_none=True)  # R-RC-7
    customer_waits = fields.Boolean(allow_none=True)  # in the lounge (True) or leaves (False)
    promise_source = fields.String(validate=validate.OneOf(("workshop", "manual")))  # R-RC-5
    promise_note = fields.String()  # why a promise was entered by hand
    complaint = fields.Nested(ComplaintSchema)  # R-RC-4
    walk_around = fields.Nested(WalkAroundSchema)  # R-RC-1..3


class SignedOrderSchema(Schema):
    order = fields.Dict(required=True)  # checked against OrderSchema after the signature (see kit.signing)
    signature = fields.String(required=True)
    key_id = fields.String(required=True)
    # additive (issue 14): the redactable scheme (kit.signing); absent from orders signed before it
    scheme = fields.String(validate=validate.OneOf(("ed25519-redactable-1",)))
    customer_salt = fields.String(validate=validate.Length(equal=32))  # hex; never leaves the store
    customer_ref = fields.String()  # the HQ feed's copy only: the keyed pseudonym of the customer (kit.feed)


class OrderSigned(SignedOrderSchema):
    pass


class OrderAmended(Schema):
    """R-WS-3: a new signed version of the order, signed only after the customer consented.

    `signed_order` is the full signed new version (as in order_signed); `version`, `previous_version` and
    `previous_sha256` repeat what its signed body says (consumers check that they agree).
    """

    amendment_id = Id(required=True)
    signed_order = fields.Nested(SignedOrderSchema, required=True)
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=2))
    previous_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    previous_sha256 = fields.String(required=True, validate=validate.Length(equal=64))
    request_id = Id(load_default=None, allow_none=True)  # the additional-work request it answers


class DeclinedWorkSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    code = fields.String(required=True)
    description = fields.String(required=True)


class AdditionalWorkDeclined(Schema):
    """R-WS-3: the customer declined every line of the found work; the order stays as signed (no new version).
    The workshop tells the technician not to do it."""

    request_id = Id(required=True)
    order_id = Id(required=True)
    amendment_id = Id(required=True)
    order_version = fields.Integer(required=True, strict=True)
    declined = fields.List(fields.Nested(DeclinedWorkSchema), required=True, validate=validate.Length(min=1))
    consent = fields.Nested(ConsentSchema, required=True)  # the customer's recorded answer
