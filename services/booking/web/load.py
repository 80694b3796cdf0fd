"""The workshop's load for the booking desk (R-BK-10): book where the workshop is idle. Asked over RPC."""

from __future__ import annotations

from datetime import date

from kit.errors import DomainError
from kit.i18n import N_
from kit.web import api, page

from ..domain.capacity import chart_rows
from ..handlers import workshop_capacity
from .common import local_today, slot_settings


def load_day(request) -> date:
    raw = request.args.get("day", "")
    try:
        return date.fromisoformat(raw) if raw else local_today(slot_settings()[1])
    except ValueError:
        raise DomainError(N_("Give the date as YYYY-MM-DD"), field="day") from None


class LoadViews:
    """Mixed into service.Service (its `workshop` is the workshop's RPC client)."""

    @api("GET", "/api/load", action="booking.view")
    def workshop_load(self, request):
        """?day=2026-12-01 -> the workshop's booked vs bookable hours by hour and by day (R-BK-10, asked by RPC)"""
        return workshop_capacity.load_view(self.workshop, load_day(request))

    @api("GET", "/load", action="booking.view")
    def workshop_load_page(self, request):
        """The load view for the booking desk: book where the workshop is idle (R-BK-10)."""
        view = workshop_capacity.load_view(self.workshop, load_day(request))
        hour_rows, day_rows = chart_rows(view)
        return page(
            self.name, N_("Workshop load"), "load.html", request, load=view, hour_rows=hour_rows, day_rows=day_rows
        )
