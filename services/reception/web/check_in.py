"""Check-in and visits: the department's first page, a booked car by appointment or plate, a walk-in
(R-BK-5: the booked advisor receives it), the visits, and the customer's queue ticket 叫号牌 (R-RC-8)."""

from __future__ import annotations

from marshmallow import Schema, fields
from werkzeug.utils import redirect

from kit.bounds import (
    NAME,
    SHORT,
    WORDS,
    CustomerInput,
    Text,
)
from kit.config import Settings
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, flash, form_errors, not_found_page, page, read_json

from ..domain.arrivals import arrivals_by_local_day
from ..handlers import arrivals, pre_inspection
from .forms import dealer_tz, required


class WalkInVehicle(Schema):
    vin = Text(17, required=True)
    plate = Text(16, min_length=2, required=True)
    model = Text(NAME, load_default="")


class CheckIn(Schema):
    appointment_id = Text(SHORT, load_default=None)
    plate = Text(16, load_default=None)
    customer = fields.Nested(CustomerInput, load_default=None)
    vehicle = fields.Nested(WalkInVehicle, load_default=None)
    advisor_id = Text(SHORT, load_default=None)
    complaint = Text(WORDS, load_default="")


# the walk-in form's fields, by the command's names
WALK_IN_FIELDS = {"customer.mobile": "mobile", "vehicle.vin": "vin", "customer": "name", "vehicle": "plate"}


def walk_in_from_form(form, staff_id: str) -> dict:
    return {
        "customer": {"name": form.get("name", "").strip(), "mobile": form.get("mobile", "")},
        "vehicle": {"vin": form.get("vin", ""), "plate": form.get("plate", ""), "model": form.get("model", "").strip()},
        "advisor_id": form.get("advisor_id") or staff_id,
        "complaint": form.get("complaint", "").strip(),
    }


class CheckInWeb:
    """Mixed into services.reception.service.Service (which provides `db`)."""

    def check_in_visit(self, request, cmd: dict):
        """The one check-in use case behind the JSON view and the form (the queue ticket race settled)."""
        return arrivals.checked_in(self.db, cmd, actor_id=request.staff.staff_id, tz=dealer_tz())

    @api("POST", "/api/visits", action="reception.check_in")
    def check_in(self, request):
        """{"appointment_id": "…"} for a booked car, or a walk-in: {"customer": {"name", "mobile"},
        "vehicle": {"vin", "plate", "model"}, "advisor_id": "A001", "complaint": "…"}"""
        cmd = read_json(request, CheckIn)
        if cmd.get("customer") and not cmd.get("advisor_id") and "service_advisor" in request.staff.roles:
            cmd["advisor_id"] = request.staff.staff_id  # a walk-in is received by the advisor checking it in
        visit = self.check_in_visit(request, cmd)
        return 201, arrivals.visit_view(visit, None)  # what was written (a visit just checked in has no order yet)

    @api("POST", "/check-in", action="reception.check_in")
    def check_in_form(self, request):
        """A booked car by appointment or plate, or a walk-in (R-BK-5: the booked advisor receives it)."""
        form = request.form
        if form.get("walk_in"):
            cmd = walk_in_from_form(form, request.staff.staff_id)
            if not cmd["customer"]["name"]:
                return self.index_page(request, {"name": [required(request)]}, form, status=422)
            if len(cmd["vehicle"]["plate"].strip()) < 2:
                return self.index_page(request, {"plate": [required(request)]}, form, status=422)
        else:
            cmd = {"appointment_id": form.get("appointment_id") or None, "plate": form.get("plate") or None}
        try:
            visit = self.check_in_visit(request, cmd)
        except DomainError as exc:
            return self.index_page(request, form_errors(exc, request.locale, WALK_IN_FIELDS), form, status=422)
        # R-RC-8: the write-up page shows the customer's queue ticket and links its printable copy
        return flash(redirect(f"/visits/{visit.visit_id}", code=303), "ok", N_("Checked in"))

    @api("GET", "/api/expected-arrivals", action="reception.view")
    def expected_arrivals(self, request):
        """?appointment_id=… for one; otherwise the cars not yet arrived, earliest first."""
        return {"expected_arrivals": self.db.read(arrivals.expected_arrivals, request.args.get("appointment_id"))}

    @api("GET", "/api/visits", action="reception.view")
    def list_visits(self, request):
        return {"visits": self.db.read(arrivals.visits)}

    @api("GET", "/api/visits/<visit_id>", action="reception.view")
    def get_visit(self, request, visit_id):
        return self.visit_or_404(visit_id)

    def visit_or_404(self, visit_id: str) -> dict:
        view = self.db.read(arrivals.visit, visit_id)
        if not view:
            raise NotFound("Visit not found")
        return view

    @api("GET", "/visits/<visit_id>/ticket", action="reception.view")
    def ticket_page(self, request, visit_id):
        """The customer's queue ticket 叫号牌, to print at check-in (R-RC-8)."""
        visit = self.db.read(arrivals.visit, visit_id)
        if visit is None:
            return not_found_page(self.name, request)
        ahead = self.db.read(pre_inspection.cars_ahead, visit_id)
        return page(self.name, N_("Queue ticket"), "ticket.html", request, visit=visit, ahead=ahead)

    @api("GET", "/", action="reception.view")
    def index(self, request):
        return self.index_page(request)

    def index_page(self, request, errors=None, form=None, status=200):
        expected = self.db.read(arrivals.expected_arrivals)
        today, other_days = arrivals_by_local_day(expected, utcnow(), Settings.load().tz)
        return page(
            self.name,
            N_("Check-in and work orders"),
            "index.html",
            request,
            status=status,
            arrivals=today,
            other_arrivals=other_days,
            visits=self.db.read(arrivals.visits),
            errors=errors or {},
            form=form or {},
        )
