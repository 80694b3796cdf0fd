"""The group dashboard 集团看板: figures per store and for the group, drill-down to one store, CSV/XLSX export,
the intake's state (refused orders, unreadable messages), as pages and JSON."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from kit.config import Settings
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, flash, page

from ..domain import figures as rules
from ..handlers import dashboard, exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIODS = (7, 30, 90)


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"}
    )


class DashboardEndpoints:
    """Mixed into services.hq.service.Service."""

    def _period(self, request) -> tuple[date, date, int]:
        raw = request.args.get("days", "30")
        if not raw.isdigit() or not 1 <= int(raw) <= 366:
            raise DomainError(N_("The period must be 1 to 366 days"), field="days")
        days = int(raw)
        last = utcnow().astimezone(Settings.load().tz).date()
        return last - timedelta(days=days - 1), last, days

    def _figures(self, request, dealer_id: str | None = None):
        first, last, days = self._period(request)
        tz = Settings.load().tz
        return self.db.read(dashboard.figures, first, last, tz, dealer_id), first, last, days

    @api("GET", "/api/figures", action="hq.view")
    def figures_json(self, request):
        """?days=30[&store=<dealer id>] -> per store and for the group ("group"): visits per day, appointment
        rate, returning customers (returning_rate: of the visits with a pseudonym, %), on-time delivery, QC failure
        and comeback rates, follow-up satisfaction (satisfaction_rate: satisfied of the reached calls, %;
        satisfaction_score: their mean score 1-5; satisfaction_basis: "calls", or "complaints" for a store without
        call results, "mixed" for a group of both), complaints by cause, pre-inspection incidents"""
        figures, first, last, _days = self._figures(request, request.args.get("store") or None)
        return {"from": first, "to": last, "stores": {k: f.as_dict() for k, f in figures.items()}}

    @api("GET", "/api/intake", action="hq.view")
    def intake_json(self, request):
        """Events held (accepted / refused), unreadable messages, the stream offset stored, the latest refusals"""
        return self.db.read(dashboard.intake_state)

    @api("GET", "/api/dead-letters", action="hq.view")
    def dead_letters(self, request):
        """What HQ could not read from the stream, each with why (kept in its database)."""
        return {"service": self.name, "dead_letters": self.db.read(dashboard.intake_state)["unreadable_messages"]}

    @api("POST", "/api/intake/replay", action="hq.replay")
    def replay(self, request):
        """Read the whole retained stream again from its first message (held events are ignored by id)."""
        self.intake.replay()
        return 202, {"replay": "started"}

    @api("POST", "/intake/replay", action="hq.replay")
    def replay_form(self, request):
        """The same from the dashboard (the administrator's button under Intake)."""
        self.intake.replay()
        return flash(redirect("/", code=303), "ok", N_("Replay started: the stream is read again from its first event"))

    @api("GET", "/figures.csv", action="hq.view")
    def figures_csv(self, request):
        figures, first, last, _ = self._figures(request, request.args.get("store") or None)
        name = f"集团看板-{request.args.get('store') or 'group'}-{first}-{last}.csv"
        return _download(exports.csv_bytes(figures, request.locale), "text/csv", name)

    @api("GET", "/figures.xlsx", action="hq.view")
    def figures_xlsx(self, request):
        figures, first, last, _ = self._figures(request, request.args.get("store") or None)
        name = f"集团看板-{request.args.get('store') or 'group'}-{first}-{last}.xlsx"
        return _download(exports.xlsx_bytes(figures, request.locale, f"{first} – {last}"), XLSX, name)

    @api("GET", "/", action="hq.view")
    def dashboard_page(self, request):
        figures, first, last, days = self._figures(request)
        return self._page(request, figures, first, last, days, None)

    @api("GET", "/stores/<dealer_id>", action="hq.view")
    def store_page(self, request, dealer_id):
        figures, first, last, days = self._figures(request, dealer_id)
        if dealer_id not in figures and dealer_id not in self.db.read(dashboard.stores):
            raise NotFound(N_("No events from store {store}"), store=dealer_id)
        return self._page(request, figures, first, last, days, dealer_id)

    def _page(self, request, figures, first, last, days, dealer_id):
        title = N_("Group dashboard") if dealer_id is None else N_("Store dashboard")
        return page(
            self.name,
            title,
            "dashboard.html",
            request,
            figures=figures,
            store=dealer_id,
            group=rules.GROUP,
            first=first,
            last=last,
            days=days,
            periods=PERIODS,
            columns=rules.TABLE_COLUMNS,
            rate_columns=rules.RATE_COLUMNS,
            causes=rules.CAUSE_TITLES,
            basis_titles=rules.BASIS_TITLES,
            incident_causes=rules.INCIDENT_TITLES,
            intake=self.db.read(dashboard.intake_state, 10),
        )
