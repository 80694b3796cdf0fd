"""Booking 维修预约: appointments, and the parts status the advisor watches."""

from marshmallow import Schema, fields, validate

from contracts import names
from contracts.events import CustomerSchema, PlannedPartSchema, VehicleSchema
from kit.errors import NotFound
from kit.extensions import Database, on_event
from kit.i18n import N_
from kit.service import KitEndpoints
from kit.web import api, page, read_json

from . import handlers, seed
from .models import Base


class BookAppointment(Schema):
    customer = fields.Nested(CustomerSchema, required=True)
    vehicle = fields.Nested(VehicleSchema(only=("plate", "model")), required=True)
    vin = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    advisor_id = fields.String(required=True, validate=validate.Length(min=1))
    complaint = fields.String(load_default="")
    planned_labour = fields.List(fields.String(), load_default=list)
    planned_parts = fields.List(fields.Nested(PlannedPartSchema), load_default=list)


class Service(KitEndpoints):
    name = names.BOOKING
    db = Database(Base.metadata, seed=seed.demo_data)

    @api("POST", "/api/appointments", action="booking.book")
    def book(self, request):
        """{"customer": {"name": "王先生", "mobile": "13800138000"}, "vehicle": {"plate": "沪A12345", "model": "…"},
        "vin": "LSVAM4187C2184847", "starts_at": "2026-12-01T09:00:00+08:00", "advisor_id": "A001",
        "complaint": "冷车怠速抖动", "planned_labour": ["LAB-OIL"],
        "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": "1"}]}"""
        cmd = read_json(request, BookAppointment())
        cmd["vehicle"]["vin"] = cmd.pop("vin")
        appointment = self.db.run(handlers.book_appointment, cmd, actor_id=request.staff.staff_id)
        return 201, self.db.read(handlers.appointment, appointment.appointment_id)

    @api("GET", "/api/appointments", action="booking.view")
    def list_appointments(self, request):
        return {"appointments": self.db.read(handlers.appointments)}

    @api("GET", "/api/appointments/<appointment_id>", action="booking.view")
    def get_appointment(self, request, appointment_id):
        view = self.db.read(handlers.appointment, appointment_id)
        if not view:
            raise NotFound("Appointment not found")
        return view

    @on_event(names.PARTS_RESERVED)
    def parts_reserved(self, event):
        """payload: {"appointment_id": "…", "reserved": [{"part_no": "P-OIL-5W30", "quantity": "1"}]}"""
        self.db.handle(event, handlers.note_parts_reserved)

    @on_event(names.PARTS_SHORT)
    def parts_short(self, event):
        """payload: {"appointment_id", "reserved": [...], "short": [{"part_no", "quantity_short", "expected_on"}]}"""
        self.db.handle(event, handlers.note_parts_short)

    @api("GET", "/", action="booking.view")
    def index(self, request):
        return page(
            self.name, N_("Appointment board"), "index.html", request, appointments=self.db.read(handlers.appointments)
        )
