"""Expected arrivals (from booking's events) and check-in: the booked car by appointment or plate, or a
walk-in, each with the day's queue ticket (R-BK-5, R-RC-8); the visit views."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contracts import Envelope
from contracts.validators import check_mobile, check_vin
from kit.errors import DomainError, NotFound
from kit.types import UtcDateTime

from ..domain import pre_inspection as rules
from ..models import CancelledAppointment, CongestionIncident, ExpectedArrival, Order, StaffName, Visit
from .pre_inspection import watch_pre_inspection
from .visits import HeldVisit

_ARRIVALS = ExpectedArrival.__table__
_CANCELLED = CancelledAppointment.__table__
_EXPECT = sa.insert(_ARRIVALS).from_select(  # built once, one statement: the car is expected, unless its appointment
    # was cancelled or is expected already
    [c.key for c in _ARRIVALS.c],
    sa.select(*(sa.bindparam(c.key, type_=c.type) for c in _ARRIVALS.c)).where(
        ~sa.exists().where(_CANCELLED.c.appointment_id == sa.bindparam("appointment_id")),
        ~sa.exists().where(_ARRIVALS.c.appointment_id == sa.bindparam("appointment_id")),
    ),
)


def expect_arrival(uow, event: Envelope) -> None:
    """appointment_booked -> the car is expected; the booked advisor will receive it (R-BK-5). Nothing when the
    appointment was cancelled, or when the booking re-sent it under a new event id (expected once, issue 12,
    item 6): the statement's own conditions."""
    a = event.raw_payload
    arrival = {
        "appointment_id": a["appointment_id"],
        "visit_id": a["visit_id"],
        "plate": normal_plate(a["vehicle"]["plate"]),
        "customer": a["customer"],
        "vehicle": a["vehicle"],
        "starts_at": event.payload["starts_at"],
        "advisor_id": a["advisor_id"],
        "complaint": a.get("complaint", ""),
        "planned_labour": a.get("planned_labour", []),
        "planned_parts": a.get("planned_parts", []),
        "arrived": False,
    }
    uow.session.connection().execute(_EXPECT, arrival)  # nothing reads it back in this unit of work


def forget_arrival(uow, event: Envelope) -> None:
    """appointment_cancelled -> the car is no longer expected (unless it has already arrived)."""
    appointment_id = event.payload["appointment_id"]
    if uow.session.get(CancelledAppointment, appointment_id) is None:
        uow.session.add(CancelledAppointment(appointment_id=appointment_id, cancelled_at=uow.clock()))
    arrival = uow.session.get(ExpectedArrival, appointment_id)
    if arrival is not None and not arrival.arrived:
        uow.session.delete(arrival)


def move_arrival(uow, event: Envelope) -> None:
    """appointment_rescheduled -> the car is expected at its new time, by the advisor now named (R-BK-5)."""
    arrival = uow.session.get(ExpectedArrival, event.payload["appointment_id"])
    if arrival is not None and not arrival.arrived:
        arrival.starts_at, arrival.advisor_id = event.payload["starts_at"], event.payload["advisor_id"]


def drop_arrival(uow, event: Envelope) -> None:
    """appointment_no_show -> the car is no longer expected (as for a cancellation)."""
    forget_arrival(uow, event)


def normal_plate(plate: str) -> str:
    """A plate as booking writes it: upper case, without spaces or the middle dot."""
    return "".join(ch for ch in (plate or "").upper() if ch not in " \t·.-")


SHANGHAI = ZoneInfo("Asia/Shanghai")


