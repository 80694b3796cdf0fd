"""The service manager's review of each congestion incident and the monthly summary with its charts (R-RC-8)."""

from __future__ import annotations

from marshmallow import Schema

from kit.bounds import NOTE, SHORT, WORDS, Text
from kit.config import Settings
from kit.errors import DomainError
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, form_action, not_found_page, page, read_json

from ..domain import complaints
from ..domain import pre_inspection as rules
from ..domain.incidents import REVIEW_FIELDS, chart_rows, month_of
from ..handlers import incidents


class ReviewIncident(Schema):
    root_cause = Text(SHORT, load_default=None, allow_none=True)
    root_cause_note = Text(NOTE, load_default=None, allow_none=True)
    responsible_id = Text(SHORT, load_default=None, allow_none=True)
    actions = Text(WORDS, load_default=None, allow_none=True)


def congestion_fine():
    """CONGESTION_FINE_YUAN: the fine per car for a complaint caused by congestion (R-RC-8a), 50 by default."""
    return complaints.fine_setting((Settings.load().raw or {}).get("CONGESTION_FINE_YUAN"))


class IncidentsWeb:
    """Mixed into services.reception.service.Service (which provides `db`)."""

    def review(self, request, incident_id: int, cmd: dict):
        return self.db.run(incidents.review, incident_id, cmd, actor_id=request.staff.staff_id)

    def complaint(self, request, incident_id: int, cmd: dict):
        return self.db.run(incidents.record_complaint, incident_id, cmd, actor_id=request.staff.staff_id)

    @api("POST", "/api/pre-inspection/incidents/<int:incident_id>/complaints", action="reception.review_incident")
    def record_complaint(self, request, incident_id):
        """{"plate": "沪A12345", "note": "排队太久"}: a complaint caused by this congestion; the monthly summary
        fines the incident's responsible person per car (CONGESTION_FINE_YUAN, 50 by default; R-RC-8a)."""
        body = read_json(request)
        self.complaint(request, incident_id, {"plate": body.get("plate"), "note": body.get("note")})
        return 201, self.db.read(incidents.incident, incident_id)

    @api("POST", "/pre-inspection/incidents/<int:incident_id>/complaints", action="reception.review_incident")
    def complaint_form(self, request, incident_id):
        cmd = {"plate": request.form.get("plate"), "note": request.form.get("note")}
        return form_action(
            request,
            lambda: self.complaint(request, incident_id, cmd),
            done=f"/pre-inspection/incidents/{incident_id}",
            ok=N_("The complaint is recorded"),
        )

    @api("GET", "/api/pre-inspection/summary", action="reception.view")
    def congestion_summary(self, request):
        """?month=2026-11 (default: this month): counts, average/longest waits, causes, responsible, per day,
        and the fines for complaints caused by congestion (R-RC-8a)."""
        tz, now = Settings.load().tz, utcnow()
        month = month_of(request.args.get("month"), now, tz)
        return self.db.read(incidents.monthly_summary, month, tz, now, congestion_fine())

    @api("GET", "/pre-inspection/summary", action="reception.view")
    def congestion_summary_page(self, request):
        settings, now = Settings.load(), utcnow()
        tz = settings.tz
        fine = congestion_fine()
        try:
            report = self.db.read(
                incidents.monthly_summary, month_of(request.args.get("month"), now, tz), tz, now, fine
            )
        except DomainError:  # a malformed ?month= shows this month
            report = self.db.read(incidents.monthly_summary, month_of(None, now, tz), tz, now, fine)
        return page(
            self.name,
            N_("Pre-inspection area: monthly summary"),
            "congestion_summary.html",
            request,
            report=report,
            charts=chart_rows(report, request.locale, settings.dealer_timezone),
            causes=rules.ROOT_CAUSES,
            triggers=rules.TRIGGERS,
            action_labels=rules.ACTION_LABELS,
            may_review=request.staff.may("reception.review_incident"),
        )

    @api("POST", "/api/pre-inspection/incidents/<int:incident_id>/review", action="reception.review_incident")
    def review_incident(self, request, incident_id):
        """{"root_cause": "walk_ins", "root_cause_note": "", "responsible_id": "A001", "actions": "分流到临时停车区"}"""
        body = read_json(request, ReviewIncident)
        self.review(request, incident_id, {key: body.get(key) for key in REVIEW_FIELDS})
        return self.db.read(incidents.incident, incident_id)

    @api("GET", "/pre-inspection/incidents/<int:incident_id>", action="reception.review_incident")
    def incident_page(self, request, incident_id):
        return self._incident_page(request, incident_id, None, {})

    @api("POST", "/pre-inspection/incidents/<int:incident_id>", action="reception.review_incident")
    def incident_form(self, request, incident_id):
        values = {key: request.form.get(key, "") for key in REVIEW_FIELDS}

        def summary_of_its_month(_incident) -> str:
            raised_at = self.db.read(incidents.incident, incident_id)["raised_at"]
            return f"/pre-inspection/summary?month={raised_at.astimezone(Settings.load().tz):%Y-%m}"

        return form_action(
            request,
            lambda: self.review(request, incident_id, values),
            done=summary_of_its_month,
            ok=N_("The incident review is recorded"),
            form_page=lambda errors, status: self._incident_page(request, incident_id, values, errors, status),
        )

    def _incident_page(self, request, incident_id, values, errors, status=200):
        incident = self.db.read(incidents.incident, incident_id)
        if incident is None:
            return not_found_page(self.name, request)
        return page(
            self.name,
            N_("Review the congestion incident"),
            "congestion_review.html",
            request,
            status=status,
            incident=incident,
            values=values if values is not None else {key: incident[key] or "" for key in REVIEW_FIELDS},
            errors=errors,
            causes=rules.ROOT_CAUSES,
            triggers=rules.TRIGGERS,
            action_labels=rules.ACTION_LABELS,
            month=f"{incident['raised_at'].astimezone(Settings.load().tz):%Y-%m}",
        )
