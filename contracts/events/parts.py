"""The parts counter's events: the appointment shelf and issues against signed orders."""

from marshmallow import Schema, fields, validate

from ..fields import Id, Quantity, UtcTime


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


class BackorderedLineSchema(Schema):
    part_no = fields.String(required=True)
    quantity = Quantity(required=True)
    expected_on = fields.Date(required=True)
    line_no = fields.Integer(load_default=None, allow_none=True, strict=True)  # the signed order line, if any


class PartsBackordered(Schema):
    """A shortage (short reservation or refused issue) became a backorder on a purchase order.

    Exactly one of `appointment_id` (the appointment shelf) or `order_id` (a workshop request) is set.
    """

    backorder_id = Id(required=True)
    purchase_order_id = Id(required=True)
    appointment_id = Id(load_default=None, allow_none=True)
    order_id = Id(load_default=None, allow_none=True)
    request_id = Id(load_default=None, allow_none=True)
    lines = fields.List(fields.Nested(BackorderedLineSchema), required=True, validate=validate.Length(min=1))


class AllocatedLineSchema(Schema):
    backorder_id = Id(required=True)
    part_no = fields.String(required=True)
    quantity = Quantity(required=True)
    appointment_id = Id(load_default=None, allow_none=True)
    order_id = Id(load_default=None, allow_none=True)
    request_id = Id(load_default=None, allow_none=True)
    line_no = fields.Integer(load_default=None, allow_none=True, strict=True)


class PartsReceived(Schema):
    """Goods-in: a delivery received against purchase orders and allocated to waiting backorders in order of
    promised time. Workshop requests among them are then issued (`parts_issued`) and their jobs resume."""

    receipt_id = Id(required=True)
    purchase_order_ids = fields.List(Id(), required=True)
    received_at = UtcTime(required=True)
    allocated = fields.List(fields.Nested(AllocatedLineSchema), required=True)


class ReturnedLineSchema(Schema):
    line_no = fields.Integer(required=True, strict=True)
    part_no = fields.String(required=True)
    quantity = Quantity(required=True)


class PartsReturned(Schema):
    """R-BL-3: unused parts back to stock against a signed order (a reversing ledger entry); billing bills
    the parts issued less the returns."""

    return_id = Id(required=True)
    order_id = Id(required=True)
    order_version = fields.Integer(required=True, strict=True)
    returned_at = UtcTime(required=True)
    lines = fields.List(fields.Nested(ReturnedLineSchema), required=True, validate=validate.Length(min=1))
