"""Booking's use cases."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from contracts import Envelope, names
from kit import notify
from kit.errors import DomainError, NotFound
from kit.i18n import N_, translate
from kit.paging import Page, contains, paginate

from . import domain, maintenance
from .models import Appointment, Customer, ServiceRecord, Vehicle
from .slots import SlotRules, check_slot, free_slots

DEFAULT_RULES = SlotRules()
SHANGHAI = ZoneInfo("Asia/Shanghai")


def booked_times(session, advisor_id: str, day: date, tz: ZoneInfo) -> list[datetime]:
    """The advisor's booked reception starts on that (local) day."""
    start = datetime.combine(day, time(0, 0), tz)
    return list(
        session.scalars(
            sa.select(Appointment.starts_at).where(
                Appointment.advisor_id == advisor_id,
                Appointment.status == "booked",
                Appointment.starts_at >= start,
                Appointment.starts_at < start + timedelta(days=1),
            )
        )
    )


def open_slots(
    session, advisor_id: str, day: date, now: datetime, rules: SlotRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI
) -> list[datetime]:
    return free_slots(day, rules, tz, booked_times(session, advisor_id, day, tz), now)


def cancel_appointment(
    uow,
    appointment_id: str,
    *,
    reason: str,
    by_dealership: bool,
    rules: SlotRules = DEFAULT_RULES,
    tz: ZoneInfo = SHANGHAI,
) -> Appointment:
    """Cancel: the shelf reservation is released and reception stops expecting the car.

    R-BK-8: when the dealership cannot honour a booking it says so with `by_dealership`, so the
    customer is told in time and offered new times.
    """
    appointment = _appointment(uow, appointment_id)
    if appointment.status != "booked":
        raise DomainError(N_("Only a booked appointment can be cancelled"), field="appointment_id", code="not_booked")
    appointment.status, appointment.cancelled_at, appointment.cancel_reason = "cancelled", uow.clock(), reason
    customer = uow.session.get(Customer, appointment.customer_id)
    if by_dealership and customer.email:
        # R-BK-8: told at once, never only on arrival, with new times to choose from
        day = appointment.starts_at.astimezone(tz).date()
        offers = [
            s
            for d in range(0, 3)
            for s in open_slots(uow.session, appointment.advisor_id, day + timedelta(days=d), uow.clock(), rules, tz)
        ][:5]
        notify.queue(
            uow,
            recipient=customer.email,
            about=appointment_id,
            subject=translate(N_("We have to move your appointment"), "zh_CN"),
            body=translate(
                N_(
                    "Dear {name}, we are sorry: we cannot keep your appointment at {time} "
                    "({reason}). We can offer: {offers}. Please reply or call us to choose."
                ),
                "zh_CN",
                name=customer.name,
                reason=reason or "-",
                time=appointment.starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                offers="、".join(s.strftime("%m-%d %H:%M") for s in offers),
            ),
        )
    uow.emit(
        names.APPOINTMENT_CANCELLED,
        {
            "appointment_id": appointment_id,
            "visit_id": appointment.visit_id,
            "reason": reason,
            "by_dealership": by_dealership,
        },
        correlation_id=appointment.visit_id,
    )
    return appointment


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
            "greeting": domain.welcome_name(c.name, c.salutation, c.privacy),
        }
        for a, c, v in rows
    ]


def book_appointment(uow, cmd: dict, rules: SlotRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI) -> Appointment:
    """Record the appointment and announce it: parts reserve the shelf, reception expects the car.

    R-BK-3: only a free reception slot of the advisor; R-BK-5: the advisor named is told to the customer.
    """
    customer_in, vehicle_in = cmd["customer"], cmd["vehicle"]
    mobile = domain.check_mobile(customer_in["mobile"])
    vin = domain.check_vin(vehicle_in["vin"], field="vin")
    starts_at = cmd["starts_at"]
    session = uow.session
    check_slot(
        starts_at, rules, tz, booked_times(session, cmd["advisor_id"], starts_at.astimezone(tz).date(), tz), uow.clock()
    )
    customer = session.scalars(sa.select(Customer).filter_by(mobile=mobile)).first()
    if customer is None:
        customer = Customer(customer_id=str(uuid.uuid4()), name=customer_in["name"], mobile=mobile)
        session.add(customer)
        session.flush()
    customer.name = customer_in["name"]
    customer.salutation = cmd.get("salutation") or customer.salutation or ""
    customer.email = cmd.get("email") or customer.email
    customer.privacy = domain.check_privacy(cmd.get("privacy") or customer.privacy or "surname")
    vehicle = session.get(Vehicle, vin)
    if vehicle is None:
        vehicle = Vehicle(vin=vin, customer_id=customer.customer_id)
        session.add(vehicle)
    vehicle.plate = vehicle_in["plate"].strip().upper()
    vehicle.model = vehicle_in.get("model", "")
    vehicle.purchase_date = cmd.get("purchase_date") or vehicle.purchase_date
    vehicle.customer_id = customer.customer_id
    session.flush()  # customer and vehicle rows before the appointment that refers to them
    appointment = Appointment(
        appointment_id=str(uuid.uuid4()),
        visit_id=str(uuid.uuid4()),
        customer_id=customer.customer_id,
        vin=vin,
        starts_at=starts_at,
        advisor_id=cmd["advisor_id"],
        complaint=cmd.get("complaint", ""),
        planned_labour=list(cmd.get("planned_labour", [])),
        planned_parts=[{"part_no": p["part_no"], "quantity": str(p["quantity"])} for p in cmd.get("planned_parts", [])],
        booked_by=uow.actor_id,
        booked_at=uow.clock(),
    )
    session.add(appointment)
    session.flush()
    uow.emit(
        names.APPOINTMENT_BOOKED,
        {
            "appointment_id": appointment.appointment_id,
            "visit_id": appointment.visit_id,
            "customer": {"name": customer.name, "mobile": customer.mobile},
            "vehicle": {"vin": vin, "plate": vehicle.plate, "model": vehicle.model},
            "starts_at": starts_at,
            "advisor_id": appointment.advisor_id,
            "complaint": appointment.complaint,
            "planned_labour": appointment.planned_labour,
            "planned_parts": appointment.planned_parts,
        },
        correlation_id=appointment.visit_id,
    )
    if customer.email:  # R-BK-5: the customer is told the time and who will receive them
        notify.queue(
            uow,
            recipient=customer.email,
            about=appointment.appointment_id,
            subject=translate(N_("Your service appointment"), "zh_CN"),
            body=translate(
                N_(
                    "Dear {name}, your car {plate} is booked for {time}. Your service advisor "
                    "{advisor} will receive you."
                ),
                "zh_CN",
                name=customer.name,
                plate=vehicle.plate,
                time=starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                advisor=appointment.advisor_id,
            ),
        )
    return appointment


