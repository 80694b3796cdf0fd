"""The walk-around sheet on the tablet (R-RC-1..3): covers fitted in front of the customer (taking the car onto a
pre-inspection bay, R-RC-8), VIN, mileage and the odometer change a service manager confirms, fuel, checks,
damage on the car diagram. Each form and its JSON view run the same use case (handlers/walk_around.py)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kit.bounds import (
    MAX_MILEAGE_KM,
    NOTE,
    SHORT,
    Choice,
    Count,
    Text,
)
from kit.i18n import N_
from kit.web import api, read_json

from ..domain import walk_around as rules
from ..handlers import pre_inspection, walk_around
from .forms import integer, pre_inspection_bays
from .write_up import write_up_form


class Covers(Schema):
    seat = fields.Boolean(load_default=False)
    steering_wheel = fields.Boolean(load_default=False)
    floor = fields.Boolean(load_default=False)
    customer_present = fields.Boolean(load_default=False)
    bay = Text(SHORT, load_default=None)  # the pre-inspection bay, if the car is still waiting (R-RC-8)


class CheckItem(Schema):
    state = Choice(rules.CHECK_STATES, required=True)
    note = Text(NOTE, load_default="")


class Valuables(Schema):
    left = fields.Boolean(required=True)
    note = Text(NOTE, load_default="")


class SheetEntries(Schema):
    vin = Text(17, load_default=None)
    mileage_km = Count(maximum=MAX_MILEAGE_KM, load_default=None)
    fuel_eighths = Count(minimum=-99, maximum=99, load_default=None)  # 0..8: the domain names the gauge
    checks = fields.Dict(
        keys=Text(SHORT), values=fields.Nested(CheckItem), load_default=dict, validate=validate.Length(max=40)
    )
    valuables = fields.Nested(Valuables, load_default=None)
    first_service = fields.Boolean(load_default=None)


class DamageMark(Schema):
    zone = Text(SHORT, required=True)
    kind = Text(SHORT, required=True)
    note = Text(NOTE, load_default="")


class OdometerChangeCmd(Schema):
    reason = Text(NOTE, required=True)


def sheet_entries_from_form(form) -> dict:
    """The sheet's form as SheetEntries reads it (a number that is not one is refused naming its field)."""
    return {
        "vin": form.get("vin") or None,
        "mileage_km": integer(form.get("mileage_km"), "mileage_km"),
        "fuel_eighths": integer(form.get("fuel_eighths"), "fuel_eighths"),
        "checks": {
            name: {"state": form.get(f"checks.{name}"), "note": form.get(f"checks.{name}.note", "")}
            for name in rules.CHECKS
            if form.get(f"checks.{name}")
        },
        "valuables": (
            {"left": form.get("valuables") == "left", "note": form.get("valuables.note", "")}
            if form.get("valuables")
            else None
        ),
        "first_service": form.get("first_service") == "yes",
    }


answered = walk_around.answered  # a command's answer: the sheet as it wrote it


