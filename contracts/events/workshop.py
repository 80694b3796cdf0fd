"""The workshop's events: found work, parts requests, work started, the car ready."""

from marshmallow import Schema, fields, validate

from ..fields import Id, Quantity, UtcTime
from .common import LINE_KINDS
from .orders import SignedOrderSchema


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


class RequestedLineSchema(Schema):
    line_no = fields.Integer(required=True, strict=True)
    quantity = Quantity(required=True)


class PartsRequested(Schema):
    request_id = Id(required=True)
    signed_order = fields.Nested(SignedOrderSchema, required=True)
    technician_id = Id(required=True)
    lines = fields.List(fields.Nested(RequestedLineSchema), required=True, validate=validate.Length(min=1))


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


URGENCIES = ("safety", "soon", "watch")


class DeferredWorkSchema(Schema):
    """R-QC-3: needed work found but not done (declined or left for later), with its urgency."""

    description = fields.String(required=True, validate=validate.Length(min=1, max=500))
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))
    code = fields.String(load_default=None, allow_none=True)  # the labour operation, when known


class WearSchema(Schema):
    """Remaining life of a wear item measured at the quality check (tyre tread, brake pads) in mm."""

    item = fields.String(required=True, validate=validate.Length(min=1, max=40))  # e.g. "tyre_fl", "pad_front"
    measured_mm = fields.Decimal(as_string=True, required=True)
    limit_mm = fields.Decimal(as_string=True, load_default=None, allow_none=True)


class VehicleReady(Schema):
    order_id = Id(required=True)
    order_version = fields.Integer(required=True, strict=True)
    jobs_done = fields.List(fields.Nested(JobDoneSchema), required=True)
    parts_used = fields.List(fields.Nested(PartUsedSchema), required=True)
    inspector_id = Id(required=True)
    ready_at = UtcTime(required=True)
    # additive (older consumers ignore them): the quality check's findings (R-QC-3)
    deferred_work = fields.List(fields.Nested(DeferredWorkSchema), load_default=list)
    wear = fields.List(fields.Nested(WearSchema), load_default=list)
    finished_bay = fields.String(load_default=None, allow_none=True)  # where the finished car is parked
    washed = fields.Boolean(load_default=None, allow_none=True)


class NonConformanceSchema(Schema):
    line_no = fields.Integer(required=True, strict=True)  # the job (order line) that failed
    item = fields.String(required=True, validate=validate.Length(min=1, max=80))  # the inspection item
    cause = fields.String(required=True, validate=validate.Length(min=1, max=500))
    technician_id = Id(required=True)  # who did the job; it goes back to them


class QcFailed(Schema):
    """R-QC-2: the quality check failed; each failed job goes back to its technician, the advisor is told."""

    order_id = Id(required=True)
    order_version = fields.Integer(required=True, strict=True)
    visit_id = Id(load_default=None, allow_none=True)
    inspector_id = Id(required=True)
    failed_at = UtcTime(required=True)
    non_conformances = fields.List(fields.Nested(NonConformanceSchema), required=True, validate=validate.Length(min=1))


class OrderAtRisk(Schema):
    """R-WS-7: the on-time forecast (remaining work vs the promise) says the promised time will be missed."""

    order_id = Id(required=True)
    visit_id = Id(load_default=None, allow_none=True)
    promised_at = UtcTime(required=True)
    forecast_at = UtcTime(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=200))  # e.g. waiting_parts, qc_failed
