"""The monthly follow-up report (R-FU-6): its numbers from the month's calls and complaints, and the exports
(CSV, XLSX with openpyxl)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time

import sqlalchemy as sa

from kit.config import Settings
from kit.errors import DomainError
from kit.i18n import N_

from ..domain.complaints import CAUSES
from ..domain.report import CallFacts, monthly
from ..domain.script import DEPARTMENTS
from ..models import CallAttempt, Complaint, ComplaintAction, FollowUpCall


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """ "2026-12" -> the month's first instant and the next month's, in the dealership's zone."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise DomainError(N_("Give the month as YYYY-MM"), field="month") from None
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    tz = Settings.load().tz
    return datetime.combine(first, time(0), tz), datetime.combine(following, time(0), tz)


def monthly_report(session, month: str) -> dict:
    """R-FU-6: the calls due in the month (by their due date), the complaints opened in it, the open actions."""
    start, end = month_bounds(month)
    calls = session.scalars(
        sa.select(FollowUpCall).where(FollowUpCall.due_by >= start, FollowUpCall.due_by < end)
    ).all()
    attempted = set(
        session.scalars(
            sa.select(CallAttempt.call_id).where(CallAttempt.call_id.in_([c.call_id for c in calls])).distinct()
        )
    )
    facts = [
        CallFacts(
            advisor_id=c.advisor_id,
            state="done" if c.status == "done" else "open",
            reached=c.outcome in ("satisfied", "complaint") and c.status == "done",
            attempted=c.call_id in attempted,
            scores=dict(c.scores or {}),
        )
        for c in calls
    ]
    causes = list(
        session.scalars(sa.select(Complaint.cause).where(Complaint.opened_at >= start, Complaint.opened_at < end))
    )
    open_actions = session.execute(
        sa.select(ComplaintAction, Complaint)
        .join(Complaint, Complaint.complaint_id == ComplaintAction.complaint_id)
        .where(ComplaintAction.done_at.is_(None))
        .order_by(ComplaintAction.due_on)
    ).all()
    report = monthly(facts, causes, len(open_actions))
    report["month"] = month
    report["actions"] = [
        {
            "complaint_id": c.complaint_id,
            "plate": (c.vehicle or {}).get("plate", ""),
            "kind": a.kind,
            "text": a.text,
            "owner": a.owner,
            "due_on": a.due_on,
        }
        for a, c in open_actions
    ]
    return report


def rows(report: dict) -> list[list]:
    """The report as rows (Chinese headings: the file goes to management)."""
    out = [
        ["回访月报", report["month"]],
        ["应回访数", report["calls_due"]],
        ["已回访数", report["calls_made"]],
        ["接通数", report["reached"]],
        ["回访率%", _plain(report["followup_rate"])],
        ["接通率%", _plain(report["reach_rate"])],
        [],
        ["部门", "满意度(1-5)"],
    ]
    names = {"booking": "预约", "reception": "接待", "workshop": "维修", "settlement": "结算"}
    out += [[names[d], _plain(report["satisfaction_by_department"][d])] for d in DEPARTMENTS]
    out += [[], ["服务顾问", "满意度(1-5)"]]
    out += [[a, _plain(v)] for a, v in report["satisfaction_by_advisor"].items()]
    out += [[], ["投诉原因", "件数"]]
    out += [[cause, count] for cause, count in report["complaints_by_cause"].items() if cause in CAUSES]
    out += [[], ["未完成措施", report["open_actions"]]]
    out += [[a["plate"], a["kind"], a["text"], a["owner"], a["due_on"].isoformat()] for a in report["actions"]]
    return out


def _plain(value):
    return "" if value is None else str(value)


def csv_bytes(report: dict) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows(report))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM lets Excel read the Chinese


def xlsx_bytes(report: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = report["month"]
    for row in rows(report):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
