"""The dispatcher's board 派工看板 (R-WS-1, R-WS-7): orders and jobs waiting, comebacks flagged for the foreman,
and today's timeline of every technician and bay; the manager's numbers per technician (week or month)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..domain.numbers import JobFact, technician_numbers
from ..models import Bay, Job, JobInterval, NonConformance, Technician, WorkOrder
from . import clock
from .floor import FloorSettings, people


def _visible(wo: WorkOrder, actor_id: str, roles) -> bool:
    """A team's orders skip the dispatcher: the team leader sees them; the dispatcher sees the rest (R-WS-1)."""
    if wo.team_leader:
        return actor_id == wo.team_leader or "service_manager" in set(roles)
    return bool(set(roles) & {"dispatcher", "service_manager"})


def dispatch_board(session, now: datetime, settings: FloorSettings, actor_id: str, roles, day: date | None = None):
    tz = settings.hours.tz
    day = day or now.astimezone(tz).date()
    names = people(session)
    orders = session.scalars(
        sa.select(WorkOrder)
        .where(WorkOrder.status.in_(("waiting_dispatch", "in_progress")))
        .order_by(WorkOrder.promised_at)
    )
    waiting, flagged, at_risk = [], [], []
    visible = [wo for wo in orders if _visible(wo, actor_id, roles)]
    # every visible order's jobs and clocks in three statements, not four an order
    ids = [wo.order_id for wo in visible]
    jobs_of: dict[str, list[Job]] = {order_id: [] for order_id in ids}
    for j in session.scalars(sa.select(Job).where(Job.order_id.in_(ids)).order_by(Job.order_id, Job.line_no)):
        jobs_of[j.order_id].append(j)
    clocked = clock.clocked_by_order(session, ids, now)
    for wo in visible:
        jobs = jobs_of[wo.order_id]
        forecast = clock.forecast_of(session, wo, now, settings, jobs, clocked.get(wo.order_id, {}))
        entry = {
            "order_id": wo.order_id,
            "plate": wo.plate,
            "advisor_id": wo.advisor_id,
            "team_leader": wo.team_leader,
            "promised_at": wo.promised_at,
            "forecast_at": forecast,
            "at_risk": forecast > wo.promised_at,
            "comeback_of": wo.comeback_of,
            "waiting_parts": wo.waiting_parts,
            "parts_expected_on": wo.parts_expected_on,
            "jobs": [
                {
                    "line_no": j.line_no,
                    "code": j.code,
                    "description": j.description,
                    "hours": j.hours,
                    "status": j.status,
                    "technician_id": j.technician_id,
                    "bay_id": j.bay_id,
                    "clock": j.clock,
                    "planned_start": j.planned_start,
                }
                for j in jobs
            ],
        }
        waiting.append(entry)
        if wo.comeback_of:
            flagged.append(entry)
        if entry["at_risk"]:
            at_risk.append(entry)
    technicians = list(
        session.scalars(sa.select(Technician).where(Technician.active.is_(True)).order_by(Technician.technician_id))
    )
    bays = [b.bay_id for b in session.scalars(sa.select(Bay).order_by(Bay.bay_id))]
    return {
        "day": day.isoformat(),
        "orders": waiting,
        "comebacks": flagged,
        "at_risk": at_risk,
        "technicians": [
            {
                "technician_id": t.technician_id,
                "name": t.name,
                "skills": t.skills.split(","),
                "shift_starts": t.shift_starts,
                "shift_ends": t.shift_ends,
            }
            for t in technicians
        ],
        "bays": bays,
        "timeline": timeline(session, day, settings, [t.technician_id for t in technicians], bays, names),
    }


