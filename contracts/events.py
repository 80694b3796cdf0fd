"""One marshmallow schema per event payload, imported by producer and consumer alike.

Changes are additive; a breaking change is a new schema version registered beside the old
one (see registry.py), which consumers learn before producers send it.
"""

from marshmallow import Schema, fields, validate

from . import names
from .fields import Id, Money, Quantity, UtcTime

LINE_KINDS = ("labour", "part")


class CustomerSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    mobile = fields.String(required=True, validate=validate.Length(min=5, max=20))
    # additive: where progress notices go (R-PN-1); absent or null when the customer gave none
    email = fields.Email(allow_none=True)


class VehicleSchema(Schema):
    vin = fields.String(required=True, validate=validate.Length(equal=17))
    plate = fields.String(required=True, validate=validate.Length(min=2, max=16))
    model = fields.String(load_default="", validate=validate.Length(max=80))


class PlannedPartSchema(Schema):
    part_no = fields.String(required=True)
    quantity = Quantity(required=True)


class AppointmentBooked(Schema):
    appointment_id = Id(required=True)
    visit_id = Id(required=True)
    customer = fields.Nested(CustomerSchema, required=True)
    vehicle = fields.Nested(VehicleSchema, required=True)
    starts_at = UtcTime(required=True)
    advisor_id = Id(required=True)
    complaint = fields.String(load_default="")
    planned_labour = fields.List(fields.String(), load_default=list)
    planned_parts = fields.List(fields.Nested(PlannedPartSchema), load_default=list)


class AppointmentCancelled(Schema):
    appointment_id = Id(required=True)
    visit_id = Id(required=True)
    reason = fields.String(load_default="")
    by_dealership = fields.Boolean(required=True)  # R-BK-8: the dealership tells the customer and re-books


class AppointmentRescheduled(Schema):
    """The same appointment moved to another time (and possibly advisor): reservations move with it."""

    appointment_id = Id(required=True)
    visit_id = Id(required=True)
    starts_at = UtcTime(required=True)
    previous_starts_at = UtcTime(required=True)
    advisor_id = Id(required=True)
    reason = fields.String(load_default="")
    by_dealership = fields.Boolean(required=True)  # R-BK-8


class AppointmentNoShow(Schema):
    """The customer did not come (nor answer the confirmations): everything held for them is released."""

    appointment_id = Id(required=True)
    visit_id = Id(required=True)
    starts_at = UtcTime(required=True)


class ConfirmationEscalated(Schema):
    """R-BK-7: a confirmation call nobody answered by its deadline; the service manager is alerted."""

    task_id = Id(required=True)
    appointment_id = Id(required=True)
    visit_id = Id(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("day_before", "hour_before")))
    starts_at = UtcTime(required=True)
    answer_by = UtcTime(required=True)
    advisor_id = Id(required=True)
    attempts = fields.Integer(required=True, strict=True)  # calls tried without an answer


class ReservedLineSchema(Schema):
    part_no = fields.String(required=True)
    quantity = Quantity(required=True)


class ShortLineSchema(Schema):
    part_no = fields.String(required=True)
    quantity_short = Quantity(required=True)
    expected_on = fields.Date(required=True)


class PartsReserved(Schema):
    appointment_id = Id(required=True)
    reserved = fields.List(fields.Nested(ReservedLineSchema), required=True)


class PartsShort(Schema):
    appointment_id = Id(required=True)
    reserved = fields.List(fields.Nested(ReservedLineSchema), required=True)
    short = fields.List(fields.Nested(ShortLineSchema), required=True, validate=validate.Length(min=1))


class LabourOperationSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    standard_hours = Quantity(required=True)


class PartPriceSchema(Schema):
    part_no = fields.String(required=True)
    name = fields.String(required=True)
    unit_price = Money(required=True)


class PriceListPublished(Schema):
    version = fields.String(required=True)
    effective_from = UtcTime(required=True)
    labour_rate = Money(required=True)
    vat_rate = fields.Decimal(as_string=True, required=True)
    labour_operations = fields.List(fields.Nested(LabourOperationSchema), required=True)
    parts = fields.List(fields.Nested(PartPriceSchema), required=True)


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


class FoundWorkLineSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    code = fields.String(required=True, validate=validate.Length(min=1))
    quantity = Quantity(load_default=None, allow_none=True)  # parts; labour takes the standard hours
    note = fields.String(load_default="")


