"""Complaints 投诉 (R-FU-5): the department manager's list and page: re-contact, remedy, preventive and
corrective actions with owner and due date, closing with the customer's agreement, the priority return."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.utils import redirect

from kit.errors import DomainError
from kit.i18n import N_
from kit.web import api, flash, page, read_json

from ..domain.complaints import ACTION_KINDS, CAUSE_TITLES
from ..handlers import booking_rpc, calls, complaints
from .common import posted_number, refused_form


class Recontact(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    remedy = fields.String(load_default="", validate=validate.Length(max=2000))


class Action(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ACTION_KINDS))
    text = fields.String(required=True, validate=validate.Length(min=1, max=1000))
    owner = fields.String(required=True, validate=validate.Length(min=1, max=40))
    due_on = fields.Date(required=True)


class Close(Schema):
    customer_agreed = fields.Boolean(required=True)
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ComplaintEndpoints:
    """Mixed into services.followup.service.Service (`db`, and `booking`: booking's RPC client)."""

    @api("GET", "/api/complaints", action="followup.view")
    def list_complaints(self, request):
        """?state=open"""
        return {"complaints": self.db.read(complaints.complaints, request.args.get("state"))}

    @api("GET", "/api/complaints/<complaint_id>", action="followup.view")
    def get_complaint(self, request, complaint_id):
        return self.db.read(complaints.complaint, complaint_id)

    @api("POST", "/api/complaints/<complaint_id>/recontact", action="followup.complaint")
    def recontact(self, request, complaint_id):
        """{"note": "已致电客户，约定周一返厂检查", "remedy": "免费返修"}: within 24 hours of the complaint"""
        cmd = read_json(request, Recontact)
        self.db.run(complaints.recontact, complaint_id, cmd["note"], cmd["remedy"], request.staff.staff_id)
        return self.db.read(complaints.complaint, complaint_id)

    @api("POST", "/api/complaints/<complaint_id>/actions", action="followup.complaint")
    def add_action(self, request, complaint_id):
        """{"kind": "corrective", "text": "复训拧紧力矩", "owner": "D001", "due_on": "2026-12-20"}"""
        cmd = read_json(request, Action)
        self.db.run(complaints.add_action, complaint_id, cmd, request.staff.staff_id)
        return 201, self.db.read(complaints.complaint, complaint_id)

    @api("POST", "/api/complaints/<complaint_id>/actions/<int:action_id>/done", action="followup.complaint")
    def finish_action(self, request, complaint_id, action_id):
        self.db.run(complaints.finish_action, complaint_id, action_id)
        return self.db.read(complaints.complaint, complaint_id)

    @api("POST", "/api/complaints/<complaint_id>/close", action="followup.complaint")
    def close_complaint(self, request, complaint_id):
        """{"customer_agreed": true, "note": "客户认可返修结果"}: refused without the customer's agreement"""
        cmd = read_json(request, Close)
        self.db.run(complaints.close, complaint_id, cmd["customer_agreed"], cmd["note"], request.staff.staff_id)
        return self.db.read(complaints.complaint, complaint_id)

    @api("POST", "/api/complaints/<complaint_id>/book", action="followup.book")
    def book_back(self, request, complaint_id):
        """{"vin": "…"} (when the delivery did not carry it): the car back with priority, a slot within the next
        two working days with the serving advisor (R-FU-5), through booking."""
        return 201, self._book_back(request, complaint_id, (read_json(request) or {}).get("vin", ""))

    def _book_back(self, request, complaint_id, vin):
        found = self.db.read(complaints.complaint, complaint_id)
        vehicle = {**found["vehicle"], "vin": found["vehicle"].get("vin") or vin}
        note = f"投诉返厂({found['cause']}): {found['words']}"
        booked = booking_rpc.book_visit(
            self.booking,
            found["customer"],
            vehicle,
            found["advisor_id"],
            note,
            request.staff.staff_id,
            booking_rpc.priority_days(calls.calendar()),
        )
        self.db.run(complaints.note_booking, complaint_id, booked["appointment_id"], actor_id=request.staff.staff_id)
        return booked

    # --- pages --------------------------------------------------------------------------------------------

    @api("GET", "/complaints", action="followup.view")
    def complaints_page(self, request):
        return page(
            self.name,
            N_("Complaints"),
            "complaints.html",
            request,
            complaints=self.db.read(complaints.complaints, request.args.get("state")),
            causes=CAUSE_TITLES,
        )

    @api("GET", "/complaints/<complaint_id>", action="followup.view")
    def complaint_page(self, request, complaint_id):
        return self._complaint_page(request, complaint_id, {}, {})

    def _complaint_page(self, request, complaint_id, values, errors, status=200):
        return page(
            self.name,
            N_("Customer complaint"),
            "complaint.html",
            request,
            status=status,
            c=self.db.read(complaints.complaint, complaint_id),
            causes=CAUSE_TITLES,
            kinds=ACTION_KINDS,
            values=values,
            errors=errors,
        )

    @api("POST", "/complaints/<complaint_id>/<step>", action="followup.complaint")
    def complaint_form(self, request, complaint_id, step):
        form, actor = request.form, request.staff.staff_id
        try:
            if step == "recontact":
                cmd = Recontact().load({"note": form.get("note", ""), "remedy": form.get("remedy", "")})
                self.db.run(complaints.recontact, complaint_id, cmd["note"], cmd["remedy"], actor)
            elif step == "actions":
                cmd = Action().load({k: form.get(k, "") for k in ("kind", "text", "owner", "due_on")})
                self.db.run(complaints.add_action, complaint_id, cmd, actor)
            elif step == "done":
                self.db.run(complaints.finish_action, complaint_id, posted_number(form.get("action_id")))
            elif step == "close":
                cmd = Close().load(
                    {"customer_agreed": form.get("customer_agreed") == "yes", "note": form.get("note", "")}
                )
                self.db.run(complaints.close, complaint_id, cmd["customer_agreed"], cmd["note"], actor)
            elif step == "book":
                self._book_back(request, complaint_id, form.get("vin", ""))
            else:
                raise DomainError(N_("Unknown step"), field="step")
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request)
            return self._complaint_page(request, complaint_id, {**dict(form), "step": step}, errors, status)
        return flash(redirect(f"/complaints/{complaint_id}", code=303), "ok", N_("Saved"))
