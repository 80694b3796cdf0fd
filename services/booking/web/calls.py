"""Booking calls 预约电话: the proactive call list from the due list (R-BK-1) and inbound calls in the customer's
own words (R-BK-2), with their outcomes; JSON and the calls page."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields
from werkzeug.utils import redirect

from kit.bounds import (
    APPOINTMENT_WINDOW,
    NAME,
    NOTE,
    SHORT,
    WORDS,
    Choice,
    Count,
    CustomerInput,
    Items,
    Moment,
    Text,
)
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.web import api, flash, page, read_json

from ..domain.calls import CALL_OUTCOMES
from ..handlers import booking_desk, calls
from .common import local_datetime, local_today, refused_form, slot_settings

AHEAD = APPOINTMENT_WINDOW


class BuildCallList(Schema):
    days = Count(minimum=0, maximum=730, load_default=30)


class BookFromCall(Schema):
    starts_at = Moment(**AHEAD, load_default=None, allow_none=True)
    advisor_id = Text(SHORT, load_default=None, allow_none=True)
    symptoms = Items(Text(SHORT), load_default=None, allow_none=True)
    vin = Text(17, load_default=None, allow_none=True)
    plate = Text(16, load_default=None, allow_none=True)
    model = Text(NAME, load_default=None, allow_none=True)
    complaint = Text(WORDS, load_default=None, allow_none=True)


class RecordOutcome(Schema):
    outcome = Choice(CALL_OUTCOMES, required=True)
    note = Text(NOTE, load_default="")
    call_back_at = Moment(**AHEAD, load_default=None, allow_none=True)
    booking = fields.Nested(BookFromCall, load_default=None, allow_none=True)


class CallerVehicle(Schema):
    plate = Text(16, load_default="")
    vin = Text(17, load_default="")
    model = Text(NAME, load_default="")


class InboundCall(Schema):
    customer = fields.Nested(CustomerInput, required=True)
    vehicle = fields.Nested(CallerVehicle, load_default=dict)
    words = Text(WORDS, min_length=1, required=True)


class CallViews:
    """Mixed into service.Service (its `db` is the kit Database, `workshop` the workshop's RPC client)."""

    @api("POST", "/api/call-list", action="booking.call")
    def build_call_list(self, request):
        """{"days": 30}: every car due in the next 30 days goes on the call list, with what is due and why."""
        cmd = read_json(request, BuildCallList())
        created = self._build_call_list(request, cmd)
        return 201, {"created": created, "calls": self.db.read(calls.call_list, "proactive")}

    @api("POST", "/calls/list", action="booking.call")
    def call_list_form(self, request):
        try:
            cmd = BuildCallList().load({"days": request.form.get("days") or 30})
        except ValidationError as exc:
            errors, status = refused_form(exc, request)
            return self._calls_page(request, {"days": request.form.get("days", "")}, errors, status)
        created = self._build_call_list(request, cmd)
        return flash(redirect("/calls", code=303), "ok", N_("{count} cars added to the call list"), count=len(created))

    def _build_call_list(self, request, cmd) -> list[str]:
        _, tz = slot_settings()
        return self.db.run(calls.build_call_list, local_today(tz), cmd["days"], tz, actor_id=request.staff.staff_id)

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
            errors, status = refused_form(
                exc, request, {"customer.name": "name", "customer.mobile": "mobile", "vehicle.vin": "vin"}
            )
            return self._calls_page(request, values, errors, status)
        return flash(redirect("/calls", code=303), "ok", N_("Call recorded"))

    @api("POST", "/api/calls/<call_id>/outcome", action="booking.call")
    def call_outcome(self, request, call_id):
        """{"outcome": "booked", "note": "", "booking": {"starts_at": "2026-12-01T09:00:00+08:00",
        "advisor_id": "A001"}} | {"outcome": "call_back", "call_back_at": "…"} | declined | unreachable"""
        cmd = read_json(request, RecordOutcome())
        self._record_outcome(request, call_id, cmd)
        return self.db.read(calls.call, call_id)

    @api("POST", "/calls/<call_id>/outcome", action="booking.call")
    def outcome_form(self, request, call_id):
        _, tz = slot_settings()
        form = request.form
        values = {
            k: form.get(k, "") for k in ("outcome", "note", "date", "time", "advisor_id", "back_date", "back_time")
        }
        raw = {"outcome": values["outcome"], "note": values["note"]}
        if values["outcome"] == "call_back":
            raw["call_back_at"] = local_datetime(values["back_date"], values["back_time"], tz) or None
        if values["outcome"] == "booked":
            raw["booking"] = {
                "starts_at": local_datetime(values["date"], values["time"], tz) or None,
                "advisor_id": values["advisor_id"] or None,
            }
        try:
            self._record_outcome(request, call_id, RecordOutcome().load(raw))
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(
                exc, request, {"starts_at": "time", "booking.starts_at": "time", "call_back_at": "back_time"}
            )
            return self._calls_page(request, values, errors, status, failed_call=call_id)
        return flash(redirect("/calls", code=303), "ok", N_("Outcome recorded"))

    def _record_outcome(self, request, call_id, cmd):
        rules, tz = slot_settings()
        return booking_desk.record_call_outcome(self.db, self.workshop, call_id, cmd, rules, tz, request.staff.staff_id)

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
