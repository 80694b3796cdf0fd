"""Booking desk and advisor entrypoints (mixed into the booking Service): the customer file, proactive and
inbound calls, preparation checklists, confirmations, reschedule and no-show. Thin: load, call a handler."""

from __future__ import annotations

from datetime import date, datetime, time

from marshmallow import Schema, ValidationError, fields, validate
from nameko.timer import timer
from sqlalchemy.exc import IntegrityError
from werkzeug.utils import redirect

from contracts import names
from contracts.events import CustomerSchema
from kit.clock import timer_seconds
from kit.config import Settings
from kit.errors import DomainError, NotFound
from kit.extensions import on_event
from kit.i18n import N_
from kit.paging import page_args
from kit.types import utcnow
from kit.web import api, flash, form_errors, page, read_json

from . import calls, confirmations, customer_file, domain, handlers
from .slots import SlotRules, SlotUnavailable, free_slots

ESCALATION_CHECK_SECONDS = 30


# --- commands ----------------------------------------------------------------------------------------


class VehicleOnFile(Schema):
    vin = fields.String(required=True)
    plate = fields.String(required=True, validate=validate.Length(min=2, max=16))
    model = fields.String(load_default="", validate=validate.Length(max=80))
    purchase_date = fields.Date(load_default=None, allow_none=True)


class SaveCustomer(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    mobile = fields.String(required=True)
    salutation = fields.String(load_default="", validate=validate.OneOf(("", "先生", "女士")))
    email = fields.Email(load_default=None, allow_none=True)
    privacy = fields.String(load_default="surname")
    birthday = fields.Date(load_default=None, allow_none=True)
    preferred_advisor_id = fields.String(load_default=None, allow_none=True)
    vehicles = fields.List(fields.Nested(VehicleOnFile), load_default=list)


class RecordMileage(Schema):
    mileage_km = fields.Integer(required=True, strict=True)
    read_on = fields.Date(load_default=None, allow_none=True)


class BuildCallList(Schema):
    days = fields.Integer(load_default=30, validate=validate.Range(min=0, max=730))


class BookFromCall(Schema):
    starts_at = fields.AwareDateTime(load_default=None, allow_none=True)
    advisor_id = fields.String(load_default=None, allow_none=True)
    symptoms = fields.List(fields.String(), load_default=None, allow_none=True)
    vin = fields.String(load_default=None, allow_none=True)
    plate = fields.String(load_default=None, allow_none=True)
    model = fields.String(load_default=None, allow_none=True)
    complaint = fields.String(load_default=None, allow_none=True)


class RecordOutcome(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(domain.CALL_OUTCOMES))
    note = fields.String(load_default="")
    call_back_at = fields.AwareDateTime(load_default=None, allow_none=True)
    booking = fields.Nested(BookFromCall, load_default=None, allow_none=True)


class CallerVehicle(Schema):
    plate = fields.String(load_default="")
    vin = fields.String(load_default="")
    model = fields.String(load_default="")


class InboundCall(Schema):
    customer = fields.Nested(CustomerSchema, required=True)
    vehicle = fields.Nested(CallerVehicle, load_default=dict)
    words = fields.String(required=True, validate=validate.Length(min=1))


class TickPreparation(Schema):
    done = fields.Boolean(load_default=True)
    note = fields.String(load_default="")


class AnswerConfirmation(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(confirmations.OUTCOMES))
    note = fields.String(load_default="")
    starts_at = fields.AwareDateTime(load_default=None, allow_none=True)  # cannot come: the time they chose


class Reschedule(Schema):
    starts_at = fields.AwareDateTime(required=True)
    advisor_id = fields.String(load_default=None, allow_none=True)
    reason = fields.String(load_default="")
    by_dealership = fields.Boolean(load_default=False)


def _local_datetime(day: str, at: str, tz) -> str:
    """A form's date and time fields as an ISO time in the dealership's zone ("" when incomplete)."""
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(at), tz).isoformat()
    except (TypeError, ValueError):
        return ""


def _form_errors(exc, request, rename=None):
    return form_errors(exc, request.locale, rename), (400 if isinstance(exc, ValidationError) else 422)