class WalkAroundWeb:
    """Mixed into services.reception.service.Service (which provides `db`)."""

    def sheet(self, visit_id: str) -> dict:
        return self.db.read(walk_around.walk_around_view, visit_id)

    @api("GET", "/api/visits/<visit_id>/walk-around", action="reception.view")
    def get_walk_around(self, request, visit_id):
        """The sheet (R-RC-1..3): covers with times, VIN, mileage, fuel, checks, damage, what is missing."""
        self.visit_or_404(visit_id)
        return self.sheet(visit_id)

    @api("POST", "/api/visits/<visit_id>/walk-around/covers", action="reception.walk_around")
    def api_fit_covers(self, request, visit_id):
        """{"seat": true, "steering_wheel": true, "floor": true, "customer_present": true} (R-RC-1)."""
        cmd = read_json(request, Covers)
        fit_covers = walk_around.answered(walk_around.fit_covers)
        bays = pre_inspection_bays()
        return pre_inspection.on_a_free_bay(self.db, fit_covers, visit_id, cmd, bays, actor_id=request.staff.staff_id)

    @api("POST", "/visits/<visit_id>/covers", action="reception.walk_around")
    def covers_form(self, request, visit_id):
        cmd = {name: bool(request.form.get(name)) for name in (*rules.COVERS, "customer_present")}
        cmd["bay"] = request.form.get("bay") or None
        bays = pre_inspection_bays()
        return write_up_form(
            self, request, visit_id, walk_around.fit_covers, visit_id, cmd, bays, ok=N_("Covers recorded")
        )

    @api("POST", "/api/visits/<visit_id>/walk-around", action="reception.walk_around")
    def api_record_walk_around(self, request, visit_id):
        """Any of {"vin", "mileage_km", "fuel_eighths": 0-8, "checks": {"tyres": {"state": "ok"|"attention",
        "note"}, …}, "valuables": {"left": false}, "first_service": true}."""
        cmd = read_json(request, SheetEntries)
        return self.db.run(answered(walk_around.record_walk_around), visit_id, cmd, actor_id=request.staff.staff_id)

    @api("POST", "/visits/<visit_id>/walk-around", action="reception.walk_around")
    def walk_around_form(self, request, visit_id):
        return write_up_form(
            self,
            request,
            visit_id,
            walk_around.record_walk_around,
            visit_id,
            command=lambda: sheet_entries_from_form(request.form),
            ok=N_("Walk-around saved"),
        )

    @api("POST", "/api/visits/<visit_id>/walk-around/damages", action="reception.walk_around")
    def api_mark_damage(self, request, visit_id):
        """{"zone": "left_front_door", "kind": "scratch", "note": "…"} on the car diagram."""
        cmd = read_json(request, DamageMark)
        return 201, self.db.run(answered(walk_around.mark_damage), visit_id, cmd, actor_id=request.staff.staff_id)

    @api("POST", "/visits/<visit_id>/damages", action="reception.walk_around")
    def damage_form(self, request, visit_id):
        cmd = {k: request.form.get(k, "") for k in ("zone", "kind", "note")}
        return write_up_form(self, request, visit_id, walk_around.mark_damage, visit_id, cmd, ok=N_("Damage marked"))

    @api("POST", "/api/visits/<visit_id>/walk-around/damages/<int:index>/remove", action="reception.walk_around")
    def api_remove_damage(self, request, visit_id, index):
        return self.db.run(answered(walk_around.remove_damage), visit_id, index, actor_id=request.staff.staff_id)

    @api("POST", "/visits/<visit_id>/damages/<int:index>/remove", action="reception.walk_around")
    def remove_damage_form(self, request, visit_id, index):
        return write_up_form(
            self, request, visit_id, walk_around.remove_damage, visit_id, index, ok=N_("Damage mark removed")
        )

    @api("POST", "/api/visits/<visit_id>/walk-around/complete", action="reception.walk_around")
    def api_complete_walk_around(self, request, visit_id):
        """Refused (naming the first missing item, all in `missing`) until the sheet is complete."""
        return self.db.run(answered(walk_around.complete_walk_around), visit_id, actor_id=request.staff.staff_id)

    @api("POST", "/visits/<visit_id>/walk-around/complete", action="reception.walk_around")
    def complete_walk_around_form(self, request, visit_id):
        ok = N_("The walk-around sheet is complete")
        return write_up_form(self, request, visit_id, walk_around.complete_walk_around, visit_id, ok=ok)

    @api("POST", "/api/visits/<visit_id>/odometer-change", action="reception.confirm_odometer_change")
    def api_confirm_odometer_change(self, request, visit_id):
        """The service manager: {"reason": "仪表总成更换"}; a lower reading is then accepted (R-RC-2)."""
        cmd = read_json(request, OdometerChangeCmd)
        change = answered(walk_around.confirm_odometer_change)
        return 201, self.db.run(change, visit_id, cmd, actor_id=request.staff.staff_id)

    @api("POST", "/visits/<visit_id>/odometer-change", action="reception.confirm_odometer_change")
    def odometer_change_form(self, request, visit_id):
        cmd = {"reason": request.form.get("reason", "")}
        ok = N_("Odometer change confirmed")
        return write_up_form(self, request, visit_id, walk_around.confirm_odometer_change, visit_id, cmd, ok=ok)
