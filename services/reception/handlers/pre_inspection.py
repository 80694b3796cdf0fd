"""The pre-inspection area (R-RC-8): cars called from the waiting line onto a free bay, bays freed, the alert
raised when the area congests and cleared when it clears; the area's screen."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contracts import names
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.types import UtcDateTime

from ..domain import pre_inspection as rules
from ..models import CongestionIncident, Visit
from . import incidents
from .visits import committed, held_visit

_AREA = sa.union_all(  # built once, one statement (run after every check-in and take-over, and on the timer):
    # when each waiting car checked in, and the open incident's id (a row each)
    sa.select(Visit.checked_in_at.label("since"), sa.cast(sa.null(), sa.Integer).label("incident_id")).where(
        Visit.pre_inspection_started_at.is_(None), Visit.status == "checked_in"
    ),
    sa.select(sa.cast(sa.null(), UtcDateTime), CongestionIncident.id).where(CongestionIncident.cleared_at.is_(None)),
)


def watch_pre_inspection(uow, area: list | None = None) -> CongestionIncident | None:
    """R-RC-8: raise an incident (and alert the manager) when the area becomes congested; close it when
    it clears. Runs after every check-in and take-over, and on a timer for the 20-minute rule. `area`: its rows
    (`since`, `incident_id`) as the command that changed it knows them, else read here."""
    session = uow.session
    if area is None:
        area = session.connection().execute(_AREA).all()
    waiting = [row.since for row in area if row.incident_id is None]
    now = uow.clock()
    found = rules.congestion(waiting, now)
    incident_id = next((row.incident_id for row in area if row.incident_id is not None), None)
    incident = session.get(CongestionIncident, incident_id) if incident_id is not None else None
    if found is None:
        if incident is not None:
            incident.cleared_at = now
        return None
    if incident is not None:
        return incident  # already alerted; one incident until the area clears
    incident = CongestionIncident(
        raised_at=now,
        cause=found.cause,
        waiting=found.waiting,
        longest_wait_seconds=int(found.longest_wait.total_seconds()),
    )
    session.add(incident)
    session.flush()
    uow.emit(
        names.PRE_INSPECTION_CONGESTED,
        {
            "incident_id": incident.id,
            "cause": found.cause,
            "waiting": found.waiting,
            "longest_wait_seconds": incident.longest_wait_seconds,
            "actions": list(rules.ACTIONS),
        },
        correlation_id=f"pre-inspection:{incident.id}",
    )
    return incident


_CALLED = (  # built once: the car is called onto a bay
    sa.update(Visit.__table__)
    .where(Visit.__table__.c.visit_id == sa.bindparam("key"))
    .values(
        pre_inspection_started_at=sa.bindparam("pre_inspection_started_at"),
        pre_inspection_bay=sa.bindparam("pre_inspection_bay"),
        on_bay=sa.bindparam("on_bay"),
        ticket_called_at=sa.bindparam("ticket_called_at"),
        ticket_called_by=sa.bindparam("ticket_called_by"),
    )
)


_NONE = sa.cast(sa.null(), sa.String)
_BAYS_AND_AREA = sa.union_all(  # built once, one statement read by a take-over: the bays taken (bay, plate), the
    # cars waiting (visit id, since) and the open incident's id (a row each)
    sa.select(
        Visit.on_bay.label("bay"),
        Visit.plate,
        _NONE.label("visit_id"),
        sa.cast(sa.null(), UtcDateTime).label("since"),
        sa.cast(sa.null(), sa.Integer).label("incident_id"),
    ).where(Visit.on_bay.is_not(None)),
    sa.select(_NONE, _NONE, Visit.visit_id, Visit.checked_in_at, sa.cast(sa.null(), sa.Integer)).where(
        Visit.pre_inspection_started_at.is_(None), Visit.status == "checked_in"
    ),
    sa.select(_NONE, _NONE, _NONE, sa.cast(sa.null(), UtcDateTime), CongestionIncident.id).where(
        CongestionIncident.cleared_at.is_(None)
    ),
)
BAY_ATTEMPTS = 4
TAKEN_A_MOMENT_AGO = N_("Pre-inspection bay {bay} was taken a moment ago")


def start_pre_inspection(
    uow, visit_id: str, bay: str | None = None, bays: tuple[str, ...] = rules.DEFAULT_BAYS
) -> Visit:
    """The car leaves the waiting line for a pre-inspection bay (the walk-around starts, R-RC-2): its ticket
    is called. Only onto a free bay (R-RC-8); without a bay named, the first free one."""
    session = uow.session
    visit = held_visit(session, visit_id)  # the visit's rows a command read already, else the visit alone
    if visit is None:
        raise NotFound("Visit not found", field="visit_id")
    if visit.pre_inspection_started_at is not None:
        if bay is None or (bay or "").strip().upper() == visit.pre_inspection_bay:
            return visit  # already called (a second tap changes nothing)
        raise DomainError(
            N_("This car has already been called to pre-inspection bay {bay}"),
            field="bay",
            code="already_called",
            bay=visit.pre_inspection_bay,
        )
    occupied, area = bays_and_area(session)
    if bay is None or not str(bay).strip():
        bay = next((b for b in bays if b not in occupied), None)
        if bay is None:
            raise DomainError(N_("Every pre-inspection bay is occupied"), field="bay", code="bays_full")
    bay = rules.check_bay(bay, bays, occupied.get((bay or "").strip().upper()))
    now = uow.clock()
    called = {"pre_inspection_started_at": now, "pre_inspection_bay": bay, "on_bay": bay}
    called.update(ticket_called_at=now, ticket_called_by=uow.actor_id)
    try:
        session.connection().execute(_CALLED, {"key": visit_id, **called})  # a statement built once, no flush
    except IntegrityError:  # another advisor took a car onto this bay a moment ago: the unique index decided
        raise DomainError(TAKEN_A_MOMENT_AGO, field="bay", code="bay_occupied", bay=bay) from None
    committed(visit, called)  # the visit held says what was written
    # the area as read, without this car: it waits no more (the other cars' rows are as the update left them)
    watch_pre_inspection(uow, [row for row in area if row.visit_id != visit_id])
    return visit


def on_a_free_bay(work, handler, *args, actor_id: str | None = None, **kwargs):
    """Run a command that takes a car onto a pre-inspection bay (R-RC-8) through `work` (kit.uow.Work). When
    another advisor took the same bay a moment ago the unique index decided; the command runs again and sees
    that bay taken: the car goes onto the next free bay, or the refusal says how the bays stand now."""
    for _attempt in range(BAY_ATTEMPTS - 1):
        try:
            return work.run(handler, *args, actor_id=actor_id, **kwargs)
        except DomainError as exc:
            if exc.msgid != TAKEN_A_MOMENT_AGO:
                raise
    return work.run(handler, *args, actor_id=actor_id, **kwargs)


def call_next(uow, bay: str | None = None, bays: tuple[str, ...] = rules.DEFAULT_BAYS) -> Visit:
    """A bay is free: the advisor calls the next ticket (the car waiting longest) onto it (R-RC-8)."""
    first = uow.session.scalars(
        sa.select(Visit)
        .where(Visit.pre_inspection_started_at.is_(None), Visit.status == "checked_in")
        .order_by(Visit.checked_in_at, Visit.ticket_no)
        .limit(1)
    ).first()
    if first is None:
        raise DomainError(N_("No car is waiting"), field="bay", code="nobody_waiting")
    return start_pre_inspection(uow, first.visit_id, bay, bays)


def leave_bay(uow, visit_id: str) -> Visit:
    """The car leaves its pre-inspection bay (walk-around done, or moved off): the bay is free again."""
    visit = uow.session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("Visit not found", field="visit_id")
    if visit.on_bay is not None:
        visit.on_bay, visit.pre_inspection_left_at = None, uow.clock()
        uow.session.flush()
    return visit


def cars_ahead(session, visit_id: str) -> int:
    """How many cars still waiting checked in before this one (printed on the customer's ticket)."""
    visit = session.get(Visit, visit_id)
    if visit is None or visit.pre_inspection_started_at is not None:
        return 0
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Visit)
        .where(
            Visit.pre_inspection_started_at.is_(None),
            Visit.status == "checked_in",
            Visit.checked_in_at < visit.checked_in_at,
        )
    )


