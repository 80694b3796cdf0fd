"""The booking desk 预约: the appointment board, booking (JSON and the desk's form), cancellation, free slots,
the due list (R-BK-1) and the welcome board (R-BK-9)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields
from werkzeug.utils import redirect

from kit import notify
from kit.bounds import (
    APPOINTMENT_WINDOW,
    NAME,
    NOTE,
    SHORT,
    WORDS,
    Amount,
    Choice,
    CustomerInput,
    Day,
    Email,
    Items,
    Moment,
    Text,
)
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.paging import page_args
from kit.types import utcnow
from kit.web import api, flash, fragment, page, read_json

from ..handlers import appointment_commands, appointment_views, booking_desk, maintenance, schedule
from .common import local_datetime, local_today, refused_form, slot_settings

# the JSON command's field names -> the booking form's
FORM_NAMES = {
    "customer.name": "name",
    "customer.mobile": "mobile",
    "vehicle.plate": "plate",
    "vehicle.model": "model",
    "starts_at": "time",
}

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


class BookedVehicle(Schema):
    plate = Text(16, min_length=2, required=True)
    model = Text(NAME, load_default="")


class PlannedPart(Schema):
    part_no = Text(SHORT, min_length=1, required=True)
    quantity = Amount(places=2, minimum=Decimal("0.01"), maximum=999, required=True)


class BookAppointment(Schema):
    """Every field bounded (kit.bounds): a booking at most a year ahead (R-BK-3), texts by length."""

    customer = fields.Nested(CustomerInput, required=True)
    vehicle = fields.Nested(BookedVehicle, required=True)
    vin = Text(17, required=True)
    starts_at = Moment(**APPOINTMENT_WINDOW, required=True)
    advisor_id = Text(SHORT, min_length=1, required=True)
    complaint = Text(WORDS, load_default="")
    planned_labour = Items(Text(SHORT), load_default=list)
    planned_parts = Items(fields.Nested(PlannedPart), load_default=list)
    salutation = Choice(("", "先生", "女士"), load_default="")
    purchase_date = Day(past_years=40, future_days=0, load_default=None, allow_none=True)
    email = Email(load_default=None, allow_none=True)
    privacy = Text(SHORT, load_default="surname")  # checked by the domain (PRIVACY_CHOICES)


BOOK_APPOINTMENT = BookAppointment()  # instantiated once: building a schema copies each of its fields


class CancelAppointment(Schema):
    reason = Text(NOTE, load_default="")
    by_dealership = fields.Boolean(load_default=False)


def form_command(form, tz) -> dict:
    """The booking desk's form as the JSON command (the same checks apply to both)."""
    return {
        "customer": {"name": form.get("name", ""), "mobile": form.get("mobile", "")},
        "salutation": {"mr": "先生", "ms": "女士"}.get(form.get("salutation", ""), ""),
        "privacy": form.get("privacy", "surname"),
        "vehicle": {"plate": form.get("plate", ""), "model": form.get("model", "")},
        "vin": form.get("vin", ""),
        "starts_at": local_datetime(form.get("date", ""), form.get("time", ""), tz),
        "advisor_id": form.get("advisor_id", ""),
        "complaint": form.get("complaint", ""),
        "planned_labour": [c.strip().upper() for c in form.get("planned_labour", "").split(",") if c.strip()],
    }


