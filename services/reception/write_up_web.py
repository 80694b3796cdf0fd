"""HTTP for the write-up on the advisor's tablet: check-in forms, the walk-around sheet, the odometer change,
complaint and diagnosis, findings and the order's fields — JSON under /api and a Chinese tablet page
(`/visits/<visit_id>`). A mixin of the reception Service (entrypoints only; the use cases are write_up.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.utils import redirect

from contracts import names
from contracts.events import LINE_KINDS
from kit.config import Settings
from kit.errors import DomainError, NotFound
from kit.extensions import on_event
from kit.i18n import N_
from kit.rpc import RpcClient, ServiceUnavailable
from kit.types import utcnow
from kit.web import api, flash, form_errors, page, read_json

from . import handlers, pre_inspection, walk_around, write_up

log = logging.getLogger(__name__)


def pre_inspection_bays() -> tuple[str, ...]:
    """R-RC-8: the pre-inspection bays, from the setting PRE_INSPECTION_BAYS ("P1,P2,P3" by default)."""
    return pre_inspection.bays_setting((Settings.load().raw or {}).get("PRE_INSPECTION_BAYS"))


class Covers(Schema):
    seat = fields.Boolean(load_default=False)
    steering_wheel = fields.Boolean(load_default=False)
    floor = fields.Boolean(load_default=False)
    customer_present = fields.Boolean(load_default=False)
    bay = fields.String(load_default=None)  # the pre-inspection bay, if the car is still waiting (R-RC-8)


class CheckItem(Schema):
    state = fields.String(required=True, validate=validate.OneOf(walk_around.CHECK_STATES))
    note = fields.String(load_default="")


class Valuables(Schema):
    left = fields.Boolean(required=True)
    note = fields.String(load_default="")


class SheetEntries(Schema):
    vin = fields.String(load_default=None)
    mileage_km = fields.Integer(load_default=None, validate=validate.Range(min=0))
    fuel_eighths = fields.Integer(load_default=None)
    checks = fields.Dict(keys=fields.String(), values=fields.Nested(CheckItem), load_default=dict)
    valuables = fields.Nested(Valuables, load_default=None)
    first_service = fields.Boolean(load_default=None)


class DamageMark(Schema):
    zone = fields.String(required=True)
    kind = fields.String(required=True)
    note = fields.String(load_default="")


class OdometerChangeCmd(Schema):
    reason = fields.String(required=True)


class Diagnosis(Schema):
    customer_words = fields.String(load_default=None)
    concern = fields.String(load_default=None)
    cause = fields.String(load_default=None)
    correction = fields.String(load_default=None)
    symptom_codes = fields.List(fields.String(), load_default=None)


class JobLine(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    code = fields.String(required=True, validate=validate.Length(min=1))
    quantity = fields.Decimal(load_default=None)


class Jobs(Schema):
    lines = fields.List(fields.Nested(JobLine), load_default=None)
    symptom = fields.String(load_default=None)


class FindingCmd(Jobs):
    description = fields.String(required=True)


class Decision(Schema):
    accepted = fields.Boolean(required=True)


def _local_datetime(text: str, field: str = "promised_at") -> datetime:
    """A `datetime-local` input in the dealership's time zone, as an aware time."""
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise DomainError(N_("Not a valid datetime."), field=field) from None
    return naive.replace(tzinfo=ZoneInfo(Settings.load().dealer_timezone)) if naive.tzinfo is None else naive


