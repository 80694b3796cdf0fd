"""The gate on the way in (R-RC-8a), on the security guard's page: each arriving car recorded (the check-in use
case, by plate for a booked car) and guided at once to a free pre-inspection bay (the pre-inspection use case),
the bays and the waiting line in view, and the congestion alert raised to the service manager from the page
(the area's watch: four or more cars waiting, or one waiting over 20 minutes)."""

from __future__ import annotations

from werkzeug.utils import redirect

from kit.errors import DomainError
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, flash, page, read_json

from ..handlers import arrivals, pre_inspection
from .forms import dealer_tz, pre_inspection_bays

GATE_IN = "/gate-in"


class GateInWeb:
    """Mixed into services.reception.service.Service (which provides `db`)."""

    def _arrive(self, request, plate: str) -> dict:
        """Record the arriving booked car and guide it to the first free bay; with none free it waits with
        its queue ticket (R-RC-8)."""
        staff = request.staff.staff_id
        visit = arrivals.checked_in(self.db, {"plate": plate}, actor_id=staff, tz=dealer_tz())
        bays = pre_inspection_bays()
        free = [
            b["bay"] for b in self.db.read(pre_inspection.pre_inspection_area, utcnow(), bays)["bays"] if not b["visit"]
        ]
        if free:
            self.db.run(pre_inspection.start_pre_inspection, visit.visit_id, free[0], bays, actor_id=staff)
        return self.db.read(arrivals.visit, visit.visit_id)

    def _alert(self, request):
        return self.db.run(pre_inspection.watch_pre_inspection, actor_id=request.staff.staff_id)

    @api("GET", "/api/gate-in", action="reception.gate_in")
    def gate_in_area(self, request):
        """The bays and the waiting line as the guard sees them (R-RC-8a)."""
        return self.db.read(pre_inspection.pre_inspection_area, utcnow(), pre_inspection_bays())

    @api("POST", "/api/gate-in", action="reception.gate_in")
    def gate_in(self, request):
        """{"plate": "沪A12345"}: the booked car recorded and guided to a free pre-inspection bay (`on_bay`), or
        waiting with its ticket when every bay is taken."""
        plate = str(read_json(request).get("plate") or "")
        if not 2 <= len(plate.strip()) <= 16:
            raise DomainError(N_("Give the plate of the arriving car"), field="plate")
        return 201, self._arrive(request, plate)

    @api("POST", "/api/gate-in/alert", action="reception.gate_in")
    def gate_in_alert(self, request):
        """The guard alerts the service manager: an incident is raised when the area is congested (R-RC-8)."""
        incident = self._alert(request)
        return {"alerted": incident is not None, "incident_id": incident.id if incident else None}

    @api("GET", GATE_IN, action="reception.gate_in")
    def gate_in_page(self, request):
        area = self.db.read(pre_inspection.pre_inspection_area, utcnow(), pre_inspection_bays())
        return page(self.name, N_("Gate: arriving cars"), "gate_in.html", request, **area)

    @api("POST", GATE_IN, action="reception.gate_in")
    def gate_in_form(self, request):
        plate = request.form.get("plate", "")
        try:
            if not 2 <= len(plate.strip()) <= 16:
                raise DomainError(N_("Give the plate of the arriving car"), field="plate")
            visit = self._arrive(request, plate)
        except DomainError as exc:
            return flash(redirect(GATE_IN, code=303), "error", exc.msgid, **exc.params)
        if visit.get("on_bay"):
            return flash(
                redirect(GATE_IN, code=303), "ok", N_("{plate}: to bay {bay}"), plate=plate, bay=visit["on_bay"]
            )
        return flash(redirect(GATE_IN, code=303), "ok", N_("{plate}: every bay is taken, the car waits"), plate=plate)

    @api("POST", GATE_IN + "/alert", action="reception.gate_in")
    def gate_in_alert_form(self, request):
        if self._alert(request) is None:
            return flash(
                redirect(GATE_IN, code=303),
                "error",
                N_("The area is not congested (fewer than four cars waiting, none over 20 minutes)"),
            )
        return flash(redirect(GATE_IN, code=303), "ok", N_("The service manager is alerted"))
