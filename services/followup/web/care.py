"""Customer care 客户关怀 (R-CR-1..6, R-BL-4): hand-overs from the sales side (upload or API), the care tasks due,
the care file (consent-gated details, opted-out channels), contacts in the survey log that can book the next
visit through booking, care messages to a city, invitations with replies, referrals."""

from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.utils import redirect

from kit.errors import DomainError
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, flash, page, read_json

from ..domain.care import CHANNELS, PERSONAL_FIELDS, TASK_TITLES
from ..handlers import booking_rpc, calls, care
from .common import posted_number, refused_form
from .handover_file import Handover, commands, load_handover


class Handovers(Schema):
    handovers = fields.List(fields.Dict(), required=True, validate=validate.Length(min=1, max=2000))


class Details(Schema):
    address = fields.String(load_default="", validate=validate.Length(max=200))
    interests = fields.String(load_default="", validate=validate.Length(max=200))
    family_birthdays = fields.String(load_default="", validate=validate.Length(max=200))


class CareFile(Schema):
    consent = fields.Boolean(required=True)
    details = fields.Nested(Details, load_default=dict)
    opted_out = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), load_default=list)
    city = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))


class Contact(Schema):
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    result = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    task_id = fields.String(load_default=None, allow_none=True)
    book_visit = fields.Boolean(load_default=False)
    advisor_id = fields.String(load_default="", validate=validate.Length(max=40))


class CareMessage(Schema):
    city = fields.String(required=True, validate=validate.Length(min=1, max=40))
    text = fields.String(required=True, validate=validate.Length(min=1, max=300))