def check_in(uow, cmd: dict, tz: ZoneInfo = SHANGHAI) -> HeldVisit:
    """A booked arrival (by appointment id or plate) or a walk-in (customer, vehicle, advisor). The car waits
    in the pre-inspection area with a queue ticket 叫号牌, the day's next number (R-RC-8)."""
    session = uow.session
    arrival = None
    if cmd.get("appointment_id"):  # one statement: the expected car marked arrived, as it was expected
        arrival = session.connection().execute(_ARRIVING, {"key": cmd["appointment_id"]}).mappings().first()
        if arrival is None:  # not expected (yet), or checked in already: which one
            expected = session.connection().execute(_EXPECTED_ONE, {"appointment_id": cmd["appointment_id"]}).first()
            if expected is None:
                raise NotFound(
                    "Appointment not found (it may not have reached reception yet, try again shortly)",
                    field="appointment_id",
                )
            raise DomainError(
                "This appointment has already been checked in", field="appointment_id", code="already_checked_in"
            )
    elif cmd.get("plate") and not cmd.get("vehicle"):
        # R-BK-5: the booked car by its plate ("沪A·12345", "沪a 12345" alike); the nearest appointment first
        now = uow.clock()
        candidates = (
            session.connection().execute(_EXPECTED_BY_PLATE, {"plate": normal_plate(cmd["plate"])}).mappings().all()
        )
        arrival = min(candidates, key=lambda a: abs((a["starts_at"] - now).total_seconds()), default=None)
        if arrival is None:
            raise NotFound("This plate has no appointment today; check it in as a walk-in", field="plate")
        session.connection().execute(_ARRIVED, {"key": arrival["appointment_id"]})  # read as not arrived yet
    if arrival is not None:
        visit = {
            "visit_id": arrival["visit_id"],
            "appointment_id": arrival["appointment_id"],
            "plate": arrival["plate"],
            "customer": arrival["customer"],
            "vehicle": arrival["vehicle"],
            "advisor_id": arrival["advisor_id"],
            "complaint": arrival["complaint"],
        }
    else:
        for key in ("customer", "vehicle", "advisor_id"):
            if not cmd.get(key):
                raise DomainError(
                    "A walk-in needs the customer, the vehicle and the service advisor", field=key, code="required"
                )
        _check_advisor(session, cmd["advisor_id"])
        vehicle = {
            **cmd["vehicle"],
            "vin": check_vin(cmd["vehicle"].get("vin", ""), field="vehicle.vin"),
            "plate": normal_plate(cmd["vehicle"]["plate"]),
        }
        customer = {**cmd["customer"], "mobile": check_mobile(cmd["customer"].get("mobile", ""))}
        visit = {
            "visit_id": str(uuid.uuid4()),
            "appointment_id": None,
            "plate": vehicle["plate"],
            "customer": customer,
            "vehicle": vehicle,
            "advisor_id": cmd["advisor_id"],
            "complaint": cmd.get("complaint", ""),
        }
    visit.update(_CHECKED_IN, checked_in_at=uow.clock(), checked_in_by=uow.actor_id)
    visit["ticket_day"] = rules.ticket_day(visit["checked_in_at"], tz)
    last, area = last_ticket_and_area(session, visit["ticket_day"])
    visit["ticket_no"] = last + 1
    session.connection().execute(_INSERT_VISIT, visit)  # the unique (day, number) index decides a ticket race
    # R-RC-8: the fourth waiting car raises the alert at once (the area as read, and this car now waiting)
    watch_pre_inspection(uow, [*area, SimpleNamespace(since=visit["checked_in_at"], incident_id=None)])
    return HeldVisit(**visit)  # written already (the answer is read from it)


# a visit just checked in: waiting in the pre-inspection area, not called, on no bay
_CHECKED_IN = dict.fromkeys(
    (
        "pre_inspection_started_at",
        "pre_inspection_bay",
        "on_bay",
        "pre_inspection_left_at",
        "ticket_called_at",
        "ticket_called_by",
    )
)
_CHECKED_IN["status"] = "checked_in"
_INSERT_VISIT = sa.insert(Visit.__table__)  # built once, as the three below
_ARRIVED = sa.update(_ARRIVALS).where(_ARRIVALS.c.appointment_id == sa.bindparam("key")).values(arrived=True)


def last_ticket_and_area(session, day) -> tuple[int, list]:
    """The day's last queue ticket number (0: none yet, R-RC-8) and the pre-inspection area's rows (each waiting
    car's check-in time, the open incident's id), in one statement. Two check-ins at the same moment may both read
    the same number: the unique (day, number) index refuses the second, and `checked_in` runs it again."""
    rows = session.connection().execute(_LAST_TICKET_AND_AREA, {"day": day}).all()
    last = next((row.last_ticket for row in rows if row.part == "ticket"), None)
    return last or 0, [row for row in rows if row.part != "ticket"]


_LAST_TICKET_AND_AREA = sa.union_all(  # built once
    sa.select(
        sa.literal("ticket").label("part"),
        sa.func.max(Visit.ticket_no).label("last_ticket"),
        sa.cast(sa.null(), UtcDateTime).label("since"),
        sa.cast(sa.null(), sa.Integer).label("incident_id"),
    ).where(Visit.ticket_day == sa.bindparam("day")),
    sa.select(
        sa.literal("waiting"), sa.cast(sa.null(), sa.Integer), Visit.checked_in_at, sa.cast(sa.null(), sa.Integer)
    ).where(Visit.pre_inspection_started_at.is_(None), Visit.status == "checked_in"),
    sa.select(
        sa.literal("incident"), sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), UtcDateTime), CongestionIncident.id
    ).where(CongestionIncident.cleared_at.is_(None)),
)


