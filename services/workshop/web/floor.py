"""The dispatcher's board 派工 (R-WS-1, R-WS-7) and the technician's tablet 技师平板 (R-WS-2, R-WS-6): JSON and the
pages, each page a thin caller of the same use case as its JSON view."""

from __future__ import annotations

from datetime import datetime

from marshmallow import Schema, fields, validate

from kit.errors import DomainError
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, form_action, not_found_page, page, read_json

from ..domain.job_clock import PAUSE_REASONS
from ..handlers import boards, clock, dispatching, views
from ..handlers.floor import FloorSettings
from .capacity import load_day


class AssignJob(Schema):
    technician_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    bay_id = fields.String(required=True, validate=validate.Length(min=1, max=20))
    starts_at = fields.AwareDateTime(load_default=None, allow_none=True)


class ClockAction(Schema):
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(tuple(PAUSE_REASONS)))


class RepairReport(Schema):
    concern = fields.String(required=True, validate=validate.Length(max=1000))
    cause = fields.String(required=True, validate=validate.Length(max=1000))
    correction = fields.String(required=True, validate=validate.Length(max=1000))


class FinishJob(Schema):
    self_check = fields.Dict(keys=fields.String(), values=fields.Boolean(), required=True)
    report = fields.Nested(RepairReport, required=True)
    signature = fields.String(required=True, validate=validate.Length(min=1, max=300_000))


class CorrectClock(Schema):
    minutes = fields.Integer(required=True, strict=True, validate=validate.Range(min=-1440, max=1440))
    reason = fields.String(required=True, validate=validate.Length(max=200))


