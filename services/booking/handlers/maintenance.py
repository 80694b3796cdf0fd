"""Service history fed by deliveries, and the maintenance due list built from it (R-BK-1, R-KB-2)."""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from contracts import Envelope

from ..domain import maintenance
from ..models import Customer, MileageReading, ServiceRecord, Vehicle
from .schedule import SHANGHAI

log = logging.getLogger(__name__)


def record_service(uow, event: Envelope) -> None:
    """vehicle_delivered -> the service history of the customer file (and a mileage reading)."""
    delivered = event.payload
    vin = delivered["vehicle"]["vin"]
    connection = uow.session.connection()  # nothing tracked to flush first
    added = connection.execute(
        _NEW_RECORD[connection.dialect.name],
        {
            "order_id": delivered["order_id"],
            "vin": vin,
            "delivered_at": delivered["delivered_at"],
            "mileage_km": delivered.get("mileage_km"),
            "labour_codes": list(delivered.get("labour_codes", [])),
        },
    )
    if not added.rowcount:
        # the same delivery re-sent under a new event id: absorbed by its business key, the order (issue 12)
        log.info("vehicle_delivered for order %s already in the history: absorbed", delivered["order_id"])


# one statement, built once per dialect: the record, unless the order is in the history already
_NEW_RECORD = {
    name: dialect.insert(ServiceRecord.__table__).on_conflict_do_nothing(index_elements=["order_id"])
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}


def due_list(session, today: date, days: int, tz: ZoneInfo = SHANGHAI) -> list[dict]:
    """R-BK-1 proactive booking: who is due for which maintenance in the next `days` days, and why (R-KB-2)."""
    records: dict[str, list[ServiceRecord]] = {}
    for record in session.scalars(sa.select(ServiceRecord).order_by(ServiceRecord.delivered_at)):
        records.setdefault(record.vin, []).append(record)
    noted: dict[str, list[tuple[date, int]]] = {}  # readings from calls and the desk: each car's own km/day
    for reading in session.scalars(sa.select(MileageReading)):
        noted.setdefault(reading.vin, []).append((reading.read_on, reading.mileage_km))
    rows = session.execute(sa.select(Vehicle, Customer).join(Customer, Customer.customer_id == Vehicle.customer_id))
    out = []
    for vehicle, customer in rows:
        history = records.get(vehicle.vin, [])
        readings = [(r.delivered_at.astimezone(tz).date(), r.mileage_km) for r in history if r.mileage_km is not None]
        readings = sorted([*readings, *noted.get(vehicle.vin, [])])
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