class AdditionalWorkRequested(Schema):
    """R-WS-3: the workshop found more work on a job; the advisor must get the customer's consent first."""

    request_id = Id(required=True)
    order_id = Id(required=True)
    order_version = fields.Integer(required=True, strict=True)
    visit_id = Id(required=True)
    plate = fields.String(required=True)
    reported_by = Id(required=True)
    reported_at = UtcTime(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1))
    job_line_no = fields.Integer(load_default=None, allow_none=True, strict=True)  # the job it was found on
    lines = fields.List(fields.Nested(FoundWorkLineSchema), required=True, validate=validate.Length(min=1))


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


class RequestedLineSchema(Schema):
    line_no = fields.Integer(required=True, strict=True)
    quantity = Quantity(required=True)


class PartsRequested(Schema):
    request_id = Id(required=True)
    signed_order = fields.Nested(SignedOrderSchema, required=True)
    technician_id = Id(required=True)
    lines = fields.List(fields.Nested(RequestedLineSchema), required=True, validate=validate.Length(min=1))


class IssuedLineSchema(Schema):
    line_no = fields.Integer(required=True, strict=True)
    part_no = fields.String(required=True)
    quantity = Quantity(required=True)
    from_location = fields.String(required=True)


class PartsIssued(Schema):
    request_id = Id(required=True)
    order_id = Id(required=True)
    order_version = fields.Integer(required=True, strict=True)
    lines = fields.List(fields.Nested(IssuedLineSchema), required=True, validate=validate.Length(min=1))


class RefusedLineSchema(Schema):
    line_no = fields.Integer(required=True, strict=True)
    reason = fields.String(required=True)


class PartsIssueRefused(Schema):
    request_id = Id(required=True)
    order_id = Id(required=True)
    lines = fields.List(fields.Nested(RefusedLineSchema), required=True)


class JobDoneSchema(Schema):
    line_no = fields.Integer(required=True, strict=True)
    code = fields.String(required=True)
    hours = Quantity(required=True)
    technician_id = Id(required=True)


class PartUsedSchema(Schema):
    line_no = fields.Integer(required=True, strict=True)
    part_no = fields.String(required=True)
    quantity = Quantity(required=True)


class WorkStarted(Schema):
    """R-PN-1: work on the order began (dispatched to a technician and bay); reception tells the customer."""

    order_id = Id(required=True)
    order_version = fields.Integer(required=True, strict=True)
    technician_id = Id(required=True)
    bay_id = fields.String(load_default="")
    started_at = UtcTime(required=True)


class VehicleReady(Schema):
    order_id = Id(required=True)
    order_version = fields.Integer(required=True, strict=True)
    jobs_done = fields.List(fields.Nested(JobDoneSchema), required=True)
    parts_used = fields.List(fields.Nested(PartUsedSchema), required=True)
    inspector_id = Id(required=True)
    ready_at = UtcTime(required=True)


class InvoiceBlocked(Schema):
    invoice_id = Id(required=True)
    order_id = Id(required=True)
    reasons = fields.List(fields.String(), required=True, validate=validate.Length(min=1))


class VehicleDelivered(Schema):
    invoice_id = Id(required=True)
    order_id = Id(required=True)
    advisor_id = Id(required=True)
    customer = fields.Nested(CustomerSchema, required=True)
    vehicle = fields.Nested(VehicleSchema, required=True)
    total = Money(required=True)
    delivered_at = UtcTime(required=True)
    # additive (v1 consumers ignore them): what the customer file needs for the next service (R-BL-4)
    mileage_km = fields.Integer(load_default=None, allow_none=True)
    labour_codes = fields.List(fields.String(), load_default=list)


class FollowupScheduled(Schema):
    call_id = Id(required=True)
    order_id = Id(required=True)
    assigned_to = Id(load_default=None, allow_none=True)
    due_from = UtcTime(required=True)
    due_by = UtcTime(required=True)


class StaffRecord(Schema):
    """A staff member as the directory publishes them (never a password or its hash)."""

    staff_id = Id(required=True)
    name = fields.String(required=True)
    department = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)


class StaffRegistered(StaffRecord):
    pass


class StaffChanged(StaffRecord):
    change = fields.String(required=True, validate=validate.OneOf(("roles", "password_reset", "active", "details")))