class WriteUpEndpoints:
    """Mixed into services.reception.service.Service (which provides `db` and `orders`)."""

    workshop_rpc = RpcClient(names.WORKSHOP)

    @on_event(names.VEHICLE_DELIVERED)
    def close_visit(self, event):
        """payload: {"invoice_id", "order_id", "delivered_at", …}: the key tag of the visit is released."""
        self.db.handle(event, write_up.close_visit)

    def promise(self, visit_id: str, cmd: dict):
        """R-RC-5: the workshop's promise_time(hours, not_before) for this order's labour hours, asked before
        the order's transaction (never holding it open while waiting); None when the workshop does not answer
        (down, too slow, or no time within its horizon) — then the advisor enters the promise by hand."""
        if cmd.get("promised_at"):
            return no_answer
        hours = self.db.read(write_up.labour_hours, visit_id, cmd.get("lines"))
        if hours is None:
            return no_answer
        now = utcnow()
        try:
            answer = self.workshop_rpc.call("promise_time", hours=str(hours), not_before=now.isoformat())
        except ServiceUnavailable:
            log.warning("workshop did not answer promise_time for visit %s", visit_id)
            return no_answer
        promised = (answer or {}).get("promised_at")
        if not promised:
            return no_answer
        promised = datetime.fromisoformat(promised)

        def asked(h, not_before):
            return promised if h == hours else None  # the jobs changed meanwhile: ask again

        return asked

    # --- JSON API -------------------------------------------------------------------------------------------

    @api("GET", "/api/visits/<visit_id>/walk-around", action="reception.view")
    def get_walk_around(self, request, visit_id):
        """The sheet (R-RC-1..3): covers with times, VIN, mileage, fuel, checks, damage, what is missing."""
        self._visit_or_404(visit_id)
        return self.db.read(write_up.walk_around_view, visit_id)

    @api("POST", "/api/visits/<visit_id>/walk-around/covers", action="reception.walk_around")
    def api_fit_covers(self, request, visit_id):
        """{"seat": true, "steering_wheel": true, "floor": true, "customer_present": true} (R-RC-1)."""
        self.db.run(
            write_up.fit_covers,
            visit_id,
            read_json(request, Covers()),
            pre_inspection_bays(),
            actor_id=request.staff.staff_id,
        )
        return self.db.read(write_up.walk_around_view, visit_id)

    @api("POST", "/api/visits/<visit_id>/walk-around", action="reception.walk_around")
    def api_record_walk_around(self, request, visit_id):
        """Any of {"vin", "mileage_km", "fuel_eighths": 0-8, "checks": {"tyres": {"state": "ok"|"attention",
        "note"}, …}, "valuables": {"left": false}, "first_service": true}."""
        cmd = read_json(request, SheetEntries())
        self.db.run(write_up.record_walk_around, visit_id, cmd, actor_id=request.staff.staff_id)
        return self.db.read(write_up.walk_around_view, visit_id)

    @api("POST", "/api/visits/<visit_id>/walk-around/damages", action="reception.walk_around")
    def api_mark_damage(self, request, visit_id):
        """{"zone": "left_front_door", "kind": "scratch", "note": "…"} on the car diagram."""
        self.db.run(write_up.mark_damage, visit_id, read_json(request, DamageMark()), actor_id=request.staff.staff_id)
        return 201, self.db.read(write_up.walk_around_view, visit_id)

    @api("POST", "/api/visits/<visit_id>/walk-around/damages/<int:index>/remove", action="reception.walk_around")
    def api_remove_damage(self, request, visit_id, index):
        self.db.run(write_up.remove_damage, visit_id, index, actor_id=request.staff.staff_id)
        return self.db.read(write_up.walk_around_view, visit_id)

    @api("POST", "/api/visits/<visit_id>/walk-around/complete", action="reception.walk_around")
    def api_complete_walk_around(self, request, visit_id):
        """Refused (naming the first missing item, all in `missing`) until the sheet is complete."""
        self.db.run(write_up.complete_walk_around, visit_id, actor_id=request.staff.staff_id)
        return self.db.read(write_up.walk_around_view, visit_id)

    @api("POST", "/api/visits/<visit_id>/odometer-change", action="reception.confirm_odometer_change")
    def api_confirm_odometer_change(self, request, visit_id):
        """The service manager: {"reason": "仪表总成更换"}; a lower reading is then accepted (R-RC-2)."""
        cmd = read_json(request, OdometerChangeCmd())
        self.db.run(write_up.confirm_odometer_change, visit_id, cmd, actor_id=request.staff.staff_id)
        return 201, self.db.read(write_up.walk_around_view, visit_id)

    @api("GET", "/api/visits/<visit_id>/write-up", action="reception.view")
    def get_write_up(self, request, visit_id):
        """Everything written so far: sheet, diagnosis, jobs, findings, the knowledge base's suggestions."""
        self._visit_or_404(visit_id)
        return self.db.read(write_up_data, visit_id, request.locale)

    @api("POST", "/api/visits/<visit_id>/diagnosis", action="reception.write_order")
    def api_diagnosis(self, request, visit_id):
        """{"customer_words": "…", "concern": "…", "cause": "…", "correction": "…", "symptom_codes": [...]}"""
        cmd = read_json(request, Diagnosis())
        self.db.run(write_up.record_diagnosis, visit_id, cmd, actor_id=request.staff.staff_id)
        return self.db.read(write_up.write_up_view, visit_id)

    @api("GET", "/api/visits/<visit_id>/suggestions", action="reception.view")
    def api_suggestions(self, request, visit_id):
        """?words=… (else the customer's words): known symptoms, causes, advice and a priced estimate (R-KB-1)."""
        self._visit_or_404(visit_id)
        words = request.args.get("words")
        return {"suggestions": self.db.read(write_up.suggestions, visit_id, words, request.locale)}

    @api("POST", "/api/visits/<visit_id>/jobs", action="reception.write_order")
    def api_add_jobs(self, request, visit_id):
        """{"lines": [{"kind": "labour", "code": "LAB-OIL"}]} or {"symptom": "COLD-ROUGH-IDLE"}."""
        cmd = read_json(request, Jobs())
        self.db.run(write_up.add_jobs, visit_id, cmd, actor_id=request.staff.staff_id)
        return 201, self.db.read(write_up.write_up_view, visit_id)

    @api("POST", "/api/visits/<visit_id>/jobs/<int:index>/remove", action="reception.write_order")
    def api_remove_job(self, request, visit_id, index):
        self.db.run(write_up.remove_job, visit_id, index, actor_id=request.staff.staff_id)
        return self.db.read(write_up.write_up_view, visit_id)

    @api("POST", "/api/visits/<visit_id>/findings", action="reception.write_order")
    def api_propose_finding(self, request, visit_id):
        """{"description": "制动液含水量超标", "lines": [...]} or {"description", "symptom"}: proposed, priced."""
        cmd = read_json(request, FindingCmd())
        self.db.run(write_up.propose_finding, visit_id, cmd, actor_id=request.staff.staff_id)
        return 201, {"findings": self.db.read(write_up.findings, visit_id)}

    @api("POST", "/api/visits/<visit_id>/findings/<int:finding_id>/decision", action="reception.write_order")
    def api_decide_finding(self, request, visit_id, finding_id):
        """{"accepted": true|false}: the customer's answer; declined lines are recorded, not quoted."""
        cmd = read_json(request, Decision())
        self.db.run(write_up.decide_finding, visit_id, finding_id, cmd["accepted"], actor_id=request.staff.staff_id)
        return {"findings": self.db.read(write_up.findings, visit_id)}

    # --- the tablet pages -------------------------------------------------------------------------------------

    @api("POST", "/check-in", action="reception.check_in")
    def check_in_form(self, request):
        """A booked car by appointment or plate, or a walk-in (R-BK-5: the booked advisor receives it)."""
        form = request.form
        if form.get("walk_in"):
            cmd = {
                "customer": {"name": form.get("name", "").strip(), "mobile": form.get("mobile", "")},
                "vehicle": {
                    "vin": form.get("vin", ""),
                    "plate": form.get("plate", ""),
                    "model": form.get("model", "").strip(),
                },
                "advisor_id": form.get("advisor_id") or request.staff.staff_id,
                "complaint": form.get("complaint", "").strip(),
            }
            if not cmd["customer"]["name"]:
                return self._index_refused(request, {"name": [_required(request)]})
            if len(cmd["vehicle"]["plate"].strip()) < 2:
                return self._index_refused(request, {"plate": [_required(request)]})
        else:
            cmd = {"appointment_id": form.get("appointment_id") or None, "plate": form.get("plate") or None}
        try:
            visit = handlers.checked_in(self.db, cmd, actor_id=request.staff.staff_id, tz=Settings.load().tz)
        except DomainError as exc:
            rename = {"customer.mobile": "mobile", "vehicle.vin": "vin", "customer": "name", "vehicle": "plate"}
            return self._index_refused(request, form_errors(exc, request.locale, rename))
        # R-RC-8: the write-up page shows the customer's queue ticket and links its printable copy
        return flash(redirect(f"/visits/{visit.visit_id}", code=303), "ok", N_("Checked in"))

    def _index_refused(self, request, errors):
        return self.index_page(request, errors=errors, form=request.form, status=422)

    @api("GET", "/visits/<visit_id>", action="reception.view")
    def write_up_page(self, request, visit_id):
        """The write-up on the tablet: walk-around, complaint and diagnosis, jobs, findings, the order."""
        return self._write_up_page(request, visit_id)

    @api("POST", "/visits/<visit_id>/covers", action="reception.walk_around")
    def covers_form(self, request, visit_id):
        cmd = {name: bool(request.form.get(name)) for name in (*walk_around.COVERS, "customer_present")}
        cmd["bay"] = request.form.get("bay") or None
        return self._form(
            request, visit_id, write_up.fit_covers, visit_id, cmd, pre_inspection_bays(), ok=N_("Covers recorded")
        )

    @api("POST", "/visits/<visit_id>/walk-around", action="reception.walk_around")
    def walk_around_form(self, request, visit_id):
        form = request.form
        try:
            cmd = {
                "vin": form.get("vin") or None,
                "mileage_km": _integer(form.get("mileage_km"), "mileage_km"),
                "fuel_eighths": _integer(form.get("fuel_eighths"), "fuel_eighths"),
                "checks": {
                    name: {"state": form.get(f"checks.{name}"), "note": form.get(f"checks.{name}.note", "")}
                    for name in walk_around.CHECKS
                    if form.get(f"checks.{name}")
                },
                "valuables": (
                    {"left": form.get("valuables") == "left", "note": form.get("valuables.note", "")}
                    if form.get("valuables")
                    else None
                ),
                "first_service": form.get("first_service") == "yes",
            }
        except DomainError as exc:
            return self._write_up_page(request, visit_id, form_errors(exc, request.locale), status=422)
        return self._form(request, visit_id, write_up.record_walk_around, visit_id, cmd, ok=N_("Walk-around saved"))

    @api("POST", "/visits/<visit_id>/damages", action="reception.walk_around")
    def damage_form(self, request, visit_id):
        cmd = {k: request.form.get(k, "") for k in ("zone", "kind", "note")}
        return self._form(request, visit_id, write_up.mark_damage, visit_id, cmd, ok=N_("Damage marked"))

    @api("POST", "/visits/<visit_id>/damages/<int:index>/remove", action="reception.walk_around")
    def remove_damage_form(self, request, visit_id, index):
        return self._form(request, visit_id, write_up.remove_damage, visit_id, index, ok=N_("Damage mark removed"))

    @api("POST", "/visits/<visit_id>/walk-around/complete", action="reception.walk_around")
    def complete_walk_around_form(self, request, visit_id):
        return self._form(
            request, visit_id, write_up.complete_walk_around, visit_id, ok=N_("The walk-around sheet is complete")
        )

    @api("POST", "/visits/<visit_id>/odometer-change", action="reception.confirm_odometer_change")
    def odometer_change_form(self, request, visit_id):
        cmd = {"reason": request.form.get("reason", "")}
        return self._form(
            request, visit_id, write_up.confirm_odometer_change, visit_id, cmd, ok=N_("Odometer change confirmed")
        )

    @api("POST", "/visits/<visit_id>/diagnosis", action="reception.write_order")
    def diagnosis_form(self, request, visit_id):
        form = request.form
        cmd = {k: form.get(k, "") for k in ("customer_words", "concern", "cause", "correction")}
        cmd["symptom_codes"] = form.getlist("symptom_codes")
        return self._form(request, visit_id, write_up.record_diagnosis, visit_id, cmd, ok=N_("Diagnosis saved"))

    @api("POST", "/visits/<visit_id>/jobs", action="reception.write_order")
    def jobs_form(self, request, visit_id):
        form = request.form
        if form.get("symptom"):
            cmd = {"symptom": form["symptom"]}
        else:
            code = form.get("code", "")
            kind = "part" if code.startswith("part:") else "labour"
            cmd = {"lines": [{"kind": kind, "code": code.split(":", 1)[-1], "quantity": form.get("quantity") or "1"}]}
            if not code:
                return self._write_up_page(request, visit_id, {"code": [_required(request)]}, status=422)
        return self._form(request, visit_id, write_up.add_jobs, visit_id, cmd, ok=N_("Repair items added"))

    @api("POST", "/visits/<visit_id>/jobs/<int:index>/remove", action="reception.write_order")
    def remove_job_form(self, request, visit_id, index):
        return self._form(request, visit_id, write_up.remove_job, visit_id, index, ok=N_("Repair item removed"))

    @api("POST", "/visits/<visit_id>/findings", action="reception.write_order")
    def finding_form(self, request, visit_id):
        form = request.form
        code = form.get("finding_code", "")
        cmd = {"description": form.get("description", "")}
        if code.startswith("symptom:"):
            cmd["symptom"] = code.split(":", 1)[1]
        elif code:
            kind = "part" if code.startswith("part:") else "labour"
            cmd["lines"] = [{"kind": kind, "code": code.split(":", 1)[-1], "quantity": form.get("quantity") or "1"}]
        return self._form(request, visit_id, write_up.propose_finding, visit_id, cmd, ok=N_("Finding proposed"))

    @api("POST", "/visits/<visit_id>/findings/<int:finding_id>/decision", action="reception.write_order")
    def decision_form(self, request, visit_id, finding_id):
        accepted = request.form.get("accepted") == "yes"
        ok = N_("The customer accepted the finding") if accepted else N_("The customer declined the finding")
        return self._form(request, visit_id, write_up.decide_finding, visit_id, finding_id, accepted, ok=ok)

    @api("POST", "/visits/<visit_id>/order", action="reception.write_order")
    def order_form(self, request, visit_id):
        """Writes (or re-writes) the order from the write-up, then the customer reads and signs it."""
        form = request.form
        try:
            cmd = {
                "pay_type": form.get("pay_type") or "customer",
                "key_tag": form.get("key_tag", ""),
                "customer_waits": {"waits": True, "leaves": False}.get(form.get("customer_waits", "")),
                "promised_at": _local_datetime(form["promised_at"]) if form.get("promised_at") else None,
                "promise_note": form.get("promise_note", ""),
            }
            if cmd["customer_waits"] is None:
                raise DomainError(
                    "Does the customer wait in the lounge or leave?", field="customer_waits", code="required"
                )
            promise = self.promise(visit_id, cmd)
            order = self.db.run(handlers.write_order, visit_id, cmd, promise=promise, actor_id=request.staff.staff_id)
        except (DomainError, ValidationError) as exc:
            return self._write_up_page(request, visit_id, form_errors(exc, request.locale), status=422)
        return flash(redirect(f"/orders/{order.order_id}/sign", code=303), "ok", N_("The order is written"))

    def _form(self, request, visit_id, handler, *args, ok: str):
        try:
            self.db.run(handler, *args, actor_id=request.staff.staff_id)
        except (DomainError, ValidationError) as exc:
            return self._write_up_page(request, visit_id, form_errors(exc, request.locale), status=422)
        return flash(redirect(f"/visits/{visit_id}", code=303), "ok", ok)

    def _write_up_page(self, request, visit_id, errors=None, status=200):
        data = self.db.read(write_up_data, visit_id, request.locale)
        if data is None:
            return page(self.name, N_("Not found"), "refused.html", request, status=404, code=404, message="")
        return page(
            self.name,
            N_("Write-up"),
            "visit.html",
            request,
            status=status,
            errors=errors or {},
            form=request.form if request.method == "POST" else {},
            bays=pre_inspection_bays(),
            occupied_bays=self.db.read(handlers.bays_occupied),  # R-RC-8: only a free bay can be chosen
            zones=walk_around.ZONES,
            kinds=walk_around.DAMAGE_KINDS,
            covers=walk_around.COVERS,
            checks=walk_around.CHECKS,
            missing_labels=walk_around.MISSING_LABELS,
            under_bonnet=walk_around.UNDER_BONNET,
            **data,
        )

    def _visit_or_404(self, visit_id):
        if not self.db.read(handlers.visit, visit_id):
            raise NotFound("Visit not found")