TICKET_ATTEMPTS = 5


def checked_in(work, cmd: dict, *, actor_id: str | None, tz: ZoneInfo = SHANGHAI) -> HeldVisit:
    """Check a car in through `work` (kit.uow.Work), settling a queue ticket race: when another advisor took
    the same number a moment ago the unique index decided, and this check-in runs again with the next one."""
    for _attempt in range(TICKET_ATTEMPTS - 1):
        try:
            return work.run(check_in, cmd, tz, actor_id=actor_id)
        except IntegrityError:
            continue  # everything of the attempt was rolled back; a booked arrival still not arrived
    return work.run(check_in, cmd, tz, actor_id=actor_id)


_ARRIVAL_COLUMNS = (
    ExpectedArrival.appointment_id,
    ExpectedArrival.visit_id,
    ExpectedArrival.plate,
    ExpectedArrival.customer,
    ExpectedArrival.vehicle,
    ExpectedArrival.starts_at,
    ExpectedArrival.advisor_id,
    ExpectedArrival.complaint,
    ExpectedArrival.planned_labour,
    ExpectedArrival.planned_parts,
    ExpectedArrival.arrived,
)
_EXPECTED_ONE = sa.select(*_ARRIVAL_COLUMNS).where(  # built once: polled until booking's event has arrived
    ExpectedArrival.appointment_id == sa.bindparam("appointment_id")
)
_ARRIVING = (  # an expected car not arrived yet, marked arrived; its expected arrival as it was read
    _ARRIVED.where(_ARRIVALS.c.arrived.is_(False)).returning(*_ARRIVAL_COLUMNS)
)
_EXPECTED_BY_PLATE = sa.select(*_ARRIVAL_COLUMNS).where(  # built once: a booked car checked in by its plate
    ExpectedArrival.plate == sa.bindparam("plate"), ExpectedArrival.arrived.is_(False)
)


def expected_arrivals(
    session, appointment_id: str | None = None, include_arrived: bool = False, limit: int = 200
) -> list[dict]:
    """Cars still expected, earliest first (R-BK-5); one appointment's entry when asked by id."""
    if appointment_id:
        return [
            dict(row)
            for row in session.connection().execute(_EXPECTED_ONE, {"appointment_id": appointment_id}).mappings()
        ]
    query = sa.select(*_ARRIVAL_COLUMNS).order_by(ExpectedArrival.starts_at).limit(limit)
    if not include_arrived:
        query = query.where(ExpectedArrival.arrived.is_(False))
    return [dict(row) for row in session.execute(query).mappings()]


def visits(session) -> list[dict]:
    rows = session.execute(
        sa.select(Visit, Order).outerjoin(Order, Order.visit_id == Visit.visit_id).order_by(Visit.checked_in_at.desc())
    ).all()
    return [visit_view(v, o) for v, o in rows]


_VISIT = (  # built once: the visit's page and API read it on every step
    sa.select(Visit, Order)
    .outerjoin(Order, Order.visit_id == Visit.visit_id)
    .where(Visit.visit_id == sa.bindparam("visit_id"))
)


def visit(session, visit_id: str) -> dict | None:
    row = session.execute(_VISIT, {"visit_id": visit_id}).first()
    return visit_view(*row) if row else None


def visit_view(v: Visit, o: Order | None) -> dict:
    return {
        "visit_id": v.visit_id,
        "appointment_id": v.appointment_id,
        "plate": v.plate,
        "customer": v.customer,
        "vehicle": v.vehicle,
        "advisor_id": v.advisor_id,
        "complaint": v.complaint,
        "checked_in_at": v.checked_in_at,
        "status": v.status,
        "pre_inspection_started_at": v.pre_inspection_started_at,
        "pre_inspection_bay": v.pre_inspection_bay,
        "on_bay": v.on_bay,
        "ticket": rules.ticket_label(v.ticket_no),
        "ticket_day": v.ticket_day,
        "ticket_called_at": v.ticket_called_at,
        "order": order_view_of(o) if o else None,
    }


def order_view_of(o: Order) -> dict:
    return {"order_id": o.order_id, "status": o.status, "signed_version": o.signed_version, "draft": o.draft}


def _check_advisor(session, advisor_id: str) -> None:
    """The advisor is a reference to the staff directory as reception heard it (issue 12): unknown refused, once
    reception has heard the directory at all."""
    if session.get(StaffName, advisor_id) is None and session.scalar(sa.select(StaffName.staff_id).limit(1)):
        raise DomainError(
            "Unknown staff member {staff_id}", field="advisor_id", code="unknown_staff", staff_id=advisor_id
        )
