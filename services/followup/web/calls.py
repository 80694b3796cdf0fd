"""Follow-up calls: the list (the manager assigns and reassigns), the agent's call screen with the script, the
outcome, the printable letter for an unreachable customer; JSON and pages call the same use cases."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from contracts.events import COMPLAINT_CAUSES
from kit.errors import DomainError
from kit.i18n import N_
from kit.paging import page_args
from kit.web import _environment, api, flash, page, read_json

from ..domain import script
from ..domain.complaints import CAUSE_TITLES
from ..handlers import booking_rpc, calls, directory
from .common import local_datetime, refused_form


class Assign(Schema):
    assigned_to = fields.String(required=True, validate=validate.Length(min=1, max=40))


class Outcome(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(script.OUTCOMES))
    words = fields.String(load_default="", validate=validate.Length(max=4000))
    scores = fields.Dict(keys=fields.String(), values=fields.Integer(strict=True), load_default=dict)
    answers = fields.Dict(
        keys=fields.String(), values=fields.String(validate=validate.Length(max=1000)), load_default=dict
    )
    call_back_at = fields.AwareDateTime(load_default=None, allow_none=True)
    cause = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(COMPLAINT_CAUSES))
    technical_question = fields.String(load_default="", validate=validate.Length(max=2000))
    technician_id = fields.String(load_default="", validate=validate.Length(max=40))


class BookNext(Schema):
    advisor_id = fields.String(load_default="", validate=validate.Length(max=40))


class CallbackAnswer(Schema):
    answer = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class CallEndpoints:
    """Mixed into services.followup.service.Service (which provides `db`)."""

    @api("GET", "/api/calls", action="followup.view")
    def list_calls(self, request):
        """?q=<plate, name or mobile>&order_id=…&mine=1&page=1&per_page=50"""
        number, per_page, q = page_args(request.args)
        mine = request.staff.staff_id if request.args.get("mine") else None
        result = self.db.read(calls.calls, number, per_page, q, request.args.get("order_id"), mine)
        return result.as_dict("calls")

    @api("GET", "/api/calls/<call_id>", action="followup.view")
    def get_call(self, request, call_id):
        return self.db.read(calls.call, call_id)

    @api("GET", "/api/callers", action="followup.view")
    def list_callers(self, request):
        """The callers learnt from the staff directory (R-FU-2)."""
        return {"callers": self.db.read(directory.callers)}

    @api("GET", "/api/script", action="followup.view")
    def get_script(self, request):
        """The call's script as data: general questions, the departments scored 1-5, the outcomes."""
        return {
            "questions": [{"id": q["id"], "text": q["text"]} for q in script.QUESTIONS],
            "departments": list(script.DEPARTMENTS),
            "score_range": [script.SCORE_MIN, script.SCORE_MAX],
            "outcomes": list(script.OUTCOMES),
            "causes": list(COMPLAINT_CAUSES),
        }

    @api("POST", "/api/calls/<call_id>/assign", action="followup.assign")
    def assign_call(self, request, call_id):
        """{"assigned_to": "F002"}: never the advisor who served the customer (R-FU-2)."""
        cmd = read_json(request, Assign)
        self.db.run(calls.assign, call_id, cmd["assigned_to"], actor_id=request.staff.staff_id)
        return self.db.read(calls.call, call_id)

    @api("POST", "/calls/<call_id>/assign", action="followup.assign")
    def assign_form(self, request, call_id):
        try:
            cmd = Assign().load({"assigned_to": request.form.get("assigned_to", "")})
            self.db.run(calls.assign, call_id, cmd["assigned_to"], actor_id=request.staff.staff_id)
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request)
            return self._index(request, errors, status, failed=call_id)
        return flash(redirect("/", code=303), "ok", N_("The call is assigned"))

    @api("POST", "/api/calls/<call_id>/outcome", action="followup.call")
    def call_outcome(self, request, call_id):
        """{"outcome": "complaint", "words": "换完机油发动机有异响", "scores": {"booking": 5, "reception": 4,
        "workshop": 2, "settlement": 4}, "answers": {"since_service": "有异响"}, "cause": "workmanship",
        "technical_question": "", "call_back_at": null}  (outcome: satisfied | complaint | unreachable | call_back)"""
        cmd = read_json(request, Outcome)
        self.db.run(calls.record_outcome, call_id, cmd, request.staff.staff_id, actor_id=request.staff.staff_id)
        return self.db.read(calls.call, call_id)

    @api("POST", "/calls/<call_id>/outcome", action="followup.call")
    def outcome_form(self, request, call_id):
        form = request.form
        raw = {
            "outcome": form.get("outcome", ""),
            "words": form.get("words", ""),
            "scores": {d: form.get(f"score_{d}") for d in script.DEPARTMENTS if form.get(f"score_{d}")},
            "answers": {
                q["id"]: form.get(f"answer_{q['id']}") for q in script.QUESTIONS if form.get(f"answer_{q['id']}")
            },
            "cause": form.get("cause") or None,
            "technical_question": form.get("technical_question", ""),
            "call_back_at": local_datetime(form.get("back_date", ""), form.get("back_time", "")) or None,
        }
        try:
            raw["scores"] = {d: int(v) for d, v in raw["scores"].items()}
        except ValueError:
            raw["scores"] = {d: v for d, v in raw["scores"].items()}
        try:
            cmd = Outcome().load(raw)
            self.db.run(calls.record_outcome, call_id, cmd, request.staff.staff_id, actor_id=request.staff.staff_id)
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request)
            return self._call_page(request, call_id, dict(form), errors, status)
        return flash(redirect("/", code=303), "ok", N_("Outcome recorded"))

    @api("POST", "/api/calls/<call_id>/book", action="followup.book")
    def book_from_call(self, request, call_id):
        """{"advisor_id": "A001"} (default: the advisor who served): the next visit through booking (R-CR-4,
        R-BL-4), the advisor's first free slot in the coming working days"""
        return 201, self._book_from_call(request, call_id, read_json(request, BookNext)["advisor_id"])

    def _book_from_call(self, request, call_id, advisor_id):
        found = self.db.read(calls.call, call_id)
        return booking_rpc.book_visit(
            self.booking,
            found["customer"],
            found["vehicle"],
            advisor_id or found["advisor_id"],
            "回访预约下次保养",
            request.staff.staff_id,
            booking_rpc.next_days(calls.calendar()),
        )

    @api("POST", "/calls/<call_id>/book", action="followup.book")
    def book_from_call_form(self, request, call_id):
        try:
            cmd = BookNext().load({"advisor_id": request.form.get("advisor_id", "")})
            booked = self._book_from_call(request, call_id, cmd["advisor_id"])
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request)
            return self._call_page(request, call_id, {}, errors, status)
        return flash(
            redirect(f"/calls/{call_id}", code=303),
            "ok",
            N_("Next visit booked for {time}"),
            time=booked["starts_at"][:16].replace("T", " "),
        )

    @api("GET", "/calls/<call_id>", action="followup.view")
    def call_page(self, request, call_id):
        return self._call_page(request, call_id, {}, {})

    def _call_page(self, request, call_id, values, errors, status=200):
        return page(
            self.name,
            N_("Follow-up call"),
            "call.html",
            request,
            status=status,
            call=self.db.read(calls.call, call_id),
            questions=script.QUESTIONS,
            departments=script.DEPARTMENT_TITLES,
            score_range=range(script.SCORE_MIN, script.SCORE_MAX + 1),
            causes=CAUSE_TITLES,
            values=values,
            errors=errors,
        )

    @api("GET", "/calls/<call_id>/letter", action="followup.view")
    def letter(self, request, call_id):
        """The printable letter to an unreachable customer (no mobile, or SMS opted out)."""
        from kit.config import Settings

        html = (
            _environment(self.name, "zh_CN")
            .get_template("letter.html")
            .render(call=self.db.read(calls.call, call_id), tz=Settings.load().dealer_timezone)
        )
        return Response(html, mimetype="text/html")

    @api("GET", "/", action="followup.view")
    def index(self, request):
        return self._index(request, {}, 200)

    def _index(self, request, errors, status, failed=None):
        number, per_page, q = page_args(request.args)
        mine = request.staff.staff_id if request.args.get("mine") else None
        result = self.db.read(calls.calls, number, per_page, q, None, mine)
        return page(
            self.name,
            N_("Follow-up calls"),
            "index.html",
            request,
            status=status,
            calls=result.items,
            result=result,
            q=q,
            callers=[c for c in self.db.read(directory.callers) if c["active"]],
            errors=errors,
            failed=failed,
        )

    # --- technical questions: a technician calls back (R-FU-3) -----------------------------------------------

    @api("GET", "/api/callbacks", action="followup.callbacks")
    def list_callbacks(self, request):
        """The open technical questions from follow-up calls."""
        return {"callbacks": self.db.read(calls.callbacks)}

    @api("POST", "/api/callbacks/<task_id>", action="followup.callbacks")
    def answer_callback(self, request, task_id):
        """{"answer": "已电话解释：新机油初期声音略大，属正常"}"""
        cmd = read_json(request, CallbackAnswer)
        self.db.run(calls.answer_callback, task_id, cmd["answer"], request.staff.staff_id)
        return {"callbacks": self.db.read(calls.callbacks)}

    @api("GET", "/callbacks", action="followup.callbacks")
    def callbacks_page(self, request):
        return self._callbacks_page(request, {}, 200)

    def _callbacks_page(self, request, errors, status, failed=None):
        return page(
            self.name,
            N_("Technical callbacks"),
            "callbacks.html",
            request,
            status=status,
            callbacks=self.db.read(calls.callbacks),
            errors=errors,
            failed=failed,
        )

    @api("POST", "/callbacks/<task_id>", action="followup.callbacks")
    def answer_callback_form(self, request, task_id):
        try:
            cmd = CallbackAnswer().load({"answer": request.form.get("answer", "")})
            self.db.run(calls.answer_callback, task_id, cmd["answer"], request.staff.staff_id)
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request)
            return self._callbacks_page(request, errors, status, failed=task_id)
        return flash(redirect("/callbacks", code=303), "ok", N_("Saved"))