_OCCUPIED = sa.select(Visit.on_bay, Visit.plate).where(Visit.on_bay.is_not(None))  # built once


def bays_occupied(session) -> dict[str, str]:
    """bay -> plate of the car on it now."""
    rows = session.connection().execute(_OCCUPIED).all()
    return {bay: plate for bay, plate in rows}


def bays_and_area(session) -> tuple[dict[str, str], list]:
    """bay -> plate of the car on it now, and the area's rows (each waiting car's visit id and check-in time, the
    open incident's id): one statement."""
    rows = session.connection().execute(_BAYS_AND_AREA).all()
    return {row.bay: row.plate for row in rows if row.bay is not None}, [row for row in rows if row.bay is None]


def pre_inspection_area(session, now, bays: tuple[str, ...] = rules.DEFAULT_BAYS) -> dict:
    """R-RC-8, the screen of the area: the bays and the car on each, the waiting line with its tickets and
    waits, the open incident (what triggered it, what the manager did) and the latest incidents."""
    waiting = session.scalars(
        sa.select(Visit)
        .where(Visit.pre_inspection_started_at.is_(None), Visit.status == "checked_in")
        .order_by(Visit.checked_in_at, Visit.ticket_no)
    )
    on_bays = {v.on_bay: v for v in session.scalars(sa.select(Visit).where(Visit.on_bay.is_not(None)))}
    latest = list(session.scalars(sa.select(CongestionIncident).order_by(CongestionIncident.id.desc()).limit(50)))
    open_incident = next((i for i in latest if i.cleared_at is None), None)
    return {
        "bays": [
            {
                "bay": bay,
                "visit": None
                if bay not in on_bays
                else {
                    "visit_id": on_bays[bay].visit_id,
                    "plate": on_bays[bay].plate,
                    "ticket": rules.ticket_label(on_bays[bay].ticket_no),
                    "advisor_id": on_bays[bay].advisor_id,
                    "since": on_bays[bay].pre_inspection_started_at,
                    "called_by": on_bays[bay].ticket_called_by,
                },
            }
            for bay in (*bays, *sorted(b for b in on_bays if b not in bays))  # a bay since removed, still held
        ],
        "waiting": [
            {
                "visit_id": v.visit_id,
                "plate": v.plate,
                "ticket": rules.ticket_label(v.ticket_no),
                "advisor_id": v.advisor_id,
                "checked_in_at": v.checked_in_at,
                "waited_seconds": int((now - v.checked_in_at).total_seconds()),
                "waited_minutes": int((now - v.checked_in_at).total_seconds()) // 60,
                "over_limit": now - v.checked_in_at > rules.WAIT_LIMIT,
            }
            for v in waiting
        ],
        "open_incident": None
        if open_incident is None
        else incidents.incident_view(
            open_incident, {}, incidents.actions_of(session, [open_incident.id]).get(open_incident.id)
        ),
        "incidents": [
            {
                "id": i.id,
                "raised_at": i.raised_at,
                "cause": i.cause,
                "waiting": i.waiting,
                "longest_wait_seconds": i.longest_wait_seconds,
                "cleared_at": i.cleared_at,
            }
            for i in latest
        ],
    }