class DeskEndpoints:
    """The booking desk's and the advisors' work beyond booking itself (issue #4)."""

    def _settings(self):
        settings = Settings.load()
        return SlotRules.from_settings(settings.raw), settings.tz, settings

    def _slot_race(self, advisor_id: str, starts_at: datetime, run, /, *args, **kwargs):
        """Run a command that takes a slot; when another clerk took it a moment ago the unique index decided,
        and this one is refused with the day's free times, exactly as a booking is (R-BK-3)."""
        rules, tz, _ = self._settings()
        try:
            return self.db.run(run, *args, **kwargs)
        except IntegrityError:
            day = starts_at.astimezone(tz).date()
            taken = self.db.read(handlers.booked_times, advisor_id, day, tz)
            raise SlotUnavailable(
                N_("{time} is already booked for this advisor"),
                time=starts_at.astimezone(tz).strftime("%H:%M"),
                code="slot_taken",
                alternatives=free_slots(day, rules, tz, taken, utcnow()),
            ) from None

    # --- the price list copy --------------------------------------------------------------------------

    @on_event(names.PRICE_LIST_PUBLISHED)
    def take_price_list(self, event):
        """payload: {"version": "2026.11-1", "labour_rate": "300.00", "vat_rate": "0.13", "labour_operations": [...],
        "parts": [...]}"""
        self.db.handle(event, handlers.take_price_list)

    # --- customer file 客户档案 -----------------------------------------------------------------------

    @api("GET", "/api/customers", action="booking.customer_file")
    def search_customers(self, request):
        """?q=<plate, mobile, VIN, name or pinyin initials such as zs>&page=1"""
        number, per_page, q = page_args(request.args)
        return self.db.read(customer_file.search, q, number, per_page).as_dict("customers")

    @api("POST", "/api/customers", action="booking.customer_edit")
    def create_customer(self, request):
        """{"name": "张三", "mobile": "13800138000", "birthday": "1985-03-02", "preferred_advisor_id": "A001",
        "vehicles": [{"vin": "LSVAM4187C2184847", "plate": "沪A12345", "model": "帕萨特",
        "purchase_date": "2024-05-01"}]}"""
        cmd = read_json(request, SaveCustomer())
        customer = self.db.run(customer_file.save_customer, cmd, actor_id=request.staff.staff_id)
        return 201, self._file(customer.customer_id)

    @api("GET", "/api/customers/<customer_id>", action="booking.customer_file")
    def get_customer(self, request, customer_id):
        view = self._file(customer_id)
        if view is None:
            raise NotFound("Customer not found")
        return view

    @api("POST", "/api/customers/<customer_id>", action="booking.customer_edit")
    def update_customer(self, request, customer_id):
        """The same fields as creating one; vehicles listed are added or changed."""
        cmd = read_json(request, SaveCustomer())
        self.db.run(customer_file.save_customer, cmd, customer_id, actor_id=request.staff.staff_id)
        return self._file(customer_id)

    @api("POST", "/api/vehicles/<vin>/mileage", action="booking.customer_edit")
    def record_mileage(self, request, vin):
        """{"mileage_km": 23500, "read_on": "2026-11-20"} (today when left out)"""
        cmd = read_json(request, RecordMileage())
        _, tz, _ = self._settings()
        read_on = cmd["read_on"] or utcnow().astimezone(tz).date()
        self.db.run(
            customer_file.record_mileage,
            vin.upper(),
            cmd["mileage_km"],
            read_on,
            "desk",
            tz,
            actor_id=request.staff.staff_id,
        )
        return 201, {"vin": vin.upper(), "readings": self.db.read(customer_file.readings, vin.upper(), tz)}

    def _file(self, customer_id):
        _, tz, _ = self._settings()
        return self.db.read(customer_file.customer_file, customer_id, utcnow().astimezone(tz).date(), tz)

    @api("GET", "/customers", action="booking.customer_file")
    def customers_page(self, request):
        number, per_page, q = page_args(request.args)
        result = self.db.read(customer_file.search, q, number, per_page)
        return page(
            self.name, N_("Customer files"), "customers.html", request, customers=result.items, result=result, q=q
        )

    @api("GET", "/customers/<customer_id>", action="booking.customer_file")
    def customer_page(self, request, customer_id):
        return self._customer_page(request, customer_id, {}, {})

    def _customer_page(self, request, customer_id, values, errors, status=200):
        view = self._file(customer_id)
        if view is None:
            return page(self.name, N_("Not found"), "refused.html", request, status=404, code=404, message="")
        return page(
            self.name,
            N_("Customer file"),
            "customer.html",
            request,
            status=status,
            customer=view,
            values=values,
            errors=errors,
        )

    @api("POST", "/customers/<customer_id>/mileage", action="booking.customer_edit")
    def mileage_form(self, request, customer_id):
        values = {k: request.form.get(k, "") for k in ("vin", "mileage_km", "read_on")}
        _, tz, _ = self._settings()
        try:
            cmd = RecordMileage().load(
                {"mileage_km": values["mileage_km"] or None, "read_on": values["read_on"] or None}
            )
            read_on = cmd["read_on"] or utcnow().astimezone(tz).date()
            self.db.run(
                customer_file.record_mileage,
                values["vin"].upper(),
                cmd["mileage_km"],
                read_on,
                "desk",
                tz,
                actor_id=request.staff.staff_id,
            )
        except (ValidationError, DomainError) as exc:
            errors, status = _form_errors(exc, request)
            return self._customer_page(request, customer_id, values, errors, status)
        return flash(redirect(f"/customers/{customer_id}", code=303), "ok", N_("Mileage recorded"))

    # --- calls: proactive (R-BK-1) and inbound (R-BK-2) -----------------------------------------------

    @api("POST", "/api/call-list", action="booking.call")
    def build_call_list(self, request):
        """{"days": 30}: every car due in the next 30 days goes on the call list, with what is due and why."""
        cmd = read_json(request, BuildCallList())
        _, tz, _ = self._settings()
        today = utcnow().astimezone(tz).date()
        created = self.db.run(calls.build_call_list, today, cmd["days"], tz, actor_id=request.staff.staff_id)
        return 201, {"created": created, "calls": self.db.read(calls.call_list, "proactive")}

    @api("GET", "/api/calls", action="booking.call")
    def list_calls(self, request):
        """?kind=proactive|inbound&all=1 (closed calls too)"""
        kind = request.args.get("kind") or None
        return {"calls": self.db.read(calls.call_list, kind, bool(request.args.get("all")))}

    @api("GET", "/api/calls/<call_id>", action="booking.call")
    def get_call(self, request, call_id):
        view = self.db.read(calls.call, call_id)
        if view is None:
            raise NotFound("Call not found")
        return view

    @api("POST", "/api/inbound-calls", action="booking.call")
    def inbound_call(self, request):
        """{"customer": {"name": "李女士", "mobile": "13900139000"}, "vehicle": {"plate": "沪B88K21"},
        "words": "时速60左右踩刹车方向盘抖"} -> the call with the knowledge base's suggestions, priced"""
        cmd = read_json(request, InboundCall())
        recorded = self.db.run(calls.record_inbound_call, cmd, actor_id=request.staff.staff_id)
        return 201, self.db.read(calls.call, recorded.call_id)

    @api("POST", "/api/calls/<call_id>/outcome", action="booking.call")
    def call_outcome(self, request, call_id):
        """{"outcome": "booked", "note": "", "booking": {"starts_at": "2026-12-01T09:00:00+08:00",
        "advisor_id": "A001"}} | {"outcome": "call_back", "call_back_at": "…"} | declined | unreachable"""
        cmd = read_json(request, RecordOutcome())
        self._record_outcome(call_id, cmd, request)
        return self.db.read(calls.call, call_id)

    def _record_outcome(self, call_id, cmd, request):
        rules, tz, _ = self._settings()
        if cmd["outcome"] != "booked":
            return self.db.run(calls.record_outcome, call_id, cmd, rules, tz, actor_id=request.staff.staff_id)
        # "booked" is the booking command itself: the same checks, the same refusals, the same capacity hold
        booking = self.db.read(calls.booking_for_call, call_id, cmd)

        def store(booking):
            return self._slot_race(
                booking["advisor_id"],
                booking["starts_at"],
                calls.record_outcome,
                call_id,
                cmd,
                rules,
                tz,
                booking,
                actor_id=request.staff.staff_id,
            )

        return self._hold_and_store(booking, store)

    def _hold_and_store(self, booking: dict, store):
        """Store a booking command; the Service holds the workshop's capacity around it where it can (R-BK-4)."""
        return store(booking)

    @api("GET", "/calls", action="booking.call")
    def calls_page(self, request):
        return self._calls_page(request, {}, {})

    def _calls_page(self, request, values, errors, status=200, failed_call=None):
        return page(
            self.name,
            N_("Booking calls"),
            "calls.html",
            request,
            status=status,
            calls=self.db.read(calls.call_list),
            values=values,
            errors=errors,
            failed_call=failed_call,
        )

    @api("POST", "/calls/list", action="booking.call")
    def call_list_form(self, request):
        try:
            cmd = BuildCallList().load({"days": request.form.get("days") or 30})
        except ValidationError as exc:
            errors, status = _form_errors(exc, request)
            return self._calls_page(request, {"days": request.form.get("days", "")}, errors, status)
        _, tz, _ = self._settings()
        today = utcnow().astimezone(tz).date()
        created = self.db.run(calls.build_call_list, today, cmd["days"], tz, actor_id=request.staff.staff_id)
        return flash(redirect("/calls", code=303), "ok", N_("{count} cars added to the call list"), count=len(created))

    @api("POST", "/calls/inbound", action="booking.call")
    def inbound_form(self, request):
        values = {k: request.form.get(k, "") for k in ("name", "mobile", "plate", "vin", "words")}
        try:
            cmd = InboundCall().load(
                {
                    "customer": {"name": values["name"], "mobile": values["mobile"]},
                    "vehicle": {"plate": values["plate"], "vin": values["vin"]},
                    "words": values["words"],
                }
            )
            self.db.run(calls.record_inbound_call, cmd, actor_id=request.staff.staff_id)
        except (ValidationError, DomainError) as exc:
            errors, status = _form_errors(
                exc, request, {"customer.name": "name", "customer.mobile": "mobile", "vehicle.vin": "vin"}
            )
            return self._calls_page(request, values, errors, status)
        return flash(redirect("/calls", code=303), "ok", N_("Call recorded"))

    @api("POST", "/calls/<call_id>/outcome", action="booking.call")
    def outcome_form(self, request, call_id):
        _, tz, _ = self._settings()
        form = request.form
        values = {
            k: form.get(k, "") for k in ("outcome", "note", "date", "time", "advisor_id", "back_date", "back_time")
        }
        raw = {"outcome": values["outcome"], "note": values["note"]}
        if values["outcome"] == "call_back":
            raw["call_back_at"] = _local_datetime(values["back_date"], values["back_time"], tz) or None
        if values["outcome"] == "booked":
            raw["booking"] = {
                "starts_at": _local_datetime(values["date"], values["time"], tz) or None,
                "advisor_id": values["advisor_id"] or None,
            }
        try:
            self._record_outcome(call_id, RecordOutcome().load(raw), request)
        except (ValidationError, DomainError) as exc:
            errors, status = _form_errors(
                exc, request, {"starts_at": "time", "booking.starts_at": "time", "call_back_at": "back_time"}
            )
            return self._calls_page(request, values, errors, status, failed_call=call_id)
        return flash(redirect("/calls", code=303), "ok", N_("Outcome recorded"))

    # --- preparation (R-BK-6), confirmations (R-BK-7), reschedule and no-show ----------------------------

    @api("GET", "/api/appointments/<appointment_id>/preparation", action="booking.view")
    def get_preparation(self, request, appointment_id):
        return {"appointment_id": appointment_id, "items": self.db.read(handlers.preparation, appointment_id)}

    @api("POST", "/api/appointments/<appointment_id>/preparation/<item>", action="booking.prepare")
    def tick(self, request, appointment_id, item):
        """{"done": true, "note": "工位2, 技工T001"}"""
        cmd = read_json(request, TickPreparation())
        self.db.run(
            handlers.tick_preparation, appointment_id, item, cmd["done"], cmd["note"], actor_id=request.staff.staff_id
        )
        return {"appointment_id": appointment_id, "items": self.db.read(handlers.preparation, appointment_id)}

    @api("GET", "/api/advisors/<advisor_id>/appointments", action="booking.view")
    def advisor_appointments(self, request, advisor_id):
        """Today's and tomorrow's booked appointments of the advisor, with checklist and confirmations."""
        _, tz, _ = self._settings()
        return {"appointments": self.db.read(handlers.advisor_appointments, advisor_id, utcnow(), 2, tz)}

    @api("GET", "/api/confirmations", action="booking.view")
    def list_confirmations(self, request):
        """?appointment_id=… for one appointment's; otherwise the calls due now (open, their time come)."""
        appointment_id = request.args.get("appointment_id") or None
        tasks = self.db.read(handlers.confirmation_tasks, utcnow(), appointment_id, appointment_id is None)
        return {"confirmations": tasks}

    @api("POST", "/api/confirmations/<task_id>", action="booking.confirm")
    def answer_confirmation(self, request, task_id):
        """{"outcome": "confirmed" | "cannot_come" | "no_answer", "note": "…"} -> cannot_come offers other times;
        with "starts_at" (the time the customer chose) the appointment is rescheduled at once"""
        cmd = read_json(request, AnswerConfirmation())
        return self._answer_confirmation(task_id, cmd, request)

    def _answer_confirmation(self, task_id, cmd, request):
        rules, tz, _ = self._settings()
        args = (task_id, cmd["outcome"], cmd["note"], rules, tz, cmd["starts_at"])
        if cmd["outcome"] == "cannot_come" and cmd["starts_at"]:
            task = self.db.read(handlers.confirmation_task, task_id)
            advisor = task["advisor_id"] if task else ""
            return self._slot_race(
                advisor, cmd["starts_at"], handlers.answer_confirmation, *args, actor_id=request.staff.staff_id
            )
        return self.db.run(handlers.answer_confirmation, *args, actor_id=request.staff.staff_id)

    @timer(interval=timer_seconds(ESCALATION_CHECK_SECONDS))
    def escalate_confirmations(self):
        """R-BK-7: a confirmation nobody answered by its deadline goes to the service manager."""
        if self.db.read(handlers.overdue_confirmations, utcnow()):
            self.db.run(handlers.escalate_overdue_confirmations)

    @api("POST", "/api/appointments/<appointment_id>/reschedule", action="booking.book")
    def reschedule(self, request, appointment_id):
        """{"starts_at": "2026-12-02T10:00:00+08:00", "advisor_id": "A002", "reason": "举升机故障",
        "by_dealership": true} -> refused with the free times like a booking; parts and reception follow"""
        cmd = read_json(request, Reschedule())
        self._reschedule(appointment_id, cmd, request)
        return self.db.read(handlers.appointment, appointment_id)

    def _reschedule(self, appointment_id, cmd, request):
        rules, tz, _ = self._settings()
        current = self.db.read(handlers.appointment, appointment_id)
        if current is None:
            raise NotFound("Appointment not found", field="appointment_id")
        advisor = cmd.get("advisor_id") or current["advisor_id"]

        def store():
            return self._slot_race(
                advisor,
                cmd["starts_at"],
                handlers.reschedule_appointment,
                appointment_id,
                starts_at=cmd["starts_at"],
                advisor_id=advisor,
                reason=cmd["reason"],
                by_dealership=cmd["by_dealership"],
                rules=rules,
                tz=tz,
                actor_id=request.staff.staff_id,
            )

        return self._move_hold_and_store(current, cmd["starts_at"], advisor, store)

    def _move_hold_and_store(self, appointment: dict, starts_at, advisor_id: str, store):
        """Store a reschedule; the Service moves the workshop's capacity hold first where it can (R-BK-4)."""
        return store()

    @api("POST", "/api/appointments/<appointment_id>/no-show", action="booking.book")
    def no_show(self, request, appointment_id):
        """{} after the booked time: the customer did not come; the shelf and the expected arrival are released."""
        self.db.run(handlers.mark_no_show, appointment_id, actor_id=request.staff.staff_id)
        return self.db.read(handlers.appointment, appointment_id)

    # --- the advisor's page -------------------------------------------------------------------------

    @api("GET", "/advisor", action="booking.view")
    def advisor_page(self, request):
        """?advisor_id=A001 (the signed-in advisor by default): appointments, checklists, confirmations."""
        return self._advisor_page(request, request.args.get("advisor_id") or request.staff.staff_id, {}, {})

    def _advisor_page(self, request, advisor_id, values, errors, status=200, failed=None):
        _, tz, _ = self._settings()
        now = utcnow()
        return page(
            self.name,
            N_("Advisor's appointments"),
            "advisor.html",
            request,
            status=status,
            advisor_id=advisor_id,
            appointments=self.db.read(handlers.advisor_appointments, advisor_id, now, 2, tz),
            due=self.db.read(handlers.confirmation_tasks, now, None, True),
            now=now,
            values=values,
            errors=errors,
            failed=failed,
        )

    def _back_to_advisor(self, request, msgid):
        advisor = request.form.get("advisor_id") or ""
        return flash(redirect(f"/advisor?advisor_id={advisor}" if advisor else "/advisor", code=303), "ok", msgid)

    @api("POST", "/appointments/<appointment_id>/preparation/<item>", action="booking.prepare")
    def tick_form(self, request, appointment_id, item):
        try:
            self.db.run(
                handlers.tick_preparation,
                appointment_id,
                item,
                request.form.get("done", "1") == "1",
                request.form.get("note", ""),
                actor_id=request.staff.staff_id,
            )
        except DomainError as exc:
            errors, status = _form_errors(exc, request)
            advisor = request.form.get("advisor_id") or request.staff.staff_id
            return self._advisor_page(request, advisor, {}, errors, status, failed=appointment_id)
        return self._back_to_advisor(request, N_("Preparation updated"))

    @api("POST", "/confirmations/<task_id>", action="booking.confirm")
    def confirmation_form(self, request, task_id):
        _, tz, _ = self._settings()
        form = request.form
        try:
            cmd = AnswerConfirmation().load(
                {
                    "outcome": form.get("outcome", ""),
                    "note": form.get("note", ""),
                    "starts_at": _local_datetime(form.get("date", ""), form.get("time", ""), tz) or None,
                }
            )
            self._answer_confirmation(task_id, cmd, request)
        except (ValidationError, DomainError) as exc:
            errors, status = _form_errors(exc, request)
            advisor = form.get("advisor_id") or request.staff.staff_id
            return self._advisor_page(request, advisor, {}, errors, status, failed=task_id)
        return self._back_to_advisor(request, N_("Confirmation recorded"))

    @api("POST", "/appointments/<appointment_id>/reschedule", action="booking.book")
    def reschedule_form(self, request, appointment_id):
        _, tz, _ = self._settings()
        values = {k: request.form.get(k, "") for k in ("date", "time", "new_advisor_id", "reason", "by_dealership")}
        try:
            cmd = Reschedule().load(
                {
                    "starts_at": _local_datetime(values["date"], values["time"], tz) or None,
                    "advisor_id": values["new_advisor_id"] or None,
                    "reason": values["reason"],
                    "by_dealership": values["by_dealership"] == "1",
                }
            )
            self._reschedule(appointment_id, cmd, request)
        except (ValidationError, DomainError) as exc:
            errors, status = _form_errors(exc, request, {"starts_at": "time", "advisor_id": "new_advisor_id"})
            advisor = request.form.get("advisor_id") or request.staff.staff_id
            return self._advisor_page(request, advisor, values, errors, status, failed=appointment_id)
        return self._back_to_advisor(request, N_("Appointment moved"))

    @api("POST", "/appointments/<appointment_id>/no-show", action="booking.book")
    def no_show_form(self, request, appointment_id):
        try:
            self.db.run(handlers.mark_no_show, appointment_id, actor_id=request.staff.staff_id)
        except DomainError as exc:
            errors, status = _form_errors(exc, request)
            advisor = request.form.get("advisor_id") or request.staff.staff_id
            return self._advisor_page(request, advisor, {}, errors, status, failed=appointment_id)
        return self._back_to_advisor(request, N_("Recorded as a no-show"))
