"""The service advisor's appointments 顾问: preparation checklists (R-BK-6), confirmation calls (R-BK-7),
reschedule and no-show, as JSON and as the advisor's page with its forms."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields
from werkzeug.utils import redirect

from kit.bounds import (
    APPOINTMENT_WINDOW,
    NOTE,
    SHORT,
    Choice,
    Moment,
    Text,
)
from kit.errors import DomainError
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, flash, page, read_json

from ..domain import confirmations as confirmation_rules
from ..handlers import appointment_commands, appointment_views, booking_desk, checklist, confirmations
from .common import local_datetime, refused_form, slot_settings


class TickPreparation(Schema):
    done = fields.Boolean(load_default=True)
    note = Text(NOTE, load_default="")


class AnswerConfirmation(Schema):
    outcome = Choice(confirmation_rules.OUTCOMES, required=True)
    note = Text(NOTE, load_default="")
    # cannot come: the time they chose
    starts_at = Moment(**APPOINTMENT_WINDOW, load_default=None, allow_none=True)


class Reschedule(Schema):
    starts_at = Moment(**APPOINTMENT_WINDOW, required=True)
    advisor_id = Text(SHORT, load_default=None, allow_none=True)
    reason = Text(NOTE, load_default="")
    by_dealership = fields.Boolean(load_default=False)


class AdvisorViews:
    """Mixed into service.Service (its `db` is the kit Database, `workshop` the workshop's RPC client)."""

    # --- preparation (R-BK-6) ---------------------------------------------------------------------------

    @api("GET", "/api/appointments/<appointment_id>/preparation", action="booking.view")
    def get_preparation(self, request, appointment_id):
        return {"appointment_id": appointment_id, "items": self.db.read(checklist.preparation, appointment_id)}

    @api("POST", "/api/appointments/<appointment_id>/preparation/<item>", action="booking.prepare")
    def tick(self, request, appointment_id, item):
        """{"done": true, "note": "工位2, 技工T001"}"""
        cmd = read_json(request, TickPreparation())
        self._tick(request, appointment_id, item, cmd)
        return {"appointment_id": appointment_id, "items": self.db.read(checklist.preparation, appointment_id)}

    @api("POST", "/appointments/<appointment_id>/preparation/<item>", action="booking.prepare")
    def tick_form(self, request, appointment_id, item):
        try:
            cmd = {"done": request.form.get("done", "1") == "1", "note": request.form.get("note", "")}
            self._tick(request, appointment_id, item, cmd)
        except DomainError as exc:
            return self._refused(request, exc, failed=appointment_id)
        return self._back_to_advisor(request, N_("Preparation updated"))

    def _tick(self, request, appointment_id, item, cmd):
        self.db.run(
            checklist.tick_preparation, appointment_id, item, cmd["done"], cmd["note"], actor_id=request.staff.staff_id
        )

    # --- confirmations (R-BK-7) -------------------------------------------------------------------------

    @api("GET", "/api/confirmations", action="booking.view")
    def list_confirmations(self, request):
        """?appointment_id=… for one appointment's; otherwise the calls due now (open, their time come)."""
        appointment_id = request.args.get("appointment_id") or None
        tasks = self.db.read(confirmations.confirmation_tasks, utcnow(), appointment_id, appointment_id is None)
        return {"confirmations": tasks}

    @api("POST", "/api/confirmations/<task_id>", action="booking.confirm")
    def answer_confirmation(self, request, task_id):
        """{"outcome": "confirmed" | "cannot_come" | "no_answer", "note": "…"} -> cannot_come offers other times;
        with "starts_at" (the time the customer chose) the appointment is rescheduled at once"""
        cmd = read_json(request, AnswerConfirmation())
        rules, tz = slot_settings()
        return booking_desk.answer_confirmation(self.db, task_id, cmd, rules, tz, request.staff.staff_id)

    @api("POST", "/confirmations/<task_id>", action="booking.confirm")
    def confirmation_form(self, request, task_id):
        rules, tz = slot_settings()
        form = request.form
        try:
            cmd = AnswerConfirmation().load(
                {
                    "outcome": form.get("outcome", ""),
                    "note": form.get("note", ""),
                    "starts_at": local_datetime(form.get("date", ""), form.get("time", ""), tz) or None,
                }
            )
            booking_desk.answer_confirmation(self.db, task_id, cmd, rules, tz, request.staff.staff_id)
        except (ValidationError, DomainError) as exc:
            return self._refused(request, exc, failed=task_id)
        return self._back_to_advisor(request, N_("Confirmation recorded"))

    # --- reschedule and no-show (each an event) ---------------------------------------------------------

    @api("POST", "/api/appointments/<appointment_id>/reschedule", action="booking.book")
    def reschedule(self, request, appointment_id):
        """{"starts_at": "2026-12-02T10:00:00+08:00", "advisor_id": "A002", "reason": "举升机故障",
        "by_dealership": true} -> refused with the free times like a booking; parts and reception follow"""
        cmd = read_json(request, Reschedule())
        rules, tz = slot_settings()
        booking_desk.reschedule(self.db, self.workshop, appointment_id, cmd, rules, tz, request.staff.staff_id)
        return self.db.read(appointment_views.appointment, appointment_id)

    @api("POST", "/appointments/<appointment_id>/reschedule", action="booking.book")
    def reschedule_form(self, request, appointment_id):
        rules, tz = slot_settings()
        values = {k: request.form.get(k, "") for k in ("date", "time", "new_advisor_id", "reason", "by_dealership")}
        try:
            cmd = Reschedule().load(
                {
                    "starts_at": local_datetime(values["date"], values["time"], tz) or None,
                    "advisor_id": values["new_advisor_id"] or None,
                    "reason": values["reason"],
                    "by_dealership": values["by_dealership"] == "1",
                }
            )
            booking_desk.reschedule(self.db, self.workshop, appointment_id, cmd, rules, tz, request.staff.staff_id)
        except (ValidationError, DomainError) as exc:
            rename = {"starts_at": "time", "advisor_id": "new_advisor_id"}
            return self._refused(request, exc, failed=appointment_id, values=values, rename=rename)
        return self._back_to_advisor(request, N_("Appointment moved"))

    @api("POST", "/api/appointments/<appointment_id>/no-show", action="booking.book")
    def no_show(self, request, appointment_id):
        """{} after the booked time: the customer did not come; the shelf and the expected arrival are released."""
        self.db.run(appointment_commands.mark_no_show, appointment_id, actor_id=request.staff.staff_id)
        return self.db.read(appointment_views.appointment, appointment_id)

    @api("POST", "/appointments/<appointment_id>/no-show", action="booking.book")
    def no_show_form(self, request, appointment_id):
        try:
            self.db.run(appointment_commands.mark_no_show, appointment_id, actor_id=request.staff.staff_id)
        except DomainError as exc:
            return self._refused(request, exc, failed=appointment_id)
        return self._back_to_advisor(request, N_("Recorded as a no-show"))

    # --- the advisor's page -----------------------------------------------------------------------------

    @api("GET", "/api/advisors/<advisor_id>/appointments", action="booking.view")
    def advisor_appointments(self, request, advisor_id):
        """Today's and tomorrow's booked appointments of the advisor, with checklist and confirmations."""
        _, tz = slot_settings()
        return {"appointments": self.db.read(appointment_views.advisor_appointments, advisor_id, utcnow(), 2, tz)}

    @api("GET", "/advisor", action="booking.view")
    def advisor_page(self, request):
        """?advisor_id=A001 (the signed-in advisor by default): appointments, checklists, confirmations."""
        return self._advisor_page(request, request.args.get("advisor_id") or request.staff.staff_id, {}, {})

    def _advisor_page(self, request, advisor_id, values, errors, status=200, failed=None):
        _, tz = slot_settings()
        now = utcnow()
        return page(
            self.name,
            N_("Advisor's appointments"),
            "advisor.html",
            request,
            status=status,
            advisor_id=advisor_id,
            appointments=self.db.read(appointment_views.advisor_appointments, advisor_id, now, 2, tz),
            due=self.db.read(confirmations.confirmation_tasks, now, None, True),
            now=now,
            values=values,
            errors=errors,
            failed=failed,
        )

    def _refused(self, request, exc, *, failed, values=None, rename=None):
        """A refused form on the advisor's page: the page again, the error beside the item that failed."""
        errors, status = refused_form(exc, request, rename)
        advisor = request.form.get("advisor_id") or request.staff.staff_id
        return self._advisor_page(request, advisor, values or {}, errors, status, failed=failed)

    def _back_to_advisor(self, request, msgid):
        advisor = request.form.get("advisor_id") or ""
        return flash(redirect(f"/advisor?advisor_id={advisor}" if advisor else "/advisor", code=303), "ok", msgid)
