"""The customer file 客户档案 (R-BK-1, R-CR-3..5): customers, their vehicles and mileage readings, service
history, appointments and calls; search by plate, mobile, VIN, name or pinyin initials."""

from __future__ import annotations

import uuid
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from contracts.validators import check_mobile, check_vin
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.paging import Page, contains

from ..domain import maintenance
from ..domain.customers import check_mileage_reading, check_privacy
from ..models import Appointment, Call, CallOutcome, Customer, MileageReading, ServiceRecord, Vehicle

SHANGHAI = ZoneInfo("Asia/Shanghai")


def save_customer(uow, cmd: dict, customer_id: str | None = None) -> Customer:
    """Create a customer file (or change one): mobile and every VIN checked, nothing stored when one is wrong.

    cmd: {"name", "mobile", "salutation", "email", "privacy", "birthday", "preferred_advisor_id",
          "vehicles": [{"vin", "plate", "model", "purchase_date"}]}
    """
    session = uow.session
    mobile = check_mobile(cmd["mobile"], field="mobile")
    vehicles = [
        {**v, "vin": check_vin(v["vin"], field=f"vehicles[{i}].vin")} for i, v in enumerate(cmd.get("vehicles", []))
    ]
    if cmd.get("birthday") and cmd["birthday"] > uow.clock().date():
        raise DomainError(N_("The birthday cannot be in the future"), field="birthday", code="birthday")
    other = session.scalars(sa.select(Customer).filter_by(mobile=mobile)).first()
    if customer_id is None:
        if other is not None:
            raise DomainError(
                N_("A customer with this mobile number is already on file"), field="mobile", code="mobile_taken"
            )
        customer = Customer(customer_id=str(uuid.uuid4()), name=cmd["name"], mobile=mobile)
        session.add(customer)
    else:
        customer = _customer(session, customer_id)
        if other is not None and other.customer_id != customer_id:
            raise DomainError(
                N_("A customer with this mobile number is already on file"), field="mobile", code="mobile_taken"
            )
        customer.name, customer.mobile = cmd["name"], mobile
    customer.salutation = cmd.get("salutation", customer.salutation) or ""
    customer.email = cmd.get("email") or None
    customer.privacy = check_privacy(cmd.get("privacy") or customer.privacy or "surname")
    customer.birthday = cmd.get("birthday")
    customer.preferred_advisor_id = cmd.get("preferred_advisor_id") or None
    session.flush()
    for v in vehicles:
        vehicle = session.get(Vehicle, v["vin"])
        if vehicle is None:
            vehicle = Vehicle(vin=v["vin"], customer_id=customer.customer_id)
            session.add(vehicle)
        vehicle.customer_id = customer.customer_id
        vehicle.plate = v["plate"].strip().upper()
        vehicle.model = v.get("model", "") or vehicle.model or ""
        vehicle.purchase_date = v.get("purchase_date") or vehicle.purchase_date
    session.flush()
    return customer


def record_mileage(uow, vin: str, mileage_km: int, read_on: date, source: str = "desk", tz: ZoneInfo = SHANGHAI):
    """A dated odometer reading (a call, the desk): it feeds the car's own km/day and its due dates (R-KB-2)."""
    session = uow.session
    vehicle = session.get(Vehicle, vin)
    if vehicle is None:
        raise NotFound("Vehicle not found", field="vin")
    earlier = [km for on, km in readings(session, vin, tz) if on <= read_on]
    check_mileage_reading(mileage_km, read_on, uow.clock().astimezone(tz).date(), max(earlier, default=None))
    reading = MileageReading(
        vin=vin,
        read_on=read_on,
        mileage_km=mileage_km,
        source=source,
        recorded_by=uow.actor_id,
        recorded_at=uow.clock(),
    )
    session.add(reading)
    uow.correlation_id = vehicle.customer_id
    return vin


def readings(session, vin: str, tz: ZoneInfo = SHANGHAI) -> list[tuple[date, int]]:
    """Every (date, km) known for the car: the desk's and calls' readings and the deliveries' mileage."""
    noted = [(r.read_on, r.mileage_km) for r in session.scalars(sa.select(MileageReading).filter_by(vin=vin))]
    delivered = [
        (r.delivered_at.astimezone(tz).date(), r.mileage_km)
        for r in session.scalars(sa.select(ServiceRecord).filter_by(vin=vin))
        if r.mileage_km is not None
    ]
    return sorted(noted + delivered)