def no_answer(hours, not_before):
    """Until the workshop's promise_time answers: nothing, so the advisor enters the promise by hand."""
    return None


def _integer(text, field):
    if text in (None, ""):
        return None
    try:
        return int(str(text).strip())
    except ValueError:
        raise DomainError(N_("Not a valid integer."), field=field) from None


def _required(request):
    from kit.i18n import translate

    return translate("Missing data for required field.", request.locale)


def write_up_data(session, visit_id: str, locale: str = "zh_CN") -> dict | None:
    """What the write-up page and GET /api/visits/<id>/write-up show."""
    visit = handlers.visit(session, visit_id)
    if visit is None:
        return None
    book = handlers.current_price_book(session)
    view = write_up.write_up_view(session, visit_id)
    jobs = []
    for job in view["jobs"]:
        try:
            [line] = write_up._priced([job], book)
        except DomainError:
            line = {**job, "description": "", "amount": None}
        jobs.append(line)
    return {
        "visit": visit,
        "sheet": write_up.walk_around_view(session, visit_id),
        "write_up": view,
        "jobs": jobs,
        "findings": write_up.findings(session, visit_id),
        "suggestions": write_up.suggestions(session, visit_id, None, locale),
        "price_book": (
            {
                "version": book.version,
                "labour": [{"code": c, "name": n, "hours": h} for c, (n, h) in sorted(book.labour.items())],
                "parts": [{"code": c, "name": n, "price": p} for c, (n, p) in sorted(book.parts.items())],
            }
            if book
            else None
        ),
    }
