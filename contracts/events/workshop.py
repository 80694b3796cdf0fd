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


class VehicleReady(Schema):
    order_id = Id(required=True)
    order_version = fields.Integer(required=True, strict=True)
    jobs_done = fields.List(fields.Nested(JobDoneSchema), required=True)
    parts_used = fields.List(fields.Nested(PartUsedSchema), required=True)
    inspector_id = Id(required=True)
    ready_at = UtcTime(required=True)
