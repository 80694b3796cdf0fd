"""The write-up on the advisor's tablet (`/visits/<visit_id>`, JSON under /api/visits/<visit_id>/…): complaint
and diagnosis with the knowledge base's suggestions (R-RC-4, R-KB-1), jobs, findings the customer accepts or
declines. Each form and its JSON view run the same use case (handlers/write_up.py)."""

from __future__ import annotations

from marshmallow import Schema, fields

from kit.bounds import (
    SHORT,
    WORDS,
    Items,
    Text,
)
from kit.i18n import N_
from kit.web import api, form_action, not_found_page, page, read_json

from ..domain import walk_around as sheet_rules
from ..handlers import pre_inspection, write_up
from .forms import RequestedLine, line_from_form, pre_inspection_bays, required


class Diagnosis(Schema):
    customer_words = Text(WORDS, load_default=None)
    concern = Text(WORDS, load_default=None)
    cause = Text(WORDS, load_default=None)
    correction = Text(WORDS, load_default=None)
    symptom_codes = Items(Text(SHORT), load_default=None)


class Jobs(Schema):
    lines = Items(fields.Nested(RequestedLine), load_default=None)
    symptom = Text(SHORT, load_default=None)


class FindingCmd(Jobs):
    description = Text(WORDS, required=True)


class Decision(Schema):
    accepted = fields.Boolean(required=True)


def visit_page(svc, request, visit_id: str, errors: dict | None = None, status: int = 200):
    """The write-up page, again with the errors of a refused form beside their fields (its input kept)."""
    data = svc.db.read(write_up.write_up_data, visit_id, request.locale)
    if data is None:
        return not_found_page(svc.name, request)
    return page(
        svc.name,
        N_("Write-up"),
        "visit.html",
        request,
        status=status,
        errors=errors or {},
        form=request.form if request.method == "POST" else {},
        bays=pre_inspection_bays(),
        occupied_bays=svc.db.read(pre_inspection.bays_occupied),  # R-RC-8: only a free bay can be chosen
        zones=sheet_rules.ZONES,
        kinds=sheet_rules.DAMAGE_KINDS,
        covers=sheet_rules.COVERS,
        checks=sheet_rules.CHECKS,
        missing_labels=sheet_rules.MISSING_LABELS,
        under_bonnet=sheet_rules.UNDER_BONNET,
        **data,
    )


def write_up_form(svc, request, visit_id: str, use_case, *args, ok: str, command=None):
    """A form of the write-up page: `use_case(uow, *args[, command()])`, back to the page with `ok` flashed, or
    the page again with the refusal beside its field. `command` reads the form (its refusals shown the same way)."""

    def run():
        extra = (command(),) if command is not None else ()
        return svc.db.run(use_case, *args, *extra, actor_id=request.staff.staff_id)

    return form_action(
        request,
        run,
        done=f"/visits/{visit_id}",
        ok=ok,
        form_page=lambda errors, status: visit_page(svc, request, visit_id, errors, status),
    )