class Invite(Schema):
    event_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    held_on = fields.Date(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    customers = fields.List(fields.String(), required=True, validate=validate.Length(min=1, max=2000))


class Reply(Schema):
    reply = fields.String(required=True, validate=validate.OneOf(("yes", "no")))


class Refer(Schema):
    referred_name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    referred_mobile = fields.String(required=True, validate=validate.Length(min=1, max=20))


class CareEndpoints:
    """Mixed into services.followup.service.Service (`db`, `booking`)."""

    @api("POST", "/api/care/handovers", action="followup.care")
    def handovers(self, request):
        """{"handovers": [{"name": "李四", "mobile": "13900139001", "vin": "…", "plate": "沪C12345", "model": "…",
        "handed_over_at": "2026-12-02T15:00:00+08:00", "salesperson": "SP01", "sales_manager": "SM01",
        "birthday": "1985-12-20", "city": "上海"}]} -> the care tasks created (R-CR-1..3)"""
        rows = read_json(request, Handovers)["handovers"]
        cmds = []
        for number, row in enumerate(rows):
            try:
                cmds.append(load_handover(row))
            except ValidationError as exc:
                raise ValidationError({f"handovers.{number}": exc.messages}) from None
        return 201, self._take(request, cmds)

    def _take(self, request, cmds) -> dict:
        def take_all(uow):
            return [care.take_handover(uow, c) for c in cmds]

        taken = self.db.run(take_all, actor_id=request.staff.staff_id)
        return {"customers": [k for k, _ in taken], "tasks_created": sum(n for _, n in taken)}

    @api("POST", "/care/handovers/upload", action="followup.care")
    def upload(self, request):
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise DomainError(N_("Choose the file to upload"), field="file")
            data = upload.read(5_000_001)
            if len(data) > 5_000_000:
                raise DomainError(N_("The file is too large"), field="file")
            taken = self._take(request, commands(upload.filename, data))
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request)
            return self._care_page(request, errors, status)
        return flash(redirect("/care", code=303), "ok", N_("{count} care tasks created"), count=taken["tasks_created"])

    @api("GET", "/api/care/tasks", action="followup.care")
    def care_tasks(self, request):
        """?days=7: the open care tasks due within that many days"""
        try:
            days = min(max(int(request.args.get("days") or 7), 0), 366)
        except ValueError:
            raise DomainError(N_("Give the number of days"), field="days") from None
        return {"tasks": self.db.read(care.tasks, utcnow() + timedelta(days=days))}

    @api("GET", "/api/care/customers/<key>", action="followup.care")
    def care_file(self, request, key):
        return self.db.read(care.customer_file, key)

    @api("POST", "/api/care/customers/<key>", action="followup.care")
    def update_care_file(self, request, key):
        """{"consent": true, "details": {"address": "…", "interests": "钓鱼", "family_birthdays": "女儿 05-12"},
        "opted_out": ["sms"]}: details only with consent (R-CR-5)"""
        self.db.run(care.update_file, key, read_json(request, CareFile), actor_id=request.staff.staff_id)
        return self.db.read(care.customer_file, key)

    @api("POST", "/api/care/customers/<key>/contacts", action="followup.care")
    def contact(self, request, key):
        """{"channel": "phone", "result": "车况良好，下月首保", "task_id": "…", "book_visit": true,
        "advisor_id": "A001"} -> the survey log entry; book_visit books the next visit through booking (R-CR-4)"""
        return 201, self._contact(request, key, read_json(request, Contact))

    def _contact(self, request, key, cmd):
        booked = None
        if cmd["book_visit"]:
            f = self.db.read(care.customer_file, key)
            if cmd["channel"] in f["opted_out"]:
                raise DomainError(N_("The customer opted out of this channel"), field="channel", code="opted_out")
            booked = booking_rpc.book_visit(
                self.booking,
                {"name": f["name"], "mobile": f["mobile"]},
                {"vin": f["vin"], "plate": f["plate"], "model": f["model"]},
                cmd["advisor_id"],
                f"客户关怀预约: {cmd['result']}",
                request.staff.staff_id,
                booking_rpc.next_days(calls.calendar()),
            )
            cmd = {**cmd, "booked_appointment": booked["appointment_id"]}
        self.db.run(care.record_contact, key, cmd, request.staff.staff_id, actor_id=request.staff.staff_id)
        return {"booked": booked, "file": self.db.read(care.customer_file, key)}

    @api("POST", "/api/care/messages", action="followup.care")
    def care_message(self, request):
        """{"city": "上海", "text": "明日暴雨，请注意行车安全"}: by SMS to the city's customers who did not opt out"""
        cmd = read_json(request, CareMessage)
        return 201, {"sent": self.db.run(care.send_care_message, cmd["city"], cmd["text"], request.staff.staff_id)}

    @api("POST", "/api/care/invitations", action="followup.care")
    def invitations(self, request):
        """{"event_name": "冬季免费检测日", "held_on": "2026-12-19", "channel": "sms", "customers": ["13900139001"]}"""
        cmd = read_json(request, Invite)
        return 201, {"invited": self.db.run(care.invite, cmd, request.staff.staff_id)}

    @api("POST", "/api/care/invitations/<int:invitation_id>/reply", action="followup.care")
    def invitation_reply(self, request, invitation_id):
        """{"reply": "yes"}"""
        self.db.run(care.reply, invitation_id, read_json(request, Reply)["reply"])
        return {"ok": True}

    @api("POST", "/api/care/customers/<key>/referrals", action="followup.care")
    def referral(self, request, key):
        """{"referred_name": "王五", "referred_mobile": "13900139002"} (R-CR-6)"""
        self.db.run(care.refer, key, read_json(request, Refer))
        return 201, self.db.read(care.customer_file, key)

    # --- pages --------------------------------------------------------------------------------------------

    @api("GET", "/care", action="followup.care")
    def care_page(self, request):
        return self._care_page(request, {}, 200)

    def _care_page(self, request, errors, status):
        return page(
            self.name,
            N_("Customer care"),
            "care.html",
            request,
            status=status,
            tasks=self.db.read(care.tasks, utcnow() + timedelta(days=7)),
            customers=self.db.read(care.customers),
            titles=TASK_TITLES,
            columns=list(Handover().fields),
            channels=CHANNELS,
            errors=errors,
        )

    @api("POST", "/care/messages", action="followup.care")
    def care_message_form(self, request):
        try:
            cmd = CareMessage().load({"city": request.form.get("city", ""), "text": request.form.get("text", "")})
            sent = self.db.run(care.send_care_message, cmd["city"], cmd["text"], request.staff.staff_id)
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request)
            return self._care_page(request, errors, status)
        return flash(redirect("/care", code=303), "ok", N_("{count} care messages queued"), count=sent)

    @api("POST", "/care/invitations", action="followup.care")
    def invitation_form(self, request):
        form = request.form
        try:
            raw = {k: form.get(k, "") for k in ("event_name", "held_on", "channel")}
            cmd = Invite().load({**raw, "customers": form.getlist("customers")})
            invited = self.db.run(care.invite, cmd, request.staff.staff_id)
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request)
            return self._care_page(request, errors, status)
        return flash(redirect("/care", code=303), "ok", N_("{count} customers invited"), count=invited)

    @api("GET", "/care/customers/<key>", action="followup.care")
    def care_file_page(self, request, key):
        return self._file_page(request, key, {}, {})

    def _file_page(self, request, key, values, errors, status=200):
        return page(
            self.name,
            N_("Care file"),
            "care_customer.html",
            request,
            status=status,
            f=self.db.read(care.customer_file, key),
            titles=TASK_TITLES,
            channels=CHANNELS,
            personal=PERSONAL_FIELDS,
            values=values,
            errors=errors,
        )

    @api("POST", "/care/customers/<key>/<step>", action="followup.care")
    def care_form(self, request, key, step):
        form, actor = request.form, request.staff.staff_id
        try:
            if step == "contact":
                cmd = Contact().load(
                    {
                        "channel": form.get("channel", ""),
                        "result": form.get("result", ""),
                        "task_id": form.get("task_id") or None,
                        "book_visit": form.get("book_visit") == "yes",
                        "advisor_id": form.get("advisor_id", ""),
                    }
                )
                self._contact(request, key, cmd)
            elif step == "file":
                cmd = CareFile().load(
                    {
                        "consent": form.get("consent") == "yes",
                        "details": {k: form.get(k, "") for k in PERSONAL_FIELDS},
                        "opted_out": form.getlist("opted_out"),
                    }
                )
                self.db.run(care.update_file, key, cmd, actor_id=actor)
            elif step == "referral":
                cmd = Refer().load({k: form.get(k, "") for k in ("referred_name", "referred_mobile")})
                self.db.run(care.refer, key, cmd, actor_id=actor)
            elif step == "reply":
                cmd = Reply().load({"reply": form.get("reply", "")})
                self.db.run(care.reply, posted_number(form.get("invitation_id")), cmd["reply"], actor_id=actor)
            else:
                raise DomainError(N_("Unknown step"), field="step")
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request)
            return self._file_page(request, key, {**dict(form), "step": step}, errors, status)
        return flash(redirect(f"/care/customers/{key}", code=303), "ok", N_("Saved"))
