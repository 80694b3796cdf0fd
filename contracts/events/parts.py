"""The parts counter's events: the appointment shelf and issues against signed orders."""

from marshmallow import Schema, fields, validate

from ..fields import Id, Quantity


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
