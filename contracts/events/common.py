"""Shared parts of payloads: the customer and the vehicle, line kinds."""

from marshmallow import Schema, fields, validate

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
