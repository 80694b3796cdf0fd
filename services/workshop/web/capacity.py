"""The workshop's load 产能负荷 (R-BK-10, R-WS-7): by hour and by day as JSON and as the page with its charts, and
one appointment's hold."""

from __future__ import annotations

from datetime import date

from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, page

from ..domain.capacity import SKILLS, chart_rows
from ..handlers import load
from ..handlers.capacity_rpc import capacity_settings

A_YEAR = 366


def load_day(request, tz, within_a_year: bool = False) -> date:
    """?day=YYYY-MM-DD, default today in the dealership's time; `within_a_year`: refused further from today."""
    today = utcnow().astimezone(tz).date()
    raw = request.args.get("day", "")
    if not raw:
        return today
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise DomainError(N_("Give the date as YYYY-MM-DD"), field="day") from None
    if within_a_year and abs((day - today).days) > A_YEAR:
        raise DomainError(N_("Give a day within a year of today"), field="day", code="day")
    return day


class CapacityViews:
    """Mixed into service.Service (its `db` is the kit Database)."""

    @api("GET", "/api/capacity", action="workshop.view")
    def capacity_load(self, request):
        """?day=2026-12-01 (default today) -> {"by_hour": [{"label": "09:00", "booked_hours", "bookable_hours",
        "capacity_hours", "by_skill"}], "by_day": [… 14 days …]}"""
        return self._load(request)

    @api("GET", "/load", action="workshop.view")
    def load_page(self, request):
        """The load view with its charts (R-WS-7: the bay and technician load is visible)."""
        view = self._load(request)
        hour_rows, day_rows = chart_rows(view)
        return page(
            self.name,
            N_("Workshop load"),
            "load.html",
            request,
            load=view,
            skills=SKILLS,
            hour_rows=hour_rows,
            day_rows=day_rows,
        )

    def _load(self, request) -> dict:
        rules, tz = capacity_settings()
        return self.db.read(load.load_view, load_day(request, tz), utcnow(), rules=rules, tz=tz)

    @api("GET", "/api/capacity/holds/<appointment_id>", action="workshop.view")
    def capacity_hold(self, request, appointment_id):
        """The capacity held for one appointment: status (held, confirmed, released, expired) and its hours."""
        view = self.db.read(load.hold_view, appointment_id)
        if view is None:
            raise NotFound("No capacity is held for this appointment")
        return view
