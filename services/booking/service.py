"""Booking 维修预约: appointments, and the parts status the advisor watches."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import redirect

from contracts import names
from contracts.events import CustomerSchema, PlannedPartSchema, VehicleSchema
from kit import notify
from kit.config import Settings
from kit.errors import DomainError, NotFound
from kit.extensions import on_event
from kit.i18n import N_
from kit.paging import page_args
from kit.providers import Database, Notifications, OutboxRelay, Seeding
from kit.rpc import RpcClient
from kit.service import KitEndpoints
from kit.types import utcnow
from kit.web import api, flash, form_errors, fragment, page, read_json

from . import capacity, handlers, seed
from .desk import DeskEndpoints
from .models import Base
from .permissions import PERMISSIONS
from .slots import SlotRules, SlotUnavailable, free_slots

# the JSON command's field names -> the booking form's
FORM_NAMES = {
    "customer.name": "name",
    "customer.mobile": "mobile",
    "vehicle.plate": "plate",
    "vehicle.model": "model",
    "starts_at": "time",
}


class BookAppointment(Schema):
    customer = fields.Nested(CustomerSchema, required=True)
    vehicle = fields.Nested(VehicleSchema(only=("plate", "model")), required=True)
    vin = fields.String(required=True)
    starts_at = fields.AwareDateTime(required=True)
    advisor_id = fields.String(required=True, validate=validate.Length(min=1))
    complaint = fields.String(load_default="")
    planned_labour = fields.List(fields.String(), load_default=list)
    planned_parts = fields.List(fields.Nested(PlannedPartSchema), load_default=list)
    salutation = fields.String(load_default="", validate=validate.OneOf(("", "先生", "女士")))
    purchase_date = fields.Date(load_default=None, allow_none=True)
    email = fields.Email(load_default=None, allow_none=True)
    privacy = fields.String(load_default="surname")


class CancelAppointment(Schema):
    reason = fields.String(load_default="")
    by_dealership = fields.Boolean(load_default=False)


FORM_FIELDS = (
    "name",
    "mobile",
    "salutation",
    "privacy",
    "plate",
    "model",
    "vin",
    "date",
    "time",
    "advisor_id",
    "complaint",
    "planned_labour",
)


def form_command(form, tz: ZoneInfo) -> dict:
    """The booking desk's form as the JSON command (the same checks apply to both)."""
    starts_at = None
    if form.get("date") and form.get("time"):
        try:
            starts_at = datetime.combine(date.fromisoformat(form["date"]), time.fromisoformat(form["time"]), tz)
        except ValueError:
            starts_at = None
    return {
        "customer": {"name": form.get("name", ""), "mobile": form.get("mobile", "")},
        "salutation": {"mr": "先生", "ms": "女士"}.get(form.get("salutation", ""), ""),
        "privacy": form.get("privacy", "surname"),
        "vehicle": {"plate": form.get("plate", ""), "model": form.get("model", "")},
        "vin": form.get("vin", ""),
        "starts_at": starts_at.isoformat() if starts_at else "",
        "advisor_id": form.get("advisor_id", ""),
        "complaint": form.get("complaint", ""),
        "planned_labour": [c.strip().upper() for c in form.get("planned_labour", "").split(",") if c.strip()],
    }


