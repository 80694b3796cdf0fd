"""The service manager's side of the pre-inspection area (R-RC-8): each congestion incident is reviewed
(cause, the staff member responsible, the corrective action) and a monthly summary is drawn from them.

Use cases `f(uow, …)` and views `f(session, …)`; the rules and the arithmetic are in domain/pre_inspection.py.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from kit.errors import DomainError, NotFound
from kit.i18n import N_

from ..domain import complaints, pre_inspection
from ..models import CongestionAction, CongestionIncident, StaffName
from . import directory


def review(uow, incident_id: int, cmd: dict) -> CongestionIncident:
    """Record (or correct) why the area congested, who was responsible and what was done about it."""
    incident = uow.session.get(CongestionIncident, incident_id)
    if incident is None:
        raise NotFound("Incident not found", field="incident_id")
    checked = pre_inspection.check_review(cmd)
    known_staff = uow.session.scalar(sa.select(sa.func.count()).select_from(StaffName))
    if known_staff and uow.session.get(StaffName, checked["responsible_id"]) is None:
        raise DomainError(
            "No staff member has the number {staff_id}",
            field="responsible_id",
            code="unknown_staff",
            staff_id=checked["responsible_id"],
        )
    for key, value in checked.items():
        setattr(incident, key, value)
    incident.reviewed_by, incident.reviewed_at = uow.actor_id, uow.clock()
    uow.correlation_id = f"pre-inspection:{incident.id}"
    return incident


def record_action(uow, incident_id: int, cmd: dict) -> CongestionAction:
    """R-RC-8: the service manager acts on the alert (a temporary park with queue tickets, or written-up cars
    moved to the workshop's waiting bays): which action, who, when. Each action once per incident."""
    incident = uow.session.get(CongestionIncident, incident_id)
    if incident is None:
        raise NotFound("Incident not found", field="incident_id")
    checked = pre_inspection.check_action(cmd)
    done = uow.session.scalars(
        sa.select(CongestionAction).filter_by(incident_id=incident_id, action=checked["action"])
    ).first()
    if done is not None:
        raise DomainError(
            "This action is already recorded for the incident (by {staff_id})",
            field="action",
            code="action_recorded",
            staff_id=done.taken_by,
        )
    row = CongestionAction(incident_id=incident_id, taken_by=uow.actor_id, taken_at=uow.clock(), **checked)
    uow.session.add(row)
    uow.session.flush()
    uow.correlation_id = f"pre-inspection:{incident.id}"
    return row


def record_complaint(uow, incident_id: int, cmd: dict) -> CongestionAction:
    """R-RC-8a: a customer complained because of this congestion: the car is recorded against the incident
    (once per car), and the monthly summary fines the incident's responsible person for it."""
    incident = uow.session.get(CongestionIncident, incident_id)
    if incident is None:
        raise NotFound("Incident not found", field="incident_id")
    checked = complaints.check_complaint(cmd)
    done = uow.session.scalars(
        sa.select(CongestionAction).filter_by(incident_id=incident_id, action=checked["action"])
    ).first()
    if done is not None:
        raise DomainError(N_("This car's complaint is already recorded for the incident"), field="plate")
    row = CongestionAction(incident_id=incident_id, taken_by=uow.actor_id, taken_at=uow.clock(), **checked)
    uow.session.add(row)
    uow.session.flush()
    return row


def actions_of(session, incident_ids: list[int]) -> dict[int, list[dict]]:
    """incident id -> the actions taken, in order: {"action", "note", "taken_by", "taken_by_name", "taken_at"}."""
    if not incident_ids:
        return {}
    rows = list(
        session.scalars(
            sa.select(CongestionAction)
            .where(CongestionAction.incident_id.in_(incident_ids))
            .order_by(CongestionAction.taken_at, CongestionAction.id)
        )
    )
    names = directory.names_of(session, [r.taken_by for r in rows])
    out: dict[int, list[dict]] = {}
    for r in rows:
        out.setdefault(r.incident_id, []).append(
            {
                "action": r.action,
                "note": r.note or "",
                "taken_by": r.taken_by,
                "taken_by_name": names.get(r.taken_by, ""),
                "taken_at": r.taken_at,
            }
        )
    return out


def incident_view(i: CongestionIncident, names: dict[str, str] | None = None, taken: list[dict] | None = None) -> dict:
    names = names or {}
    return {
        "id": i.id,
        "raised_at": i.raised_at,
        "cleared_at": i.cleared_at,
        "trigger": i.cause,
        "waiting": i.waiting,
        "longest_wait_seconds": i.longest_wait_seconds,
        "longest_wait_minutes": pre_inspection.minutes(i.longest_wait_seconds),
        "root_cause": i.root_cause,
        "root_cause_note": i.root_cause_note or "",
        "responsible_id": i.responsible_id,
        "responsible_name": names.get(i.responsible_id or "", ""),
        "actions": i.actions or "",
        "reviewed_by": i.reviewed_by,
        "reviewed_at": i.reviewed_at,
        "actions_taken": taken or [],  # R-RC-8: what the manager did while it was congested
    }


def incident(session, incident_id: int) -> dict | None:
    row = session.get(CongestionIncident, incident_id)
    if row is None:
        return None
    return incident_view(
        row, directory.names_of(session, [row.responsible_id]), actions_of(session, [row.id]).get(row.id)
    )


def monthly_summary(session, month: str, tz: ZoneInfo, now: datetime, fine=complaints.DEFAULT_FINE) -> dict:
    """R-RC-8: the month's incidents with their review, and the summary (counts, waits, causes, per day)."""
    start, end = pre_inspection.month_bounds(month, tz)
    rows = list(
        session.scalars(
            sa.select(CongestionIncident)
            .where(CongestionIncident.raised_at >= start, CongestionIncident.raised_at < end)
            .order_by(CongestionIncident.raised_at)
        )
    )
    facts = [
        pre_inspection.IncidentFacts(
            raised_at=r.raised_at,
            trigger=r.cause,
            waiting=r.waiting,
            longest_wait_seconds=r.longest_wait_seconds,
            cleared_at=r.cleared_at,
            root_cause=r.root_cause,
            responsible_id=r.responsible_id,
        )
        for r in rows
    ]
    summary = pre_inspection.summarize(facts, start, end, tz, now)
    names = directory.names_of(session, [r.responsible_id for r in rows])
    summary["by_responsible"] = [
        {"staff_id": staff_id, "name": names.get(staff_id, ""), "incidents": n}
        for staff_id, n in summary["by_responsible"]
    ]
    summary["by_cause"] = [{"cause": cause, "incidents": n} for cause, n in summary["by_cause"]]
    for key in ("average_wait", "max_wait", "average_congested", "max_congested"):
        summary[f"{key}_minutes"] = pre_inspection.minutes(summary[f"{key}_seconds"])
    taken = actions_of(session, [r.id for r in rows])
    summary["by_action"] = {
        action: sum(1 for r in rows if any(t["action"] == action for t in taken.get(r.id, [])))
        for action in pre_inspection.ACTIONS
    }
    counted = [(r.responsible_id, sum(complaints.is_complaint(t["action"]) for t in taken.get(r.id, []))) for r in rows]
    summary["fines"] = complaints.fines(counted, fine)
    summary["fine_per_car"] = fine
    return {"month": month, "summary": summary, "incidents": [incident_view(r, names, taken.get(r.id)) for r in rows]}