# (event type, schema version) -> (producing service, payload schema)
EVENTS = {
    (names.APPOINTMENT_BOOKED, 1): (names.BOOKING, AppointmentBooked),
    (names.APPOINTMENT_CANCELLED, 1): (names.BOOKING, AppointmentCancelled),
    (names.APPOINTMENT_RESCHEDULED, 1): (names.BOOKING, AppointmentRescheduled),
    (names.APPOINTMENT_NO_SHOW, 1): (names.BOOKING, AppointmentNoShow),
    (names.CONFIRMATION_ESCALATED, 1): (names.BOOKING, ConfirmationEscalated),
    (names.PARTS_RESERVED, 1): (names.PARTS, PartsReserved),
    (names.PARTS_SHORT, 1): (names.PARTS, PartsShort),
    (names.PRICE_LIST_PUBLISHED, 1): (names.BILLING, PriceListPublished),
    (names.ORDER_SIGNED, 1): (names.RECEPTION, OrderSigned),
    (names.ORDER_AMENDED, 1): (names.RECEPTION, OrderAmended),
    (names.ADDITIONAL_WORK_REQUESTED, 1): (names.WORKSHOP, AdditionalWorkRequested),
    (names.ADDITIONAL_WORK_DECLINED, 1): (names.RECEPTION, AdditionalWorkDeclined),
    (names.PRE_INSPECTION_CONGESTED, 1): (names.RECEPTION, PreInspectionCongested),
    (names.PARTS_REQUESTED, 1): (names.WORKSHOP, PartsRequested),
    (names.PARTS_ISSUED, 1): (names.PARTS, PartsIssued),
    (names.PARTS_ISSUE_REFUSED, 1): (names.PARTS, PartsIssueRefused),
    (names.WORK_STARTED, 1): (names.WORKSHOP, WorkStarted),
    (names.VEHICLE_READY, 1): (names.WORKSHOP, VehicleReady),
    (names.INVOICE_BLOCKED, 1): (names.BILLING, InvoiceBlocked),
    (names.VEHICLE_DELIVERED, 1): (names.BILLING, VehicleDelivered),
    (names.FOLLOWUP_SCHEDULED, 1): (names.FOLLOWUP, FollowupScheduled),
    (names.STAFF_REGISTERED, 1): (names.STAFF, StaffRegistered),
    (names.STAFF_CHANGED, 1): (names.STAFF, StaffChanged),
}

# Who listens to what: consumer service -> event types. The broker topology (one durable
# quorum queue per pair, declared at start-up) is derived from this table.
SUBSCRIPTIONS = {
    names.BOOKING: (
        names.PARTS_RESERVED,
        names.PARTS_SHORT,
        names.VEHICLE_DELIVERED,
        names.PRICE_LIST_PUBLISHED,  # booking's own copy: priced phone estimates (R-BK-2)
    ),
    names.RECEPTION: (
        names.APPOINTMENT_BOOKED,
        names.APPOINTMENT_CANCELLED,
        names.APPOINTMENT_RESCHEDULED,  # the expected arrival moves
        names.APPOINTMENT_NO_SHOW,  # ... or is dropped
        names.PRICE_LIST_PUBLISHED,
        names.WORK_STARTED,  # R-PN-1: the work-started notice
        names.VEHICLE_READY,  # R-PN-1: the ready-for-pick-up notice
        names.STAFF_REGISTERED,  # staff names for the printed order and the incident summary
        names.STAFF_CHANGED,
        names.VEHICLE_DELIVERED,  # the car has left: its key tag is free again (R-RC-7)
        names.ADDITIONAL_WORK_REQUESTED,  # R-WS-3: the advisor hears of found work
    ),
    names.WORKSHOP: (
        names.ORDER_SIGNED,
        names.PARTS_ISSUED,
        names.PRICE_LIST_PUBLISHED,  # standard hours: what planned jobs take of the capacity (R-BK-4)
        names.APPOINTMENT_BOOKED,  # the capacity hold is confirmed ...
        names.APPOINTMENT_CANCELLED,  # ... released
        names.APPOINTMENT_RESCHEDULED,  # ... moved
        names.APPOINTMENT_NO_SHOW,  # ... released
        names.ORDER_AMENDED,  # R-WS-3: each new signed version's jobs
        names.ADDITIONAL_WORK_DECLINED,  # the technician is told not to do it
    ),
    names.PARTS: (
        names.APPOINTMENT_BOOKED,
        names.APPOINTMENT_CANCELLED,
        names.APPOINTMENT_RESCHEDULED,  # the shelf reservation moves with the appointment
        names.APPOINTMENT_NO_SHOW,  # ... or is released
        names.PARTS_REQUESTED,
    ),
    # parts sees new versions in parts_requested, which carries the signed order it issues against
    names.BILLING: (names.ORDER_SIGNED, names.ORDER_AMENDED, names.PARTS_ISSUED, names.VEHICLE_READY),
    names.FOLLOWUP: (names.VEHICLE_DELIVERED,),
}
