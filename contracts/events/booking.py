"""Booking's events: appointments and their confirmations (R-BK-*)."""

from marshmallow import Schema, fields, validate

from ..fields import Id, Quantity, UtcTime
from .common import CustomerSchema, VehicleSchema


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