def record_service(uow, event: Envelope) -> None:
    """vehicle_delivered -> the service history of the customer file (and a mileage reading)."""
    delivered = event.payload
    vin = delivered["vehicle"]["vin"]
    uow.session.add(
        ServiceRecord(
            order_id=delivered["order_id"],
            vin=vin,
            delivered_at=delivered["delivered_at"],
            mileage_km=delivered.get("mileage_km"),
            labour_codes=list(delivered.get("labour_codes", [])),
        )
    )


def due_list(session, today: date, days: int, tz: ZoneInfo = SHANGHAI) -> list[dict]:
    """R-BK-1 proactive booking: who is due for which maintenance in the next `days` days, and why (R-KB-2)."""
    records: dict[str, list[ServiceRecord]] = {}
    for record in session.scalars(sa.select(ServiceRecord).order_by(ServiceRecord.delivered_at)):
        records.setdefault(record.vin, []).append(record)
    rows = session.execute(sa.select(Vehicle, Customer).join(Customer, Customer.customer_id == Vehicle.customer_id))
    out = []
    for vehicle, customer in rows:
        history = records.get(vehicle.vin, [])
        readings = [(r.delivered_at.astimezone(tz).date(), r.mileage_km) for r in history if r.mileage_km is not None]
        since = vehicle.purchase_date or (readings[0][0] if readings else None)
        if since is None:
            continue  # nothing known yet about this car's age or use
        plan = maintenance.plan_for(vehicle.model)
        done = {}
        for item in plan.items:
            for r in history:  # the latest service that did every labour operation of the item
                if item.labour and set(item.labour) <= set(r.labour_codes) and r.mileage_km is not None:
                    done[item.code] = (r.delivered_at.astimezone(tz).date(), r.mileage_km)
        due = maintenance.due_within(plan, since, readings, done, today, days)
        if due:
            out.append(
                {
                    "vin": vehicle.vin,
                    "plate": vehicle.plate,
                    "model": vehicle.model,
                    "customer": {"name": customer.name, "mobile": customer.mobile},
                    "items": [
                        {
                            "code": d.item.code,
                            "name_zh": d.item.name_zh,
                            "name_en": d.item.name_en,
                            "due_on": d.due_on,
                            "due_km": d.due_km,
                            "reason": d.reason,
                            "overdue": d.overdue,
                        }
                        for d in due
                    ],
                }
            )
    return sorted(out, key=lambda v: min(i["due_on"] for i in v["items"]))


def note_parts_reserved(uow, event: Envelope) -> None:
    """R-BK-6: the advisor sees the parts are waiting on the appointment shelf."""
    appointment = _appointment(uow, event.payload["appointment_id"])
    appointment.parts_status = "reserved"
    appointment.parts_short = []


def note_parts_short(uow, event: Envelope) -> None:
    """R-BK-6/R-BK-8: a shortage is shown with its expected date so the desk can re-arrange in time."""
    appointment = _appointment(uow, event.payload["appointment_id"])
    appointment.parts_status = "short"
    appointment.parts_short = event.raw_payload["short"]


def _appointment(uow, appointment_id: str) -> Appointment:
    appointment = uow.session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound("Appointment {appointment_id} not found", appointment_id=appointment_id)
    return appointment


def appointments(session, page: int = 1, per_page: int = 50, q: str = "") -> Page:
    """Appointments by time; searchable by plate, VIN, customer name or mobile."""
    query = (
        sa.select(Appointment, Customer, Vehicle)
        .join(Customer, Customer.customer_id == Appointment.customer_id)
        .join(Vehicle, Vehicle.vin == Appointment.vin)
        .order_by(Appointment.starts_at)
    )
    if q:
        query = query.where(contains(q, Vehicle.plate, Vehicle.vin, Customer.name, Customer.mobile))
    return paginate(session, query, page, per_page, appointment_view)


def appointment(session, appointment_id: str) -> dict | None:
    row = session.execute(
        sa.select(Appointment, Customer, Vehicle)
        .join(Customer, Customer.customer_id == Appointment.customer_id)
        .join(Vehicle, Vehicle.vin == Appointment.vin)
        .where(Appointment.appointment_id == appointment_id)
    ).first()
    return appointment_view(*row) if row else None


def appointment_view(a: Appointment, c: Customer, v: Vehicle) -> dict:
    return {
        "appointment_id": a.appointment_id,
        "visit_id": a.visit_id,
        "starts_at": a.starts_at,
        "customer": {"name": c.name, "mobile": c.mobile},
        "vehicle": {"vin": v.vin, "plate": v.plate, "model": v.model},
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
