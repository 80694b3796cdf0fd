"""Dispatch 派工 (R-WS-1, R-WS-7): each job (order line) goes to a technician and a bay for a window of time.

A technician or bay already busy in that window is refused naming the field, with the free alternatives; a
technician without the job's skill or off shift in that window is refused too. Team mode: an advisor who leads a
team (a setting) assigns their own orders to their team's technicians, without the dispatcher. Plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from kit.errors import DomainError
from kit.i18n import N_, translate

from .capacity import LABOUR_SKILLS, MECHANICAL, SKILLS


@dataclass(frozen=True)
class Window:
    starts: datetime
    ends: datetime

    @classmethod
    def of(cls, starts: datetime, hours: Decimal) -> Window:
        minutes = max(int(Decimal(hours) * 60), 1)
        return cls(starts, starts + timedelta(minutes=minutes))

    def overlaps(self, other: Window) -> bool:
        return self.starts < other.ends and other.starts < self.ends


@dataclass(frozen=True)
class Worker:
    """A technician as dispatch sees them: skills and shift (None: the workshop's hours)."""

    technician_id: str
    skills: frozenset[str]
    shift_starts: time | None = None
    shift_ends: time | None = None
    active: bool = True


@dataclass(frozen=True)
class Booked:
    """A job already assigned (and not finished): who and where, and when."""

    technician_id: str | None
    bay_id: str | None
    window: Window
    job: tuple[str, int] = ("", 0)  # (order id, line no)


@dataclass(frozen=True)
class Floor:
    """Everything a dispatch decision needs: technicians, bays, what is booked, the workshop's hours."""

    workers: Mapping[str, Worker]
    bays: Iterable[str]
    booked: list[Booked] = field(default_factory=list)
    opens: time = time(8, 30)
    closes: time = time(18, 0)
    tz: ZoneInfo = ZoneInfo("Asia/Shanghai")


def skill_of(code: str) -> str:
    """The skill a labour operation needs (the workshop's planning data; unknown codes are mechanical)."""
    return LABOUR_SKILLS.get(code, MECHANICAL)


def on_shift(worker: Worker, window: Window, floor: Floor) -> bool:
    starts, ends = worker.shift_starts or floor.opens, worker.shift_ends or floor.closes
    a, b = window.starts.astimezone(floor.tz), window.ends.astimezone(floor.tz)
    return a.date() == b.date() and starts <= a.time() and b.time() <= ends


def busy_technicians(floor: Floor, window: Window, ignore: tuple[str, int] | None = None) -> set[str]:
    return {b.technician_id for b in floor.booked if b.technician_id and b.job != ignore and b.window.overlaps(window)}


def busy_bays(floor: Floor, window: Window, ignore: tuple[str, int] | None = None) -> set[str]:
    return {b.bay_id for b in floor.booked if b.bay_id and b.job != ignore and b.window.overlaps(window)}


def free_technicians(floor: Floor, window: Window, skill: str, ignore=None, among: Iterable[str] | None = None):
    """Technicians with the skill, on shift for the whole window and not busy in it (R-WS-7)."""
    busy = busy_technicians(floor, window, ignore)
    allowed = set(among) if among is not None else None
    return sorted(
        w.technician_id
        for w in floor.workers.values()
        if w.active
        and skill in w.skills
        and on_shift(w, window, floor)
        and w.technician_id not in busy
        and (allowed is None or w.technician_id in allowed)
    )


def free_bays(floor: Floor, window: Window, ignore=None) -> list[str]:
    busy = busy_bays(floor, window, ignore)
    return sorted(b for b in floor.bays if b not in busy)


class DispatchRefused(DomainError):
    """The assignment conflicts; `details["alternatives"]` names the free technicians and bays for the window."""

    def __init__(self, msgid: str, *, field: str, alternatives: dict, **params):
        super().__init__(msgid, field=field, code="dispatch_conflict", **params)
        self.details = {"alternatives": alternatives}

    def message_in(self, locale: str) -> str:
        """The skill is named in the reader's language (机电, not "mechanical")."""
        params = dict(self.params)
        if params.get("skill") in SKILLS:
            params["skill"] = translate(SKILLS[params["skill"]], locale)
        return translate(self.msgid, locale, **params)


def check_assignment(
    floor: Floor,
    *,
    technician_id: str,
    bay_id: str,
    window: Window,
    code: str,
    job: tuple[str, int] | None = None,
    team: Iterable[str] | None = None,
) -> None:
    """R-WS-1/R-WS-7: refuse a technician outside the team, without the skill, off shift or busy, and a busy bay.

    `job` is the job being (re)assigned: its own current booking does not count against it."""
    skill = skill_of(code)
    team = list(team) if team is not None else None
    alternatives = {
        "technicians": free_technicians(floor, window, skill, job, team),
        "bays": free_bays(floor, window, job),
    }
    worker = floor.workers.get(technician_id)
    if worker is None or not worker.active:
        raise DispatchRefused(N_("Technician not found"), field="technician_id", alternatives=alternatives)
    if team is not None and technician_id not in team:
        raise DispatchRefused(
            N_("This technician is not in the advisor's team"), field="technician_id", alternatives=alternatives
        )
    if skill not in worker.skills:
        raise DispatchRefused(
            N_("This technician lacks the skill the job needs ({skill})"),
            field="technician_id",
            alternatives=alternatives,
            skill=skill,
        )
    if not on_shift(worker, window, floor):
        raise DispatchRefused(
            N_("This technician is not on shift for the whole job"), field="technician_id", alternatives=alternatives
        )
    if technician_id in busy_technicians(floor, window, job):
        raise DispatchRefused(
            N_("This technician is busy in that time; free: {free}"),
            field="technician_id",
            alternatives=alternatives,
            free="、".join(alternatives["technicians"]) or "-",
        )
    if bay_id not in set(floor.bays):
        raise DispatchRefused(N_("Bay not found"), field="bay_id", alternatives=alternatives)
    if bay_id in busy_bays(floor, window, job):
        raise DispatchRefused(
            N_("This bay is taken in that time; free: {free}"),
            field="bay_id",
            alternatives=alternatives,
            free="、".join(alternatives["bays"]) or "-",
        )


def parse_teams(text: str | None) -> dict[str, tuple[str, ...]]:
    """WORKSHOP_TEAMS = "A002=T002+T005;A003=T006": the advisors who lead a team (R-WS-1 team mode)."""
    teams: dict[str, tuple[str, ...]] = {}
    for part in (text or "").split(";"):
        leader, _, members = part.partition("=")
        if leader.strip() and members.strip():
            teams[leader.strip()] = tuple(m.strip() for m in members.split("+") if m.strip())
    return teams


def earliest_start(
    floor: Floor,
    technician_id: str,
    bay_id: str,
    minutes: int,
    not_before: datetime,
    step: int = 15,
    days: int = 14,
    ignore: tuple[str, int] | None = None,
) -> datetime | None:
    """The first quarter hour from `not_before` at which the technician (on shift) and the bay are both free for
    `minutes`: dispatching a whole order queues its jobs behind the technician's current work."""
    worker = floor.workers.get(technician_id)
    if worker is None:
        return None
    at = not_before.replace(second=0, microsecond=0)
    at += timedelta(minutes=(-at.minute) % step)
    for _ in range(days * 24 * 60 // step):
        window = Window(at, at + timedelta(minutes=max(minutes, 1)))
        if (
            on_shift(worker, window, floor)
            and technician_id not in busy_technicians(floor, window, ignore)
            and bay_id not in busy_bays(floor, window, ignore)
        ):
            return at
        at += timedelta(minutes=step)
    return None
