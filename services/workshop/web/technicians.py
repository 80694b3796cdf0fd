"""The foreman's technicians page 技师: skills and shifts (R-WS-7; the people come from the staff directory)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kit.i18n import N_
from kit.web import api, form_action, page, read_json

from ..domain.capacity import SKILLS
from ..handlers import floor


class Skills(Schema):
    skills = fields.List(fields.String(validate=validate.OneOf(tuple(SKILLS))), required=True)
    shift_starts = fields.Time(load_default=None, allow_none=True)
    shift_ends = fields.Time(load_default=None, allow_none=True)


class TechnicianViews:
    """Mixed into service.Service (its `db` is the kit Database)."""

    @api("GET", "/api/technicians", action="workshop.view")
    def technicians_json(self, request):
        return {"technicians": self.db.read(floor.technicians)}

    @api("PUT", "/api/technicians/<technician_id>", action="workshop.edit_technicians")
    def set_skills(self, request, technician_id):
        """{"skills": ["mechanical", "quick"], "shift_starts": "10:00", "shift_ends": null} (the foreman)"""
        cmd = read_json(request, Skills)
        self.db.run(floor.set_skills, technician_id, **cmd, actor_id=request.staff.staff_id)
        return next(t for t in self.db.read(floor.technicians) if t["technician_id"] == technician_id)

    @api("GET", "/technicians", action="workshop.view")
    def technicians_page(self, request):
        return page(
            self.name,
            N_("Technicians"),
            "technicians.html",
            request,
            technicians=self.db.read(floor.technicians),
            skills=SKILLS,
        )

    @api("POST", "/technicians/<technician_id>", action="workshop.edit_technicians")
    def skills_form(self, request, technician_id):
        def run():
            cmd = Skills().load(
                {
                    "skills": request.form.getlist("skills"),
                    "shift_starts": request.form.get("shift_starts") or None,
                    "shift_ends": request.form.get("shift_ends") or None,
                }
            )
            return self.db.run(floor.set_skills, technician_id, **cmd, actor_id=request.staff.staff_id)

        return form_action(request, run, done="/technicians", ok=N_("Skills and shift saved"))