def search(session, q: str = "", page: int = 1, per_page: int = 50) -> Page:
    """Customers by plate, mobile, VIN, name, or pinyin ("zs" and "zhangsan" both find 张三)."""
    query = sa.select(Customer).order_by(Customer.name, Customer.customer_id)
    if q:
        text = q.strip()
        by_vehicle = sa.select(Vehicle.customer_id).where(contains(text.upper(), Vehicle.plate, Vehicle.vin))
        query = query.where(
            sa.or_(
                contains(text, Customer.name, Customer.mobile),
                Customer.pinyin.ilike(f"%{text.lower().replace(' ', '')}%"),
                Customer.customer_id.in_(by_vehicle),
            )
        )
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    customers = list(session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    vehicles: dict[str, list[Vehicle]] = {}
    if customers:
        for v in session.scalars(
            sa.select(Vehicle).where(Vehicle.customer_id.in_([c.customer_id for c in customers])).order_by(Vehicle.vin)
        ):
            vehicles.setdefault(v.customer_id, []).append(v)
    items = [customer_view(c, vehicles.get(c.customer_id, [])) for c in customers]
    return Page(items, page, per_page, total)


def customer_view(c: Customer, vehicles: list[Vehicle]) -> dict:
    return {
        "customer_id": c.customer_id,
        "name": c.name,
        "mobile": c.mobile,
        "salutation": c.salutation,
        "email": c.email,
        "privacy": c.privacy,
        "birthday": c.birthday,
        "preferred_advisor_id": c.preferred_advisor_id,
        "vehicles": [
            {"vin": v.vin, "plate": v.plate, "model": v.model, "purchase_date": v.purchase_date} for v in vehicles
        ],
    }


def customer_file(session, customer_id: str, today: date, tz: ZoneInfo = SHANGHAI) -> dict | None:
    """Everything the desk needs on one page: vehicles (readings, km/day, what comes due), service history,
    appointments and calls."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return None
    vehicles = list(session.scalars(sa.select(Vehicle).filter_by(customer_id=customer_id).order_by(Vehicle.vin)))
    view = customer_view(customer, vehicles)
    for v, out in zip(vehicles, view["vehicles"], strict=True):
        known = readings(session, v.vin, tz)
        out["readings"] = [{"read_on": on, "mileage_km": km} for on, km in known]
        out["km_per_day"] = maintenance.km_per_day(known)
        out["km_per_day_estimated"] = len(known) >= 2  # else the default rate stands in
        history = list(
            session.scalars(sa.select(ServiceRecord).filter_by(vin=v.vin).order_by(ServiceRecord.delivered_at))
        )
        out["history"] = [
            {
                "order_id": r.order_id,
                "delivered_at": r.delivered_at,
                "mileage_km": r.mileage_km,
                "labour_codes": r.labour_codes,
            }
            for r in history
        ]
        since = v.purchase_date or (known[0][0] if known else None)
        out["next_due"] = []
        if since is not None:
            plan = maintenance.plan_for(v.model)
            done = {}
            for item in plan.items:
                for r in history:
                    if item.labour and set(item.labour) <= set(r.labour_codes) and r.mileage_km is not None:
                        done[item.code] = (r.delivered_at.astimezone(tz).date(), r.mileage_km)
            out["next_due"] = [
                {
                    "code": d.item.code,
                    "name_zh": d.item.name_zh,
                    "name_en": d.item.name_en,
                    "due_on": d.due_on,
                    "due_km": d.due_km,
                    "reason": d.reason,
                    "overdue": d.overdue,
                }
                for d in maintenance.due_items(plan, since, known, done, today)
            ]
    view["appointments"] = [
        {
            "appointment_id": a.appointment_id,
            "starts_at": a.starts_at,
            "vin": a.vin,
            "advisor_id": a.advisor_id,
            "status": a.status,
            "complaint": a.complaint,
        }
        for a in session.scalars(
            sa.select(Appointment).filter_by(customer_id=customer_id).order_by(Appointment.starts_at.desc())
        )
    ]
    view["calls"] = calls_of(session, customer_id)
    return view


def calls_of(session, customer_id: str) -> list[dict]:
    calls = list(session.scalars(sa.select(Call).filter_by(customer_id=customer_id).order_by(Call.created_at.desc())))
    outcomes: dict[str, list[CallOutcome]] = {}
    if calls:
        for o in session.scalars(
            sa.select(CallOutcome).where(CallOutcome.call_id.in_([c.call_id for c in calls])).order_by(CallOutcome.id)
        ):
            outcomes.setdefault(o.call_id, []).append(o)
    return [
        {
            "call_id": c.call_id,
            "kind": c.kind,
            "vin": c.vin,
            "status": c.status,
            "words": c.words,
            "created_at": c.created_at,
            "created_by": c.created_by,
            "outcomes": [outcome_view(o) for o in outcomes.get(c.call_id, [])],
        }
        for c in calls
    ]


def outcome_view(o: CallOutcome) -> dict:
    return {
        "outcome": o.outcome,
        "note": o.note,
        "call_back_at": o.call_back_at,
        "appointment_id": o.appointment_id,
        "by": o.by,
        "at": o.at,
    }


def _customer(session, customer_id: str) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound("Customer not found", field="customer_id")
    return customer
