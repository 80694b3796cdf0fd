"""Billing's events: the published price list, a blocked invoice, the delivered car."""

from marshmallow import Schema, fields, validate

from ..fields import Id, Money, Quantity, UtcTime
from .common import CustomerSchema, VehicleSchema


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


OLD_PART_FATES = ("returned_to_customer", "scrapped", "kept_for_warranty")


class OldPartFateSchema(Schema):
    line_no = fields.Integer(required=True, strict=True)
    part_no = fields.String(required=True)
    quantity = Quantity(required=True)
    fate = fields.String(required=True, validate=validate.OneOf(OLD_PART_FATES))


class OldPartsDecided(Schema):
    """R-BL-3: at delivery, each issued part's old part: returned to the customer, scrapped, or kept for a
    warranty claim (the parts counter then quarantines or scraps it)."""

    order_id = Id(required=True)
    decided_by = Id(required=True)
    decided_at = UtcTime(required=True)
    parts = fields.List(fields.Nested(OldPartFateSchema), required=True, validate=validate.Length(min=1))
