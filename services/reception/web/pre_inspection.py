"""The pre-inspection area 预检区 (R-RC-8): its self-refreshing screen, cars called onto a free bay, bays freed,
and the service manager's actions on a congestion alert — each a JSON view and a form over one use case."""

from __future__ import annotations

from marshmallow import Schema

from kit.bounds import NOTE, SHORT, Text
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, form_action, fragment, page, read_json

from ..domain import pre_inspection as rules
from ..handlers import arrivals, incidents, pre_inspection
from .forms import pre_inspection_bays

AREA = "/pre-inspection"


class BayChoice(Schema):
    bay = Text(SHORT, load_default=None, allow_none=True)


class CongestionAction(Schema):
    action = Text(SHORT, load_default=None, allow_none=True)
    note = Text(NOTE, load_default=None, allow_none=True)


class PreInspectionWeb:
    """Mixed into services.reception.service.Service (which provides `db`)."""

    def call_next(self, request, bay: str | None):
        return pre_inspection.on_a_free_bay(
            self.db, pre_inspection.call_next, bay, pre_inspection_bays(), actor_id=request.staff.staff_id
        )

    def leave_bay(self, request, visit_id: str):
        return self.db.run(pre_inspection.leave_bay, visit_id, actor_id=request.staff.staff_id)

    def act_on_congestion(self, request, incident_id: int, cmd: dict):
        return self.db.run(incidents.record_action, incident_id, cmd, actor_id=request.staff.staff_id)

    @api("GET", "/api/pre-inspection", action="reception.view")
    def pre_inspection_area(self, request):
        """The pre-inspection bays and the car on each, the cars waiting with their queue tickets, the open
        incident with the actions taken, the latest incidents (R-RC-8)."""
        return self.db.read(pre_inspection.pre_inspection_area, utcnow(), pre_inspection_bays())

    @api("POST", "/api/visits/<visit_id>/pre-inspection", action="reception.check_in")
    def start_pre_inspection(self, request, visit_id):
        """{"bay": "P1"} (or none: the first free bay): the car is taken onto a pre-inspection bay for the
        walk-around, its ticket called; an occupied bay is refused (R-RC-8)."""
        bay = read_json(request, BayChoice)["bay"] or None
        self.db.run(
            pre_inspection.start_pre_inspection, visit_id, bay, pre_inspection_bays(), actor_id=request.staff.staff_id
        )
        return self.db.read(arrivals.visit, visit_id)

    @api("POST", "/api/pre-inspection/call", action="reception.check_in")
    def call_next_ticket(self, request):
        """{"bay": "P2"} (or none: the first free bay): the next ticket is called onto it (R-RC-8)."""
        visit = self.call_next(request, read_json(request, BayChoice)["bay"] or None)
        return self.db.read(arrivals.visit, visit.visit_id)

    @api("POST", "/pre-inspection/call", action="reception.check_in")
    def call_next_form(self, request):
        def called(visit):
            ticket = rules.ticket_label(visit.ticket_no) or visit.plate
            return N_("Ticket {ticket} called to bay {bay}"), {"ticket": ticket, "bay": visit.on_bay}

        return form_action(
            request, lambda: self.call_next(request, request.form.get("bay") or None), done=AREA, ok=called
        )

    @api("POST", "/api/visits/<visit_id>/pre-inspection/leave", action="reception.check_in")
    def leave_pre_inspection_bay(self, request, visit_id):
        """The car has left its pre-inspection bay (the walk-around's completion does this as well)."""
        self.leave_bay(request, visit_id)
        return self.db.read(arrivals.visit, visit_id)

    @api("POST", "/pre-inspection/leave", action="reception.check_in")
    def leave_bay_form(self, request):
        visit_id = request.form.get("visit_id", "")
        return form_action(request, lambda: self.leave_bay(request, visit_id), done=AREA, ok=N_("The bay is free"))

    @api("POST", "/api/pre-inspection/incidents/<int:incident_id>/actions", action="reception.act_on_congestion")
    def record_congestion_action(self, request, incident_id):
        """{"action": "temporary_park_with_ticket" | "move_written_up_cars_to_workshop_waiting_bays", "note": ""}:
        the service manager records what was done about the alert (R-RC-8)."""
        body = read_json(request, CongestionAction)
        self.act_on_congestion(request, incident_id, {"action": body.get("action"), "note": body.get("note")})
        return 201, self.db.read(incidents.incident, incident_id)

    @api("POST", "/pre-inspection/incidents/<int:incident_id>/actions", action="reception.act_on_congestion")
    def congestion_action_form(self, request, incident_id):
        cmd = {"action": request.form.get("action"), "note": request.form.get("note")}
        return form_action(
            request,
            lambda: self.act_on_congestion(request, incident_id, cmd),
            done=AREA,
            ok=N_("The action is recorded"),
        )

    @api("GET", "/pre-inspection", action="reception.view")
    def pre_inspection_page(self, request):
        """The area's screen for the advisors and the service manager; its board refreshes itself (htmx)."""
        return page(self.name, N_("Pre-inspection area"), "pre_inspection.html", request, **self._area(request))

    @api("GET", "/pre-inspection/board", action="reception.view")
    def pre_inspection_board(self, request):
        # the board's forms need the session's CSRF token, which kit.web.fragment does not pass by itself
        area = self._area(request)
        return fragment(self.name, "pre_inspection_board.html", request, csrf_token=request.csrf_token, **area)

    def _area(self, request) -> dict:
        now = utcnow()
        return {
            "area": self.db.read(pre_inspection.pre_inspection_area, now, pre_inspection_bays()),
            "now": now,
            "triggers": rules.TRIGGERS,
            "action_labels": rules.ACTION_LABELS,
            "may_act": request.staff.may("reception.act_on_congestion"),
            "may_call": request.staff.may("reception.check_in"),
        }
