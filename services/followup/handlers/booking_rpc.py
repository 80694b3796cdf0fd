"""Booking the next visit through booking's RPC (R-CR-4, R-BL-4; a complaint's priority return, R-FU-5)."""

from __future__ import annotations

from datetime import timedelta

from kit.errors import DomainError
from kit.i18n import N_
from kit.rpc import Client, ServiceUnavailable
from kit.types import utcnow

from ..domain.calendar import WorkingCalendar, priority_slot_days


def book_visit(booking: Client, customer: dict, vehicle: dict, advisor_id: str, note: str, actor_id: str, days) -> dict:
    """booking.book_visit: the advisor's first free slot on `days`; refused (field named) when none fits."""
    if not vehicle.get("vin"):
        raise DomainError(N_("The car's VIN is needed to book a visit"), field="vin")
    if not advisor_id:
        raise DomainError(N_("Choose the advisor"), field="advisor_id")
    answer = booking.call(
        "book_visit",
        field="starts_at",
        booking={
            "customer": {"name": customer.get("name", ""), "mobile": customer.get("mobile", "")},
            "vehicle": {"plate": vehicle.get("plate", ""), "model": vehicle.get("model", "")},
            "vin": vehicle["vin"],
            "advisor_id": advisor_id,
            "complaint": note[:200],
        },
        days=[d.isoformat() for d in days],
        actor_id=actor_id,
    )
    if answer.get("booked"):
        return answer
    # booking refused (no free time, a bad VIN, the workshop away): its reason, in this service's words
    field = "starts_at" if answer.get("field") in (None, "starts_at") else answer["field"]
    if answer.get("code") == "service_unavailable":
        raise ServiceUnavailable(answer["params"].get("service", "booking"), field=field)
    raise DomainError(answer["msgid"], field=field, code=answer.get("code") or "refused", **answer.get("params", {}))


def priority_days(cal: WorkingCalendar) -> list:
    """R-FU-5: a slot within the next two working days."""
    return priority_slot_days(utcnow(), cal)


def next_days(cal: WorkingCalendar, count: int = 7) -> list:
    """A contact's next visit: the first working days from tomorrow."""
    start = cal.local_day(utcnow()) + timedelta(days=1)
    return list(cal.working_days(start, count))