def _local_start(text: str | None, tz) -> datetime | None:
    """The board's "HH:MM" (today, the dealer's time) or an ISO time; empty: now."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) <= 5:
            hour, minute = (int(p) for p in text.split(":"))
            return utcnow().astimezone(tz).replace(hour=hour, minute=minute, second=0, microsecond=0)
        at = datetime.fromisoformat(text)
    except ValueError:
        raise DomainError("Give the start time as HH:MM", field="starts_at", code="starts_at") from None
    return at if at.tzinfo else at.replace(tzinfo=tz)


class FloorViews:
    """Mixed into service.Service (its `db` is the kit Database)."""

    # --- dispatch -------------------------------------------------------------------------------------

    @api("GET", "/api/dispatch-board", action="workshop.view")
    def dispatch_board_json(self, request):
        """Orders and their jobs to assign, comebacks flagged, the forecast against the promise, the timeline of
        ?day=YYYY-MM-DD (default today: late in the day a job is planned for the next morning)."""
        return self._dispatch_board(request)

    def _dispatch_board(self, request) -> dict:
        settings = FloorSettings.load()
        day = load_day(request, settings.hours.tz, within_a_year=True)  # the board's timeline
        return self.db.read(
            boards.dispatch_board, utcnow(), settings, request.staff.staff_id, request.staff.roles, day=day
        )

    @api("POST", "/api/work-orders/<order_id>/jobs/<int:line_no>/assign", action="workshop.dispatch")
    def assign_job(self, request, order_id, line_no):
        """{"technician_id": "T002", "bay_id": "B3", "starts_at": "2026-12-07T10:00:00+08:00"} (reassigning too);
        a busy technician or bay -> 422 naming the field, with {"alternatives": {"technicians", "bays"}}."""
        cmd = read_json(request, AssignJob)
        return self.db.run(
            views.answered_with_view(dispatching.assign_job),
            order_id,
            line_no,
            **cmd,
            roles=request.staff.roles,
            actor_id=request.staff.staff_id,
        )

    @api("GET", "/api/work-orders/<order_id>/jobs/<int:line_no>/alternatives", action="workshop.view")
    def job_alternatives(self, request, order_id, line_no):
        """?starts_at=ISO: free technicians (skill, shift) and bays for the job's window."""
        starts = request.args.get("starts_at")
        try:
            at = datetime.fromisoformat(starts) if starts else utcnow()
        except ValueError:
            raise DomainError("Give the start time as HH:MM", field="starts_at", code="starts_at") from None
        if at.tzinfo is None:
            at = at.replace(tzinfo=FloorSettings.load().hours.tz)
        return self.db.read(dispatching.alternatives, order_id, line_no, at, FloorSettings.load())

    @api("GET", "/dispatch", action="workshop.dispatch")
    def dispatch_page(self, request):
        board = self._dispatch_board(request)
        return page(self.name, N_("Dispatch board"), "dispatch.html", request, board=board)

    @api("POST", "/dispatch/assign", action="workshop.dispatch")
    def dispatch_form(self, request):
        form = request.form
        settings = FloorSettings.load()

        def run():
            body = {
                "technician_id": form.get("technician_id", ""),
                "bay_id": form.get("bay_id", ""),
                "starts_at": _local_start(form.get("starts_at"), settings.hours.tz),
            }
            return self.db.run(
                dispatching.assign_job,
                form.get("order_id", ""),
                form.get("line_no", 0, type=int),
                **body,
                roles=request.staff.roles,
                actor_id=request.staff.staff_id,
            )

        return form_action(request, run, done="/dispatch", ok=N_("The job is assigned"))

    # --- the technician's tablet -----------------------------------------------------------------------

    @api("GET", "/api/my-jobs", action="workshop.view")
    def my_jobs_json(self, request):
        """The signed-in technician's unfinished jobs, in planned order."""
        return {"jobs": self.db.read(views.my_jobs, request.staff.staff_id)}

    @api("GET", "/my-jobs", action="workshop.view")
    def my_jobs_page(self, request):
        jobs = self.db.read(views.my_jobs, request.staff.staff_id)
        return page(self.name, N_("My jobs"), "my_jobs.html", request, jobs=jobs, reasons=PAUSE_REASONS)

    @api("POST", "/api/work-orders/<order_id>/jobs/<int:line_no>/start", action="workshop.work_job")
    def start_job(self, request, order_id, line_no):
        """{} -> the job clock runs; only the assigned technician or the foreman (others 403)."""
        return self._clock_json(request, order_id, line_no, "start")

    @api("POST", "/api/work-orders/<order_id>/jobs/<int:line_no>/pause", action="workshop.work_job")
    def pause_job(self, request, order_id, line_no):
        """{"reason": "waiting_parts" | "waiting_consent" | "waiting_expert" | "break" | "end_of_shift"}"""
        return self._clock_json(request, order_id, line_no, "pause")

    @api("POST", "/api/work-orders/<order_id>/jobs/<int:line_no>/resume", action="workshop.work_job")
    def resume_job(self, request, order_id, line_no):
        """{} -> the job clock runs again."""
        return self._clock_json(request, order_id, line_no, "resume")

    def _clock_json(self, request, order_id, line_no, action):
        cmd = read_json(request, ClockAction)
        return self.db.run(
            views.answered_with_view(clock.clock_job),
            order_id,
            line_no,
            action=action,
            reason=cmd["reason"],
            foreman=request.staff.may("workshop.correct_clock"),
            actor_id=request.staff.staff_id,
        )

    @api("POST", "/api/work-orders/<order_id>/jobs/<int:line_no>/finish", action="workshop.finish_job")
    def finish_job(self, request, order_id, line_no):
        """{"self_check": {"torque": true, …}, "report": {"concern", "cause", "correction"},
        "signature": "data:image/png;base64,…"} (R-WS-6); only the assigned technician or the foreman."""
        cmd = read_json(request, FinishJob)
        return self.db.run(
            views.answered_from_tables(clock.finish_job),
            order_id,
            line_no,
            **cmd,
            foreman=request.staff.may("workshop.correct_clock"),
            actor_id=request.staff.staff_id,
        )

    @api("POST", "/api/work-orders/<order_id>/jobs/<int:line_no>/clock-corrections", action="workshop.correct_clock")
    def correct_clock(self, request, order_id, line_no):
        """{"minutes": -20, "reason": "忘记暂停"} (the foreman; in the audit trail)."""
        cmd = read_json(request, CorrectClock)
        return self.db.run(
            views.answered_with_view(clock.correct_clock), order_id, line_no, **cmd, actor_id=request.staff.staff_id
        )

    @api("GET", "/jobs/<order_id>/<int:line_no>", action="workshop.view")
    def job_page(self, request, order_id, line_no):
        wo = self.db.read(views.work_order, order_id)
        job = next((j for j in (wo or {}).get("jobs", []) if j["line_no"] == line_no), None)
        if job is None:
            return not_found_page(self.name, request)
        return page(self.name, N_("Job"), "job.html", request, wo=wo, job=job, reasons=PAUSE_REASONS)

    @api("POST", "/jobs/<order_id>/<int:line_no>/start", action="workshop.work_job")
    def start_form(self, request, order_id, line_no):
        return self._clock_form(request, order_id, line_no, "start")

    @api("POST", "/jobs/<order_id>/<int:line_no>/pause", action="workshop.work_job")
    def pause_form(self, request, order_id, line_no):
        return self._clock_form(request, order_id, line_no, "pause")

    @api("POST", "/jobs/<order_id>/<int:line_no>/resume", action="workshop.work_job")
    def resume_form(self, request, order_id, line_no):
        return self._clock_form(request, order_id, line_no, "resume")

    def _clock_form(self, request, order_id, line_no, action):
        reason = request.form.get("reason") or None

        def run():
            cmd = ClockAction().load({"reason": reason})
            return self.db.run(
                clock.clock_job,
                order_id,
                line_no,
                action=action,
                reason=cmd["reason"],
                foreman=request.staff.may("workshop.correct_clock"),
                actor_id=request.staff.staff_id,
            )

        return form_action(request, run, done=f"/jobs/{order_id}/{line_no}", ok=N_("The job clock is updated"))

    @api("POST", "/jobs/<order_id>/<int:line_no>/finish", action="workshop.finish_job")
    def finish_form(self, request, order_id, line_no):
        form = request.form
        body = {
            "self_check": {key[len("check-") :]: True for key in form if key.startswith("check-")},
            "report": {name: form.get(name, "") for name in ("concern", "cause", "correction")},
            "signature": form.get("signature", ""),
        }

        def run():
            return self.db.run(
                clock.finish_job,
                order_id,
                line_no,
                **body,
                foreman=request.staff.may("workshop.correct_clock"),
                actor_id=request.staff.staff_id,
            )

        return form_action(
            request, run, done="/my-jobs", back=f"/jobs/{order_id}/{line_no}", ok=N_("The job is finished and signed")
        )

    @api("POST", "/jobs/<order_id>/<int:line_no>/clock-corrections", action="workshop.correct_clock")
    def correct_form(self, request, order_id, line_no):
        def run():
            cmd = CorrectClock().load(
                {"minutes": request.form.get("minutes", type=int), "reason": request.form.get("reason", "")}
            )
            return self.db.run(clock.correct_clock, order_id, line_no, **cmd, actor_id=request.staff.staff_id)

        return form_action(request, run, done=f"/jobs/{order_id}/{line_no}", ok=N_("The clock is corrected"))