class WriteUpWeb:
    """Mixed into services.reception.service.Service (which provides `db`)."""

    @api("GET", "/visits/<visit_id>", action="reception.view")
    def write_up_page(self, request, visit_id):
        """The write-up on the tablet: walk-around, complaint and diagnosis, jobs, findings, the order."""
        return visit_page(self, request, visit_id)

    @api("GET", "/api/visits/<visit_id>/write-up", action="reception.view")
    def get_write_up(self, request, visit_id):
        """Everything written so far: sheet, diagnosis, jobs, findings, the knowledge base's suggestions."""
        self.visit_or_404(visit_id)
        return self.db.read(write_up.write_up_data, visit_id, request.locale)

    @api("GET", "/api/visits/<visit_id>/suggestions", action="reception.view")
    def api_suggestions(self, request, visit_id):
        """?words=… (else the customer's words): known symptoms, causes, advice and a priced estimate (R-KB-1)."""
        self.visit_or_404(visit_id)
        words = request.args.get("words")
        return {"suggestions": self.db.read(write_up.suggestions, visit_id, words, request.locale)}

    @api("POST", "/api/visits/<visit_id>/diagnosis", action="reception.write_order")
    def api_diagnosis(self, request, visit_id):
        """{"customer_words": "…", "concern": "…", "cause": "…", "correction": "…", "symptom_codes": [...]}"""
        cmd = read_json(request, Diagnosis)
        self.db.run(write_up.record_diagnosis, visit_id, cmd, actor_id=request.staff.staff_id)
        return self.db.read(write_up.write_up_view, visit_id)

    @api("POST", "/visits/<visit_id>/diagnosis", action="reception.write_order")
    def diagnosis_form(self, request, visit_id):
        form = request.form
        cmd = {k: form.get(k, "") for k in ("customer_words", "concern", "cause", "correction")}
        cmd["symptom_codes"] = form.getlist("symptom_codes")
        return write_up_form(
            self, request, visit_id, write_up.record_diagnosis, visit_id, cmd, ok=N_("Diagnosis saved")
        )

    @api("POST", "/api/visits/<visit_id>/jobs", action="reception.write_order")
    def api_add_jobs(self, request, visit_id):
        """{"lines": [{"kind": "labour", "code": "LAB-OIL"}]} or {"symptom": "COLD-ROUGH-IDLE"}."""
        cmd = read_json(request, Jobs)
        self.db.run(write_up.add_jobs, visit_id, cmd, actor_id=request.staff.staff_id)
        return 201, self.db.read(write_up.write_up_view, visit_id)

    @api("POST", "/visits/<visit_id>/jobs", action="reception.write_order")
    def jobs_form(self, request, visit_id):
        form = request.form
        if form.get("symptom"):
            cmd = {"symptom": form["symptom"]}
        elif not form.get("code"):
            return visit_page(self, request, visit_id, {"code": [required(request)]}, status=422)
        else:
            cmd = {"lines": [line_from_form(form["code"], form.get("quantity"))]}
        return write_up_form(self, request, visit_id, write_up.add_jobs, visit_id, cmd, ok=N_("Repair items added"))

    @api("POST", "/api/visits/<visit_id>/jobs/<int:index>/remove", action="reception.write_order")
    def api_remove_job(self, request, visit_id, index):
        self.db.run(write_up.remove_job, visit_id, index, actor_id=request.staff.staff_id)
        return self.db.read(write_up.write_up_view, visit_id)

    @api("POST", "/visits/<visit_id>/jobs/<int:index>/remove", action="reception.write_order")
    def remove_job_form(self, request, visit_id, index):
        return write_up_form(
            self, request, visit_id, write_up.remove_job, visit_id, index, ok=N_("Repair item removed")
        )

    @api("POST", "/api/visits/<visit_id>/findings", action="reception.write_order")
    def api_propose_finding(self, request, visit_id):
        """{"description": "制动液含水量超标", "lines": [...]} or {"description", "symptom"}: proposed, priced."""
        cmd = read_json(request, FindingCmd)
        self.db.run(write_up.propose_finding, visit_id, cmd, actor_id=request.staff.staff_id)
        return 201, {"findings": self.db.read(write_up.findings, visit_id)}

    @api("POST", "/visits/<visit_id>/findings", action="reception.write_order")
    def finding_form(self, request, visit_id):
        form = request.form
        code = form.get("finding_code", "")
        cmd = {"description": form.get("description", "")}
        if code.startswith("symptom:"):
            cmd["symptom"] = code.split(":", 1)[1]
        elif code:
            cmd["lines"] = [line_from_form(code, form.get("quantity"))]
        return write_up_form(
            self, request, visit_id, write_up.propose_finding, visit_id, cmd, ok=N_("Finding proposed")
        )

    @api("POST", "/api/visits/<visit_id>/findings/<int:finding_id>/decision", action="reception.write_order")
    def api_decide_finding(self, request, visit_id, finding_id):
        """{"accepted": true|false}: the customer's answer; declined lines are recorded, not quoted."""
        cmd = read_json(request, Decision)
        self.db.run(write_up.decide_finding, visit_id, finding_id, cmd["accepted"], actor_id=request.staff.staff_id)
        return {"findings": self.db.read(write_up.findings, visit_id)}

    @api("POST", "/visits/<visit_id>/findings/<int:finding_id>/decision", action="reception.write_order")
    def decision_form(self, request, visit_id, finding_id):
        accepted = request.form.get("accepted") == "yes"
        ok = N_("The customer accepted the finding") if accepted else N_("The customer declined the finding")
        return write_up_form(self, request, visit_id, write_up.decide_finding, visit_id, finding_id, accepted, ok=ok)
