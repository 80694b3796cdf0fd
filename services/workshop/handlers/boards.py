"""The dispatcher's board 派工看板 (R-WS-1, R-WS-7): orders and jobs waiting, comebacks flagged for the foreman,
and today's timeline of every technician and bay; the manager's numbers per technician (week or month)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..domain.numbers import JobFact, technician_numbers
from ..models import Bay, FloorStaff, Job, JobInterval, NonConformance, Technician, WorkOrder
from . import clock
from .floor import FloorSettings, people


def _visible(wo, actor_id: str, roles) -> bool:
    """A team's orders skip the dispatcher: the team leader sees them; the dispatcher sees the rest (R-WS-1)."""
    if wo.team_leader:
        return actor_id == wo.team_leader or "service_manager" in set(roles)
    return bool(set(roles) & {"dispatcher", "service_manager"})


_WO, _JOB, _T, _B, _STAFF = (m.__table__ for m in (WorkOrder, Job, Technician, Bay, FloorStaff))
_ON_BOARD = _WO.c.status.in_(("waiting_dispatch", "in_progress"))
# the board's statements, built once, reading table columns (Core rows, not entities: an order's signed body is not
# read at all): the orders waiting or in repair, oldest promise first; their jobs; the people and the bays
_ORDERS = (
    sa.select(
        _WO.c.order_id,
        _WO.c.plate,
        _WO.c.advisor_id,
        _WO.c.team_leader,
        _WO.c.promised_at,
        _WO.c.comeback_of,
        _WO.c.waiting_parts,
        _WO.c.parts_expected_on,
    )
    .where(_ON_BOARD)
    .order_by(_WO.c.promised_at)
)
_BOARD_JOBS = (
    sa.select(
        _JOB.c.order_id,
        _JOB.c.line_no,
        _JOB.c.code,
        _JOB.c.description,
        _JOB.c.hours,
        _JOB.c.status,
        _JOB.c.technician_id,
        _JOB.c.bay_id,
        _JOB.c.clock,
        _JOB.c.planned_start,
    )
    .join(_WO, _WO.c.order_id == _JOB.c.order_id)
    .where(_ON_BOARD)
    .order_by(_JOB.c.order_id, _JOB.c.line_no)
)
# technicians (all: their names; the active ones on the board), the directory's workshop people (names), the bays:
# one statement, each kind in its own order
_PEOPLE_AND_BAYS = sa.union_all(
    sa.select(
        sa.literal_column("'technician'").label("kind"),
        _T.c.technician_id.label("id"),
        _T.c.name,
        _T.c.skills,
        _T.c.shift_starts,
        _T.c.shift_ends,
        _T.c.active,
    ),
    sa.select(sa.literal_column("'staff'"), _STAFF.c.staff_id, _STAFF.c.name, *(sa.null() for _ in range(4))),
    sa.select(sa.literal_column("'bay'"), _B.c.bay_id, *(sa.null() for _ in range(5))),
).order_by(sa.literal_column("kind"), sa.literal_column("id"))
_START, _END = sa.bindparam("start"), sa.bindparam("end")
# the day's jobs on the timeline with their order's plate (a scalar subquery: the jobs are scanned as before)
_TIMELINE = sa.select(
    _JOB.c.technician_id,
    _JOB.c.bay_id,
    _JOB.c.planned_start,
    _JOB.c.planned_end,
    _JOB.c.description,
    _JOB.c.status,
    _JOB.c.clock,
    sa.select(_WO.c.plate).where(_WO.c.order_id == _JOB.c.order_id).scalar_subquery().label("plate"),
).where(_JOB.c.planned_start < _END, _JOB.c.planned_end > _START, _JOB.c.planned_start.is_not(None))


def dispatch_board(session, now: datetime, settings: FloorSettings, actor_id: str, roles, day: date | None = None):
    tz = settings.hours.tz
    day = day or now.astimezone(tz).date()
    names, technicians, bays = {}, [], []
    for kind, key, name, skills, starts, ends, active in session.execute(_PEOPLE_AND_BAYS):
        if kind == "bay":
            bays.append(key)
            continue
        if kind == "technician":
            names.setdefault(key, name)  # the directory's name wins (floor.people)
            if active:
                technicians.append((key, name, skills, starts, ends))
        else:
            names[key] = name
    waiting, flagged, at_risk = [], [], []
    visible = [wo for wo in session.execute(_ORDERS) if _visible(wo, actor_id, roles)]
    # every visible order's jobs and clocks in three statements, not four an order
    ids = [wo.order_id for wo in visible]
    jobs_of: dict[str, list] = {order_id: [] for order_id in ids}
    for j in session.execute(_BOARD_JOBS):
        if j.order_id in jobs_of:
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
    return {
        "day": day.isoformat(),
        "orders": waiting,
        "comebacks": flagged,
        "at_risk": at_risk,
        "technicians": [
            {
                "technician_id": technician_id,
                "name": name,
                "skills": skills.split(","),
                "shift_starts": starts,
                "shift_ends": ends,
            }
            for technician_id, name, skills, starts, ends in technicians
        ],
        "bays": bays,
        "timeline": timeline(session, day, settings, [t[0] for t in technicians], bays, names),
    }


def timeline(session, day: date, settings: FloorSettings, technicians: list[str], bays: list[str], names) -> dict:
    """Rows of bars (percent of the workshop's day) for every technician and bay: the server draws it as SVG."""
    tz = settings.hours.tz
    start = datetime.combine(day, settings.hours.opens, tz)
    end = datetime.combine(day, settings.hours.closes, tz)
    span = (end - start).total_seconds()
    rows = {("technician", t): [] for t in technicians}
    rows.update({("bay", b): [] for b in bays})
    for j in session.execute(_TIMELINE, {"start": start, "end": end}):
        a = max(j.planned_start, start)
        b = min(j.planned_end, end)
        bar = {
            "x": round((a - start).total_seconds() / span * 100, 2),
            "w": max(round((b - a).total_seconds() / span * 100, 2), 0.5),
            "label": f"{'' if j.plate is None else j.plate} {j.description}",
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