def timeline(session, day: date, settings: FloorSettings, technicians: list[str], bays: list[str], names) -> dict:
    """Rows of bars (percent of the workshop's day) for every technician and bay: the server draws it as SVG."""
    tz = settings.hours.tz
    start = datetime.combine(day, settings.hours.opens, tz)
    end = datetime.combine(day, settings.hours.closes, tz)
    span = (end - start).total_seconds()
    jobs = list(
        session.scalars(
            sa.select(Job).where(Job.planned_start < end, Job.planned_end > start, Job.planned_start.is_not(None))
        )
    )
    # the plates of their orders in one statement, not one an order the board has not read
    plates = dict(
        session.execute(
            sa.select(WorkOrder.order_id, WorkOrder.plate).where(
                WorkOrder.order_id.in_(sorted({j.order_id for j in jobs}))
            )
        ).all()
    )
    rows = {("technician", t): [] for t in technicians}
    rows.update({("bay", b): [] for b in bays})
    for j in jobs:
        a = max(j.planned_start, start)
        b = min(j.planned_end, end)
        bar = {
            "x": round((a - start).total_seconds() / span * 100, 2),
            "w": max(round((b - a).total_seconds() / span * 100, 2), 0.5),
            "label": f"{plates.get(j.order_id, '')} {j.description}",
            "state": j.clock if j.status != "done" else "done",
        }
        for key in (("technician", j.technician_id), ("bay", j.bay_id)):
            if key in rows:
                rows[key].append(bar)
    hours = []
    h = start.replace(minute=0)
    while h <= end:
        if h >= start:
            hours.append({"x": round((h - start).total_seconds() / span * 100, 2), "label": h.strftime("%H:%M")})
        h += timedelta(hours=1)
    return {
        "hours": hours,
        "rows": [
            {"kind": kind, "id": rid, "name": names.get(rid, rid) if kind == "technician" else rid, "bars": bars}
            for (kind, rid), bars in rows.items()
        ],
    }


def numbers(session, now: datetime, settings: FloorSettings, period: str = "week") -> dict:
    """Per technician over the last 7 or 30 days: jobs finished (or sent back) in the period."""
    days = 30 if period == "month" else 7
    since = now - timedelta(days=days)
    jobs = list(session.scalars(sa.select(Job).where(Job.finished_at >= since, Job.technician_id.is_not(None))))
    failed = {
        (n.order_id, n.line_no)
        for n in session.scalars(sa.select(NonConformance).where(NonConformance.created_at >= since))
    }
    comeback_firsts = set(
        session.scalars(sa.select(WorkOrder.comeback_of).where(WorkOrder.comeback_of.is_not(None))).all()
    )
    facts = []
    for j in jobs:
        wo = session.get(WorkOrder, j.order_id)
        on_time = None if wo.ready_at is None else wo.ready_at <= wo.promised_at
        facts.append(
            JobFact(
                j.technician_id,
                j.order_id,
                Decimal(j.hours),
                clock.clocked(session, j.order_id, j.line_no, now),
                (j.order_id, j.line_no) in failed or j.reworks > 0,
                j.order_id in comeback_firsts,
                on_time,
            )
        )
    # attended: the technician's shift on each day they clocked work (no time-and-attendance system here)
    attended: dict[str, Decimal] = {}
    worked = session.execute(
        sa.select(JobInterval.technician_id, JobInterval.started_at).where(JobInterval.started_at >= since)
    ).all()
    shifts = {t.technician_id: t for t in session.scalars(sa.select(Technician))}
    seen = set()
    for technician_id, started in worked:
        key = (technician_id, started.astimezone(settings.hours.tz).date())
        if key in seen:
            continue
        seen.add(key)
        t = shifts.get(technician_id)
        a = t.shift_starts if t and t.shift_starts else settings.hours.opens
        b = t.shift_ends if t and t.shift_ends else settings.hours.closes
        hours = Decimal((b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)) / 60
        attended[technician_id] = attended.get(technician_id, Decimal(0)) + hours
    rows = technician_numbers(facts, attended)
    names = people(session)
    for row in rows:
        row["name"] = names.get(row["technician_id"], row["technician_id"])
    return {"period": period, "since": since, "technicians": rows}