class Service(DeskEndpoints, KitEndpoints):
    name = names.BOOKING
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    notifications = Notifications(db)
    seeding = Seeding(db, seed.demo_data)
    workshop = RpcClient(names.WORKSHOP)  # capacity holds and the load view (R-BK-4, R-BK-10)

    @api("POST", "/api/appointments", action="booking.book")
    def book(self, request):
        """{"customer": {"name": "王先生", "mobile": "13800138000"}, "vehicle": {"plate": "沪A12345", "model": "…"},
        "vin": "LSVAM4187C2184847", "starts_at": "2026-12-01T09:00:00+08:00", "advisor_id": "A001",
        "complaint": "冷车怠速抖动", "planned_labour": ["LAB-OIL"],
        "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": "1"}]}"""
        appointment = self._book(BookAppointment().load(read_json(request)), request)
        return 201, self.db.read(handlers.appointment, appointment.appointment_id)

    def _book(self, cmd: dict, request):
        cmd["vehicle"]["vin"] = cmd.pop("vin")
        rules, tz = self._slot_rules()

        def store(cmd):
            try:
                return self.db.run(handlers.book_appointment, cmd, rules, tz, actor_id=request.staff.staff_id)
            except IntegrityError:
                # Another clerk took the same slot a moment ago: the unique index decided, offer the rest.
                day = cmd["starts_at"].astimezone(tz).date()
                taken = self.db.read(handlers.booked_times, cmd["advisor_id"], day, tz)
                raise SlotUnavailable(
                    N_("{time} is already booked for this advisor"),
                    time=cmd["starts_at"].astimezone(tz).strftime("%H:%M"),
                    code="slot_taken",
                    alternatives=free_slots(day, rules, tz, taken, utcnow()),
                ) from None

        # R-BK-4: the workshop's capacity is held first; released again if the appointment cannot be stored
        return capacity.book_holding_capacity(self.workshop, self.db, cmd, rules, tz, utcnow(), store)

    def _hold_and_store(self, booking: dict, store):
        """A booked call (desk.py) holds workshop capacity exactly as a booking at the desk does (R-BK-4)."""
        rules, tz = self._slot_rules()
        return capacity.book_holding_capacity(self.workshop, self.db, booking, rules, tz, utcnow(), store)

    def _move_hold_and_store(self, appointment: dict, starts_at, advisor_id: str, store):
        """A reschedule moves the workshop's hold first, like a booking holds it (R-BK-4)."""
        rules, tz = self._slot_rules()
        return capacity.reschedule_holding_capacity(
            self.workshop, self.db, appointment, starts_at, advisor_id, rules, tz, utcnow(), store
        )

    @api("GET", "/api/load", action="booking.view")
    def workshop_load(self, request):
        """?day=2026-12-01 -> the workshop's booked vs bookable hours by hour and by day (R-BK-10, asked by RPC)"""
        return capacity.load_view(self.workshop, self._load_day(request))

    @api("GET", "/load", action="booking.view")
    def workshop_load_page(self, request):
        """The load view for the booking desk: book where the workshop is idle (R-BK-10)."""
        view = capacity.load_view(self.workshop, self._load_day(request))
        hour_rows, day_rows = capacity.chart_rows(view)
        return page(
            self.name, N_("Workshop load"), "load.html", request, load=view, hour_rows=hour_rows, day_rows=day_rows
        )

    def _load_day(self, request) -> date:
        raw = request.args.get("day", "")
        try:
            return date.fromisoformat(raw) if raw else utcnow().astimezone(Settings.load().tz).date()
        except ValueError:
            raise DomainError(N_("Give the date as YYYY-MM-DD"), field="day") from None

    def _slot_rules(self):
        settings = Settings.load()
        return SlotRules.from_settings(settings.raw), settings.tz

    @api("GET", "/api/slots", action="booking.view")
    def slots(self, request):
        """?advisor_id=A001&date=2026-12-01 -> the advisor's free reception slots that day (R-BK-3)"""
        rules, tz = self._slot_rules()
        try:
            day = date.fromisoformat(request.args.get("date", ""))
        except ValueError:
            raise DomainError(N_("Give the date as YYYY-MM-DD"), field="date") from None
        advisor = request.args.get("advisor_id", "")
        free = self.db.read(handlers.open_slots, advisor, day, utcnow(), rules, tz)
        return {"advisor_id": advisor, "date": day, "slots": [s.isoformat() for s in free]}

    @api("POST", "/api/appointments/<appointment_id>/cancel", action="booking.book")
    def cancel(self, request, appointment_id):
        """{"reason": "客户改期", "by_dealership": false} -> the shelf reservation is released (parts)"""
        cmd = read_json(request, CancelAppointment())
        rules, tz = self._slot_rules()
        self.db.run(
            handlers.cancel_appointment,
            appointment_id,
            reason=cmd["reason"],
            by_dealership=cmd["by_dealership"],
            rules=rules,
            tz=tz,
            actor_id=request.staff.staff_id,
        )
        return self.db.read(handlers.appointment, appointment_id)

    @api("POST", "/appointments", action="booking.book")
    def book_form(self, request):
        """The booking desk's form: errors next to their fields, what was typed kept."""
        values = {k: request.form.get(k, "") for k in FORM_FIELDS}
        try:
            cmd = BookAppointment().load(form_command(request.form, Settings.load().tz))
            self._book(cmd, request)
        except (ValidationError, DomainError) as exc:
            status = 400 if isinstance(exc, ValidationError) else 422
            return self._index(request, values, form_errors(exc, request.locale, FORM_NAMES), status)
        return flash(redirect("/", code=303), "ok", N_("Appointment booked"))

    @api("GET", "/api/appointments/<appointment_id>/notifications", action="booking.view")
    def appointment_notifications(self, request, appointment_id):
        """What the customer was told about this appointment, and whether it went out."""
        return {"notifications": self.db.read(notify.notifications_about, appointment_id)}

    @api("GET", "/api/due", action="booking.view")
    def due(self, request):
        """?days=30 -> the cars due for maintenance, with the items and why (R-BK-1 proactive booking)"""
        settings = Settings.load()
        try:
            days = max(0, min(int(request.args.get("days", 30)), 730))
        except ValueError:
            raise DomainError(N_("Give the number of days as a whole number"), field="days") from None
        today = utcnow().astimezone(settings.tz).date()
        return {"days": days, "due": self.db.read(handlers.due_list, today, days, settings.tz)}

    @on_event(names.VEHICLE_DELIVERED)
    def service_history(self, event):
        """payload: {"order_id", "vehicle": {"vin", …}, "delivered_at", "mileage_km": 35210, "labour_codes": [...]}"""
        self.db.handle(event, handlers.record_service)

    @api("GET", "/welcome", action="booking.view")
    def welcome(self, request):
        """The welcome board 欢迎牌 for the lounge screen: today's arrivals (R-BK-9), refreshing itself."""
        settings = Settings.load()
        today = utcnow().astimezone(settings.tz).date()
        return page(
            self.name,
            N_("Welcome"),
            "welcome.html",
            request,
            arrivals=self.db.read(handlers.welcome_board, today, settings.tz),
        )

    @api("GET", "/welcome/board", action="booking.view")
    def welcome_fragment(self, request):
        settings = Settings.load()
        today = utcnow().astimezone(settings.tz).date()
        return fragment(
            self.name, "welcome_board.html", request, arrivals=self.db.read(handlers.welcome_board, today, settings.tz)
        )

    @api("GET", "/api/appointments", action="booking.view")
    def list_appointments(self, request):
        """?q=<plate, VIN, name or mobile>&page=1&per_page=50"""
        return self.db.read(handlers.appointments, *page_args(request.args)).as_dict("appointments")

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
        return self._index(request, {"privacy": "surname", "advisor_id": "A001"}, {})

    def _index(self, request, values, errors, status=200):
        number, per_page, q = page_args(request.args)
        result = self.db.read(handlers.appointments, number, per_page, q)
        return page(
            self.name,
            N_("Appointment board"),
            "index.html",
            request,
            status=status,
            appointments=result.items,
            result=result,
            q=q,
            values=values,
            errors=errors,
        )
