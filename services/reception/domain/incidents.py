"""The monthly summary of congestion incidents as the service manager reads it (R-RC-8): which month, and
the rows of its charts. Plain Python."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kit.i18n import translate

from . import pre_inspection


def chart_rows(report: dict, locale: str, tz: str) -> dict[str, list[dict]]:
    """Rows for the kit's bar chart (kit/templates/charts.html): incidents per day, each incident's longest
    wait against the 20-minute limit, and the causes (labels in the reader's language)."""
    wait_limit = pre_inspection.minutes(int(pre_inspection.WAIT_LIMIT.total_seconds()))
    return {
        "per_day": [{"label": str(row["day"].day), "value": row["incidents"]} for row in report["summary"]["per_day"]],
        "waits": [
            {
                "label": i["raised_at"].astimezone(ZoneInfo(tz)).strftime("%d %H:%M"),
                "value": i["longest_wait_minutes"],
                "limit": wait_limit,
            }
            for i in report["incidents"]
        ],
        "causes": [
            {"label": translate(pre_inspection.ROOT_CAUSES[row["cause"]], locale), "value": row["incidents"]}
            for row in report["summary"]["by_cause"]
        ],
    }


def month_of(value: str | None, now: datetime, tz: ZoneInfo) -> str:
    """The month asked for ("2026-11"), else the current month in the dealership's time."""
    return (value or "").strip() or now.astimezone(tz).strftime("%Y-%m")


REVIEW_FIELDS = ("root_cause", "root_cause_note", "responsible_id", "actions")
