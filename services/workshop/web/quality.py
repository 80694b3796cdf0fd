"""The QC inspector's queue and inspection (R-QC-1..4), expert help (R-WS-4) and the manager's numbers: JSON and
pages, each page a thin caller of the same use case as its JSON view."""

from __future__ import annotations

from marshmallow import Schema, fields, validate
from werkzeug.wrappers import Response

from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, form_action, not_found_page, page, read_json

from ..domain.expert_help import MAX_PHOTOS, check_photo, photo_from_data_url
from ..domain.inspection import URGENCIES
from ..handlers import boards, expert, quality, views
from ..handlers.floor import FloorSettings


class Inspection(Schema):
    items = fields.Dict(keys=fields.String(validate=validate.Length(max=40)), values=fields.Dict(), required=True)
    passed = fields.Boolean(load_default=None, allow_none=True)
    findings = fields.String(load_default="", validate=validate.Length(max=2000))
    road_test = fields.Dict(load_default=None, allow_none=True)
    deferred_work = fields.List(fields.Dict(), load_default=list, validate=validate.Length(max=20))
    washed = fields.Boolean(load_default=None, allow_none=True)
    finished_bay = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=20))


class AskExpert(Schema):
    question = fields.String(required=True, validate=validate.Length(max=1000))
    photos = fields.List(
        fields.String(validate=validate.Length(max=3_000_000)),
        load_default=list,
        validate=validate.Length(max=MAX_PHOTOS),
    )


class Answer(Schema):
    answer = fields.String(required=True, validate=validate.Length(max=1000))


def inspection_from_form(form, keys: list[str]) -> dict:
    """The inspection page's fields: state-<key>, mm-<key>, line-<key>, cause-<key>; road test; handover."""
    items = {}
    for key in keys:
        item = {"state": form.get(f"state-{key}")}
        if form.get(f"mm-{key}"):
            item["measured_mm"] = form.get(f"mm-{key}")
        if form.get(f"line-{key}"):
            item["line_no"] = form.get(f"line-{key}", type=int)
        if form.get(f"cause-{key}"):
            item["cause"] = form.get(f"cause-{key}")
        items[key] = item
    road = None
    if form.get("km_out") or form.get("km_back"):
        road = {
            "km_out": form.get("km_out", type=int),
            "km_back": form.get("km_back", type=int),
            "technician_id": form.get("road_technician_id"),
        }
    deferred = [
        {"description": form.get(f"deferred-{i}"), "urgency": form.get(f"urgency-{i}")}
        for i in range(3)
        if (form.get(f"deferred-{i}") or "").strip()
    ]
    return {
        "items": items,
        "findings": form.get("findings", ""),
        "road_test": road,
        "deferred_work": deferred,
        "washed": form.get("washed") == "on",
        "finished_bay": form.get("finished_bay") or None,
    }


