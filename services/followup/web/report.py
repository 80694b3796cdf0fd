"""The monthly follow-up report (R-FU-6): page with charts, JSON, CSV, XLSX and a printable PDF."""

from __future__ import annotations

from urllib.parse import quote

from werkzeug.wrappers import Response

from kit.concurrency import offload
from kit.i18n import N_
from kit.types import utcnow
from kit.web import _environment, api, page

from ..domain.complaints import CAUSE_TITLES
from ..domain.script import DEPARTMENT_TITLES
from ..handlers import report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(data: bytes, mimetype: str, filename: str, inline: bool = False) -> Response:
    disposition = "inline" if inline else "attachment"
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(filename)}"}
    )


def _write_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported late: loading pango and fonts takes a moment

    return HTML(string=html).write_pdf()


class ReportEndpoints:
    """Mixed into services.followup.service.Service."""

    def _month(self, request) -> str:
        from kit.config import Settings

        return request.args.get("month") or utcnow().astimezone(Settings.load().tz).strftime("%Y-%m")

    @api("GET", "/api/report", action="followup.report")
    def report_json(self, request):
        """?month=2026-12 -> follow-up rate, reach rate, satisfaction by department and advisor, complaints by
        cause, open actions"""
        return self.db.read(report.monthly_report, self._month(request))

    @api("GET", "/report.csv", action="followup.report")
    def report_csv(self, request):
        month = self._month(request)
        return _download(
            report.csv_bytes(self.db.read(report.monthly_report, month)), "text/csv", f"回访月报-{month}.csv"
        )

    @api("GET", "/report.xlsx", action="followup.report")
    def report_xlsx(self, request):
        month = self._month(request)
        return _download(report.xlsx_bytes(self.db.read(report.monthly_report, month)), XLSX, f"回访月报-{month}.xlsx")

    @api("GET", "/report.pdf", action="followup.report")
    def report_pdf(self, request):
        from kit.config import Settings

        month = self._month(request)
        data = self.db.read(report.monthly_report, month)
        html = (
            _environment(self.name, "zh_CN")
            .get_template("report_pdf.html")
            .render(r=data, departments=DEPARTMENT_TITLES, causes=CAUSE_TITLES, tz=Settings.load().dealer_timezone)
        )
        return _download(offload(_write_pdf, html), "application/pdf", f"回访月报-{month}.pdf", inline=True)

    @api("GET", "/report", action="followup.report")
    def report_page(self, request):
        data = self.db.read(report.monthly_report, self._month(request))
        return page(
            self.name,
            N_("Monthly follow-up report"),
            "report.html",
            request,
            r=data,
            departments=DEPARTMENT_TITLES,
            causes=CAUSE_TITLES,
        )