class AppointmentViews:
    """Mixed into service.Service (its `db` is the kit Database, `workshop` the workshop's RPC client)."""

    def _book(self, request, raw: dict):
        """The booking command, for JSON and the form alike: the workshop's capacity held first (R-BK-4)."""
        cmd = BOOK_APPOINTMENT.load(raw)
        cmd["vehicle"]["vin"] = cmd.pop("vin")
        rules, tz = slot_settings()
        return booking_desk.book(self.db, self.workshop, cmd, rules, tz, request.staff.staff_id)

    @api("POST", "/api/appointments", action="booking.book")
    def book(self, request):
        """{"customer": {"name": "王先生", "mobile": "13800138000"}, "vehicle": {"plate": "沪A12345", "model": "…"},
        "vin": "LSVAM4187C2184847", "starts_at": "2026-12-01T09:00:00+08:00", "advisor_id": "A001",
        "complaint": "冷车怠速抖动", "planned_labour": ["LAB-OIL"],
        "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": "1"}]}"""
        return 201, self._book(request, read_json(request)).view  # as GET /api/appointments/<id> reads it

    @api("POST", "/appointments", action="booking.book")
    def book_form(self, request):
        """The booking desk's form: errors next to their fields, what was typed kept."""
        values = {k: request.form.get(k, "") for k in FORM_FIELDS}
        try:
            self._book(request, form_command(request.form, slot_settings()[1]))
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request, FORM_NAMES)
            return self._index(request, values, errors, status)
        return flash(redirect("/", code=303), "ok", N_("Appointment booked"))

    @api("GET", "/api/slots", action="booking.view")
    def slots(self, request):
        """?advisor_id=A001&date=2026-12-01 -> the advisor's free reception slots that day (R-BK-3)"""
        rules, tz = slot_settings()
        try:
            day = date.fromisoformat(request.args.get("date", ""))
        except ValueError:
            raise DomainError(N_("Give the date as YYYY-MM-DD"), field="date") from None
        advisor = request.args.get("advisor_id", "")
        free = self.db.read(schedule.open_slots, advisor, day, utcnow(), rules, tz)
        return {"advisor_id": advisor, "date": day, "slots": [s.isoformat() for s in free]}

    @api("POST", "/api/appointments/<appointment_id>/cancel", action="booking.book")
    def cancel(self, request, appointment_id):
        """{"reason": "客户改期", "by_dealership": false} -> the shelf reservation is released (parts)"""
        cmd = read_json(request, CancelAppointment())
        rules, tz = slot_settings()
        self.db.run(
            appointment_commands.cancel_appointment,
            appointment_id,
            reason=cmd["reason"],
            by_dealership=cmd["by_dealership"],
            rules=rules,
            tz=tz,
            actor_id=request.staff.staff_id,
        )
        return self.db.read(appointment_views.appointment, appointment_id)

    @api("GET", "/api/appointments/<appointment_id>/notifications", action="booking.view")
    def appointment_notifications(self, request, appointment_id):
        """What the customer was told about this appointment, and whether it went out."""
        return {"notifications": self.db.read(notify.notifications_about, appointment_id)}

    @api("GET", "/api/due", action="booking.view")
    def due(self, request):
        """?days=30 -> the cars due for maintenance, with the items and why (R-BK-1 proactive booking)"""
        _, tz = slot_settings()
        try:
            days = max(0, min(int(request.args.get("days", 30)), 730))
        except ValueError:
            raise DomainError(N_("Give the number of days as a whole number"), field="days") from None
        return {"days": days, "due": self.db.read(maintenance.due_list, local_today(tz), days, tz)}

    @api("GET", "/welcome", action="booking.view")
    def welcome(self, request):
        """The welcome board 欢迎牌 for the lounge screen: today's arrivals (R-BK-9), refreshing itself."""
        return page(self.name, N_("Welcome"), "welcome.html", request, arrivals=self._arrivals())

    @api("GET", "/welcome/board", action="booking.view")
    def welcome_fragment(self, request):
        return fragment(self.name, "welcome_board.html", request, arrivals=self._arrivals())

    def _arrivals(self) -> list[dict]:
        _, tz = slot_settings()
        return self.db.read(appointment_views.welcome_board, local_today(tz), tz)

    @api("GET", "/api/appointments", action="booking.view")
    def list_appointments(self, request):
        """?q=<plate, VIN, name or mobile>&page=1&per_page=50"""
        return self.db.read(appointment_views.appointments, *page_args(request.args)).as_dict("appointments")

    @api("GET", "/api/appointments/<appointment_id>", action="booking.view")
    def get_appointment(self, request, appointment_id):
        view = self.db.read(appointment_views.appointment, appointment_id)
        if not view:
            raise NotFound("Appointment not found")
        return view

    @api("GET", "/", action="booking.view")
    def index(self, request):
        return self._index(request, {"privacy": "surname", "advisor_id": "A001"}, {})

    def _index(self, request, values, errors, status=200):
        number, per_page, q = page_args(request.args)
        result = self.db.read(appointment_views.appointments, number, per_page, q)
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


def book_visit_for_another_service(db, workshop, booking: dict, days: list[str], actor_id: str) -> dict:
    """booking.book_visit (RPC, for follow-up): the command checked like the desk's, the advisor's first free slot
    on `days`; a refusal is an answer ({"booked": false, "msgid", "params", "field", "code"}), not a failure."""
    rules, tz = slot_settings()
    try:
        cmd = BOOK_APPOINTMENT.load(
            {**booking, "starts_at": utcnow().isoformat()}
        )  # a placeholder: the slot is found below
        cmd["vehicle"]["vin"] = cmd.pop("vin")
        found = booking_desk.book_first_free(
            db, workshop, cmd, [date.fromisoformat(d) for d in days], rules, tz, actor_id
        )
    except DomainError as exc:
        params = {k: str(v) for k, v in exc.params.items()}
        return {"booked": False, "msgid": exc.msgid, "params": params, "field": exc.field, "code": exc.code}
    except ValidationError as exc:
        name, messages = next(iter(exc.messages.items()))
        message = messages[0] if isinstance(messages, list) else str(messages)
        return {"booked": False, "msgid": message, "params": {}, "field": name, "code": "invalid"}
    return {
        "booked": True,
        "appointment_id": found.appointment_id,
        "starts_at": found.starts_at.isoformat(),
        "advisor_id": found.advisor_id,
    }