class QualityViews:
    """Mixed into service.Service (its `db` is the kit Database)."""

    # --- quality check ---------------------------------------------------------------------------------

    @api("GET", "/api/qc-queue", action="workshop.view")
    def qc_queue_json(self, request):
        return {"queue": self.db.read(views.qc_queue)}

    @api("POST", "/api/work-orders/<order_id>/quality-check", action="workshop.quality_check")
    def quality_check(self, request, order_id):
        """{"items": {"work_done": {"state": "ok"}, "pad_front": {"state": "ok", "measured_mm": "6.5"},
        "leaks": {"state": "fail", "line_no": 1, "cause": "油底壳渗油"}}, "road_test": {"km_out": 35210,
        "km_back": 35216, "technician_id": "T001"}, "deferred_work": [{"description", "urgency": "soon"}],
        "washed": true, "finished_bay": "F1", "findings": "…"}: any fail sends its job back (qc_failed)."""
        cmd = read_json(request, Inspection)
        return self.db.run(
            views.answered_from_tables(quality.quality_check), order_id, **cmd, actor_id=request.staff.staff_id
        )

    @api("GET", "/qc", action="workshop.view")
    def qc_page(self, request):
        return page(self.name, N_("Quality check queue"), "qc_queue.html", request, queue=self.db.read(views.qc_queue))

    @api("GET", "/qc/<order_id>", action="workshop.view")
    def inspection_page(self, request, order_id):
        wo = self.db.read(views.work_order, order_id)
        if wo is None:
            return not_found_page(self.name, request)
        settings = FloorSettings.load()
        return page(
            self.name,
            N_("Inspection"),
            "inspection.html",
            request,
            wo=wo,
            finished_bays=settings.finished_bays,
            urgencies=URGENCIES,
        )

    @api("POST", "/qc/<order_id>", action="workshop.quality_check")
    def inspection_form(self, request, order_id):
        def run():
            keys = [i["key"] for i in self.db.read(quality.inspection_of, order_id)["items"]]
            cmd = Inspection().load(inspection_from_form(request.form, keys))
            return self.db.run(quality.quality_check, order_id, **cmd, actor_id=request.staff.staff_id)

        def done(wo):
            return "/qc"

        def ok(wo):
            passed = wo.status == "ready"
            return (N_("Passed: the car is handed over") if passed else N_("Failed: the jobs go back for rework")), {}

        return form_action(request, run, done=done, ok=ok, back=f"/qc/{order_id}")

    # --- expert help -----------------------------------------------------------------------------------

    @api("POST", "/api/work-orders/<order_id>/jobs/<int:line_no>/help", action="workshop.ask_expert")
    def ask_expert(self, request, order_id, line_no):
        """{"question": "怠速抖动，已换火花塞仍不好", "photos": ["data:image/jpeg;base64,…"]} -> 201 the ticket."""
        cmd = read_json(request, AskExpert)
        photos = [photo_from_data_url(url, i) for i, url in enumerate(cmd["photos"])]
        ticket = self.db.run(
            expert.ask_expert,
            order_id,
            line_no,
            question=cmd["question"],
            photos=photos,
            foreman=request.staff.may("workshop.correct_clock"),
            actor_id=request.staff.staff_id,
        )
        return 201, {"ticket_id": ticket.ticket_id}

    @api("POST", "/jobs/<order_id>/<int:line_no>/help", action="workshop.ask_expert")
    def ask_expert_form(self, request, order_id, line_no):
        def run():
            files = [f for f in request.files.getlist("photos") if f and f.filename][: MAX_PHOTOS + 1]
            photos = []
            for i, f in enumerate(files):
                data = f.read(2_000_001)
                check_photo(f.mimetype, data, i)
                photos.append((f.mimetype, data))
            return self.db.run(
                expert.ask_expert,
                order_id,
                line_no,
                question=request.form.get("question", ""),
                photos=photos,
                foreman=request.staff.may("workshop.correct_clock"),
                actor_id=request.staff.staff_id,
            )

        return form_action(request, run, done=f"/jobs/{order_id}/{line_no}", ok=N_("The expert on duty is asked"))

    @api("GET", "/api/help-tickets", action="workshop.view")
    def help_tickets(self, request):
        """?open=1: unanswered only; each with its answer due time, late flag and photo links."""
        target = FloorSettings.load().expert_target_minutes
        return {"tickets": self.db.read(expert.tickets, utcnow(), target, open_only=bool(request.args.get("open")))}

    @api("POST", "/api/help-tickets/<ticket_id>/answer", action="workshop.answer_expert")
    def answer(self, request, ticket_id):
        """{"answer": "检查进气歧管漏气"} (the expert on duty)."""
        cmd = read_json(request, Answer)
        self.db.run(expert.answer_ticket, ticket_id, answer=cmd["answer"], actor_id=request.staff.staff_id)
        target = FloorSettings.load().expert_target_minutes
        return next(t for t in self.db.read(expert.tickets, utcnow(), target) if t["ticket_id"] == ticket_id)

    @api("POST", "/expert/<ticket_id>/answer", action="workshop.answer_expert")
    def answer_form(self, request, ticket_id):
        def run():
            cmd = Answer().load({"answer": request.form.get("answer", "")})
            return self.db.run(expert.answer_ticket, ticket_id, answer=cmd["answer"], actor_id=request.staff.staff_id)

        return form_action(request, run, done="/expert", ok=N_("The answer is sent to the technician"))

    @api("GET", "/api/help-photos/<int:photo_id>", action="workshop.view")
    def help_photo(self, request, photo_id):
        photo = self.db.read(expert.photo, photo_id)
        if photo is None:
            raise NotFound("Not found")
        return Response(photo.data, mimetype=photo.content_type)

    @api("GET", "/expert", action="workshop.view")
    def expert_page(self, request):
        target = FloorSettings.load().expert_target_minutes
        tickets = self.db.read(expert.tickets, utcnow(), target)
        return page(self.name, N_("Expert help"), "expert.html", request, tickets=tickets, target=target)

    # --- the manager's numbers and alerts ---------------------------------------------------------------

    @api("GET", "/api/numbers", action="workshop.numbers")
    def numbers_json(self, request):
        """?period=week|month: per technician productivity, efficiency, first-time fix, QC failure, comebacks,
        on-time; and the manager's alerts."""
        period = request.args.get("period", "week")
        if period not in ("week", "month"):
            raise DomainError("Choose week or month", field="period")
        result = self.db.read(boards.numbers, utcnow(), FloorSettings.load(), period)
        return {**result, "alerts": self.db.read(expert.alerts)}

    @api("GET", "/api/manager-alerts", action="workshop.view")
    def manager_alerts(self, request):
        return {"alerts": self.db.read(expert.alerts)}

    @api("GET", "/numbers", action="workshop.numbers")
    def numbers_page(self, request):
        period = "month" if request.args.get("period") == "month" else "week"
        result = self.db.read(boards.numbers, utcnow(), FloorSettings.load(), period)
        return page(
            self.name,
            N_("Technician numbers"),
            "numbers.html",
            request,
            numbers=result,
            alerts=self.db.read(expert.alerts),
        )
