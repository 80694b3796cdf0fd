"""The workshop floor's settings and people: the dispatch picture (technicians, bays, what is booked), the staff
directory's events (technicians, experts, inspectors), skills and shifts edited by the foreman.

Settings: WORKSHOP_TEAMS ("A002=T002+T005": advisors leading a team, R-WS-1), WORKSHOP_FINISHED_BAYS ("F1,F2,F3,F4",
R-QC-4), WORKSHOP_EXPERT_TARGET_MINUTES (30, R-WS-4), WORKSHOP_COMEBACK_DAYS (30), WORKSHOP_COMEBACK_KM (1000).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from contracts import Envelope
from kit.config import Settings, derived
from kit.errors import DomainError, NotFound

from ..domain import capacity as capacity_rules
from ..domain.comebacks import ComebackRules
from ..domain.dispatch import Booked, Floor, Window, Worker, parse_teams
from ..domain.forecast import Hours
from ..models import Bay, FloorStaff, Job, Technician

FLOOR_ROLES = {"technician", "technical_expert", "qc_inspector", "dispatcher"}


@dataclass(frozen=True)
class FloorSettings:
    teams: dict[str, tuple[str, ...]] = field(default_factory=dict)
    finished_bays: tuple[str, ...] = ("F1", "F2", "F3", "F4")
    expert_target_minutes: int = 30
    comebacks: ComebackRules = ComebackRules()
    hours: Hours = Hours()

    @classmethod
    def load(cls) -> FloorSettings:
        """The floor's settings, derived once for each set of the values they come from (kit.config.derived)."""
        return derived(cls._from_settings, SETTING_NAMES)

    @classmethod
    def _from_settings(cls) -> FloorSettings:
        settings = Settings.load()
        raw = settings.raw or {}
        rules = capacity_rules.CapacityRules.from_settings(raw)
        bays = tuple(b.strip() for b in str(raw.get("WORKSHOP_FINISHED_BAYS", "F1,F2,F3,F4")).split(",") if b.strip())
        return cls(
            teams=parse_teams(raw.get("WORKSHOP_TEAMS")),
            finished_bays=bays,
            expert_target_minutes=int(raw.get("WORKSHOP_EXPERT_TARGET_MINUTES", 30)),
            comebacks=ComebackRules(
                days=int(raw.get("WORKSHOP_COMEBACK_DAYS", 30)), km=int(raw.get("WORKSHOP_COMEBACK_KM", 1000))
            ),
            hours=Hours(opens=rules.opens, closes=rules.closes, tz=settings.tz),
        )


def capacity_settings() -> tuple[capacity_rules.CapacityRules, ZoneInfo]:
    """The capacity rules (R-BK-4) and the dealer's time zone, derived once for each set of their values."""
    return derived(_capacity_settings, SETTING_NAMES)


def _capacity_settings() -> tuple[capacity_rules.CapacityRules, ZoneInfo]:
    settings = Settings.load()
    return capacity_rules.CapacityRules.from_settings(settings.raw), settings.tz


# every environment setting the workshop's rules are derived from (FloorSettings, CapacityRules.from_settings)
SETTING_NAMES = (
    "DEALER_TIMEZONE",
    "WORKSHOP_TEAMS",
    "WORKSHOP_FINISHED_BAYS",
    "WORKSHOP_EXPERT_TARGET_MINUTES",
    "WORKSHOP_COMEBACK_DAYS",
    "WORKSHOP_COMEBACK_KM",
    "WORKSHOP_APPOINTMENT_SHARE",
    "WORKSHOP_OPENS",
    "WORKSHOP_CLOSES",
    "WORKSHOP_HANDOVER_MINUTES",
    "WORKSHOP_SPILL_DAYS",
    "WORKSHOP_HOLD_MINUTES",
    "WORKSHOP_DEFAULT_HOURS",
)
# the technicians, (their other columns NULL) the bays, and the jobs assigned and not finished, in one statement:
# the jobs' columns NULL in the other rows, cast to their types (each column's type is taken from the first rows);
# the floor's uses of the technicians and the bays are sorted or membership tests, of the booked jobs overlaps
_T, _B, _J = Technician.__table__, Bay.__table__, Job.__table__
_JOB_COLUMNS = (_J.c.bay_id, _J.c.planned_start, _J.c.planned_end, _J.c.order_id, _J.c.line_no)
_FLOOR = sa.union_all(
    sa.select(
        sa.literal_column("'technician'").label("kind"),
        _T.c.technician_id.label("id"),
        _T.c.skills,
        _T.c.shift_starts,
        _T.c.shift_ends,
        _T.c.active,
        *(sa.cast(sa.null(), c.type).label(f"job_{c.name}") for c in _JOB_COLUMNS),
    ),
    sa.select(sa.literal_column("'bay'"), _B.c.bay_id, *(sa.null() for _ in range(4 + len(_JOB_COLUMNS)))),
    sa.select(
        sa.literal_column("'booked'"), _J.c.technician_id, sa.null(), sa.null(), sa.null(), sa.null(), *_JOB_COLUMNS
    ).where(_J.c.status != "done", _J.c.planned_start.is_not(None), _J.c.planned_end.is_not(None)),
)


