"""Appointments as the pages and JSON show them: the board, one appointment, the welcome board (R-BK-9) and
the advisor's day (R-BK-6, R-BK-7)."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from contracts.validators import vin_check_digit
from kit.paging import Page, contains, paginate

from ..domain.customers import welcome_name
from ..models import Appointment, Customer, Vehicle
from .checklist import preparation
from .confirmations import confirmation_tasks
from .schedule import SHANGHAI


def appointments(session, page: int = 1, per_page: int = 50, q: str = "") -> Page:
    """Appointments by time; searchable by plate, VIN, customer name or mobile."""
    query = (
        sa.select(Appointment, Customer, Vehicle)
        .join(Customer, Customer.customer_id == Appointment.customer_id)
        .join(Vehicle, Vehicle.vin == Appointment.vin)
        .order_by(Appointment.starts_at)
    )
    if q:
        query = query.where(
            sa.or_(
                contains(q, Vehicle.plate, Vehicle.vin, Customer.name, Customer.mobile),
                Customer.pinyin.ilike(f"%{q.lower().replace(' ', '')}%"),  # "zs" finds 张三
            )
        )
    return paginate(session, query, page, per_page, appointment_view)


_A, _C, _V = Appointment.__table__.c, Customer.__table__.c, Vehicle.__table__.c
# built once, columns rather than entities (nothing to track: a read)
_ONE = (
    sa.select(
        _A.appointment_id,
        _A.visit_id,
        _A.starts_at,
        _C.customer_id,
        _C.name,
        _C.mobile,
        _V.vin,
        _V.plate,
        _V.model,
        _A.advisor_id,
        _A.complaint,
        _A.planned_labour,
        _A.planned_parts,
        _A.status,
        _A.parts_status,
        _A.parts_short,
        _A.booked_by,
        _A.booked_at,
    )
    .join_from(Appointment.__table__, Customer.__table__, _C.customer_id == _A.customer_id)
    .join(Vehicle.__table__, _V.vin == _A.vin)
    .where(_A.appointment_id == sa.bindparam("appointment_id"))
)


def appointment(session, appointment_id: str) -> dict | None:
    """One appointment as `appointment_view` shows it."""
    r = session.connection().execute(_ONE, {"appointment_id": appointment_id}).first()
    # the row holds every column the view reads of the appointment, its customer and its vehicle
    return None if r is None else appointment_view(r, r, r)


# a VIN's check-digit state never changes: kept for the VINs last shown (vininfo parses a VIN in about 40 calls,
# and the desk reads an appointment several times while it waits for parts)
_vin_check_digit = functools.lru_cache(maxsize=1024)(vin_check_digit)


def appointment_view(a: Appointment, c: Customer, v: Vehicle) -> dict:
    return {
        "appointment_id": a.appointment_id,
        "visit_id": a.visit_id,
        "starts_at": a.starts_at,
        "customer_id": c.customer_id,
        "customer": {"name": c.name, "mobile": c.mobile},
        "vehicle": {"vin": v.vin, "plate": v.plate, "model": v.model, "vin_check_digit": _vin_check_digit(v.vin)},
        "advisor_id": a.advisor_id,
        "complaint": a.complaint,
        "planned_labour": a.planned_labour,
        "planned_parts": a.planned_parts,
        "status": a.status,
        "parts_status": a.parts_status,
        "parts_short": a.parts_short,
        "booked_by": a.booked_by,
        "booked_at": a.booked_at,
    }


def written_view(a: Appointment, c: Customer, v: Vehicle) -> dict:
    """`appointment_view` of rows as the command wrote them (flushed), equal to reading them back: the time in UTC
    as the database gives it."""
    view = appointment_view(a, c, v)
    view["starts_at"] = a.starts_at.astimezone(UTC)
    return view


def welcome_board(session, day: date, tz: ZoneInfo = SHANGHAI) -> list[dict]:
    """R-BK-9: today's booked arrivals as the board shows them, each customer's privacy choice honoured."""
    start = datetime.combine(day, time(0, 0), tz)
    rows = session.execute(
        sa.select(Appointment, Customer, Vehicle)
        .join(Customer, Customer.customer_id == Appointment.customer_id)
        .join(Vehicle, Vehicle.vin == Appointment.vin)
        .where(
            Appointment.status == "booked",
            Appointment.starts_at >= start,
            Appointment.starts_at < start + timedelta(days=1),
        )
        .order_by(Appointment.starts_at)
    ).all()
    return [
        {
            "starts_at": a.starts_at,
            "advisor_id": a.advisor_id,
            "plate": v.plate,
            "greeting": welcome_name(c.name, c.salutation, c.privacy),
        }
        for a, c, v in rows
    ]


def advisor_appointments(session, advisor_id: str, now: datetime, days: int = 2, tz: ZoneInfo = SHANGHAI) -> list[dict]:
    """R-BK-6: the advisor's booked appointments from today on, each with its checklist and confirmations."""
    start = datetime.combine(now.astimezone(tz).date(), time(0, 0), tz)
    rows = session.execute(
        sa.select(Appointment, Customer, Vehicle)
        .join(Customer, Customer.customer_id == Appointment.customer_id)
        .join(Vehicle, Vehicle.vin == Appointment.vin)
        .where(
            Appointment.advisor_id == advisor_id,
            Appointment.status == "booked",
            Appointment.starts_at >= start,
            Appointment.starts_at < start + timedelta(days=days),
        )
        .order_by(Appointment.starts_at)
    ).all()
    out = []
    for a, c, v in rows:
        view = appointment_view(a, c, v)
        view["preparation"] = preparation(session, a.appointment_id)
        view["confirmations"] = confirmation_tasks(session, now, a.appointment_id)
        view["prepared"] = all(i["done"] for i in view["preparation"])
        out.append(view)
    return out