def floor_of(session, settings: FloorSettings) -> Floor:
    """Technicians, bays and the jobs assigned and not finished, for dispatch decisions (R-WS-7): one statement."""
    workers, bays, booked = {}, [], []
    for kind, key, skills, starts, ends, active, bay, planned_start, planned_end, order_id, line_no in session.execute(
        _FLOOR
    ):
        if kind == "booked":
            booked.append(Booked(key, bay, Window(planned_start, planned_end), (order_id, line_no)))
        elif kind == "bay":
            bays.append(key)
        else:
            workers[key] = Worker(key, capacity_rules.parse_skills(skills), starts, ends, active)
    bays.sort()
    return Floor(workers, bays, booked, settings.hours.opens, settings.hours.closes, settings.hours.tz)


# --- the staff directory's events -------------------------------------------------------------------


def take_staff(uow, event: Envelope) -> None:
    """staff_registered / staff_changed -> the workshop's people: a technician becomes a technician row (skills
    and shift edited by the foreman), experts and inspectors are known by name; leavers are inactive."""
    staff = event.payload
    roles = set(staff["roles"])
    session = uow.session
    person = session.get(FloorStaff, staff["staff_id"])
    if not roles & FLOOR_ROLES and person is None:
        return
    if person is None:
        person = FloorStaff(staff_id=staff["staff_id"], name=staff["name"], roles=[], active=True)
        session.add(person)
    person.name, person.roles, person.active = staff["name"][:80], sorted(roles), staff["active"]
    technician = session.get(Technician, staff["staff_id"])
    if "technician" in roles and technician is None:
        session.add(
            Technician(
                technician_id=staff["staff_id"],
                name=staff["name"][:80],
                skill="机电",
                skills=capacity_rules.MECHANICAL,
                active=staff["active"],
            )
        )
    elif technician is not None:
        technician.name = staff["name"][:80]
        technician.active = staff["active"] and "technician" in roles


def set_skills(uow, technician_id: str, *, skills: list[str], shift_starts: time | None, shift_ends: time | None):
    """The foreman edits a technician's skills and shift (R-WS-7)."""
    technician = uow.session.get(Technician, technician_id)
    if technician is None:
        raise NotFound("Technician not found", field="technician_id")
    unknown = [s for s in skills if s not in capacity_rules.SKILLS]
    if not skills or unknown:
        raise DomainError("Choose the technician's skills", field="skills", code="skills")
    if shift_starts and shift_ends and shift_starts >= shift_ends:
        raise DomainError("The shift must end after it starts", field="shift_ends", code="shift")
    technician.skills = ",".join(sorted(set(skills)))
    technician.shift_starts, technician.shift_ends = shift_starts, shift_ends
    return technician


def people(session) -> dict[str, str]:
    """staff id -> name, for the pages (technicians and the directory's workshop people)."""
    names = {t.technician_id: t.name for t in session.scalars(sa.select(Technician))}
    names.update({p.staff_id: p.name for p in session.scalars(sa.select(FloorStaff))})
    return names


def experts_on_duty(session) -> list[str]:
    return [
        p.staff_id
        for p in session.scalars(sa.select(FloorStaff).where(FloorStaff.active.is_(True)))
        if "technical_expert" in p.roles
    ]


def technicians(session) -> list[dict]:
    return [
        {
            "technician_id": t.technician_id,
            "name": t.name,
            "skills": [s for s in t.skills.split(",") if s],
            "shift_starts": t.shift_starts.strftime("%H:%M") if t.shift_starts else None,
            "shift_ends": t.shift_ends.strftime("%H:%M") if t.shift_ends else None,
            "active": t.active,
        }
        for t in session.scalars(sa.select(Technician).order_by(Technician.technician_id))
    ]
