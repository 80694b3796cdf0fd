"""Booking calls: proactive 主动预约 from the due list (R-BK-1) and inbound 被动预约 (R-BK-2).

Every call ends in an outcome that is kept with who, when and a note. A "booked" outcome creates the
appointment through the very same booking command (`appointment_commands.book_appointment`): the same checks
and the same refusals, in the same transaction as the outcome.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from contracts.validators import check_mobile, check_vin
from kit.errors import DomainError, NotFound
from kit.i18n import N_

from ..domain import maintenance
from ..domain.calls import DECLINED_QUIET_DAYS, LISTED, check_call_outcome, suggestions
from ..domain.slots import SlotRules
from ..models import Appointment, Call, CallOutcome, Customer, Vehicle
from .appointment_commands import book_appointment
from .customer_file import outcome_view
from .maintenance import due_list
from .price_list import current_price_book
from .schedule import DEFAULT_RULES

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- proactive (R-BK-1) --------------------------------------------------------------------------------


def build_call_list(uow, today: date, days: int, tz: ZoneInfo = SHANGHAI) -> list[str]:
    """Put every car due in the next `days` days on the call list, with what is due and why, unless it is
    already listed, already booked, or its owner declined within the last month."""
    session = uow.session
    now = uow.clock()
    listed = set(session.scalars(sa.select(Call.vin).where(Call.kind == "proactive", Call.status.in_(LISTED)))) | set(
        session.scalars(
            sa.select(Call.vin).where(
                Call.kind == "proactive",
                Call.status == "declined",
                Call.created_at >= now - timedelta(days=DECLINED_QUIET_DAYS),
            )
        )
    )
    booked = set(
        session.scalars(sa.select(Appointment.vin).where(Appointment.status == "booked", Appointment.starts_at > now))
    )
    created = []
    for car in due_list(session, today, days, tz):
        if car["vin"] in listed or car["vin"] in booked:
            continue
        vehicle = session.get(Vehicle, car["vin"])
        call = Call(
            call_id=str(uuid.uuid4()),
            kind="proactive",
            customer_id=vehicle.customer_id,
            vin=vehicle.vin,
            caller={},
            words="",
            due_items=[{**item, "due_on": item["due_on"].isoformat()} for item in car["items"]],
            suggestions=[],
            status="open",
            created_by=uow.actor_id,
            created_at=now,
        )
        session.add(call)
        created.append(call.call_id)
    uow.correlation_id = f"call-list:{today.isoformat()}"
    return created


def call_list(session, kind: str | None = None, include_closed: bool = False, limit: int = 200) -> list[dict]:
    """The booking desk's calls: open, to call back (soonest first) or unreachable; newest first after that."""
    query = (
        sa.select(Call, Customer, Vehicle)
        .outerjoin(Customer, Customer.customer_id == Call.customer_id)
        .outerjoin(Vehicle, Vehicle.vin == Call.vin)
        .order_by(Call.call_back_at.is_(None), Call.call_back_at, Call.created_at.desc())
        .limit(limit)
    )
    if kind:
        query = query.where(Call.kind == kind)
    if not include_closed:
        query = query.where(Call.status.in_(LISTED))
    rows = session.execute(query).all()
    outcomes: dict[str, list[CallOutcome]] = {}
    if rows:
        for o in session.scalars(
            sa.select(CallOutcome)
            .where(CallOutcome.call_id.in_([c.call_id for c, _, _ in rows]))
            .order_by(CallOutcome.id)
        ):
            outcomes.setdefault(o.call_id, []).append(o)
    return [call_view(c, cu, v, outcomes.get(c.call_id, [])) for c, cu, v in rows]


def call(session, call_id: str) -> dict | None:
    row = session.execute(
        sa.select(Call, Customer, Vehicle)
        .outerjoin(Customer, Customer.customer_id == Call.customer_id)
        .outerjoin(Vehicle, Vehicle.vin == Call.vin)
        .where(Call.call_id == call_id)
    ).first()
    if row is None:
        return None
    outcomes = list(session.scalars(sa.select(CallOutcome).filter_by(call_id=call_id).order_by(CallOutcome.id)))
    return call_view(*row, outcomes)


def call_view(c: Call, customer: Customer | None, vehicle: Vehicle | None, outcomes: list[CallOutcome]) -> dict:
    return {
        "call_id": c.call_id,
        "kind": c.kind,
        "status": c.status,
        "customer_id": c.customer_id,
        "customer": (
            {"name": customer.name, "mobile": customer.mobile, "preferred_advisor_id": customer.preferred_advisor_id}
            if customer
            else {"name": c.caller.get("name", ""), "mobile": c.caller.get("mobile", ""), "preferred_advisor_id": None}
        ),
        "vehicle": (
            {"vin": vehicle.vin, "plate": vehicle.plate, "model": vehicle.model}
            if vehicle
            else {
                "vin": c.caller.get("vin", ""),
                "plate": c.caller.get("plate", ""),
                "model": c.caller.get("model", ""),
            }
        ),
        "words": c.words,
        "due_items": c.due_items,
        "suggestions": c.suggestions,
        "price_list_version": c.price_list_version,
        "call_back_at": c.call_back_at,
        "appointment_id": c.appointment_id,
        "created_by": c.created_by,
        "created_at": c.created_at,
        "outcomes": [outcome_view(o) for o in outcomes],
    }


# --- inbound (R-BK-2) ------------------------------------------------------------------------------------


def record_inbound_call(uow, cmd: dict) -> Call:
    """Every inbound call, recorded in full: who called, about which car, the fault in their own words, and
    what the knowledge base suggests (R-KB-1) priced from booking's copy of the published price list.

    cmd: {"customer": {"name", "mobile"}, "vehicle": {"plate", "vin", "model"}, "words": "…"}
    """
    session = uow.session
    caller = cmd["customer"]
    mobile = check_mobile(caller["mobile"])
    given = cmd.get("vehicle") or {}
    plate = (given.get("plate") or "").strip().upper()
    vin = (given.get("vin") or "").strip().upper()
    if vin:
        vin = check_vin(vin, field="vehicle.vin")
    customer = session.scalars(sa.select(Customer).filter_by(mobile=mobile)).first()
    vehicle = session.get(Vehicle, vin) if vin else None
    if vehicle is None and plate:
        vehicle = session.scalars(sa.select(Vehicle).filter_by(plate=plate)).first()
    if customer is None and vehicle is not None:
        customer = session.get(Customer, vehicle.customer_id)
    book = current_price_book(session, uow.clock())
    call = Call(
        call_id=str(uuid.uuid4()),
        kind="inbound",
        customer_id=customer.customer_id if customer else None,
        vin=vehicle.vin if vehicle else None,
        caller={"name": caller["name"], "mobile": mobile, "plate": plate, "vin": vin, "model": given.get("model", "")},
        words=cmd["words"],
        due_items=[],
        suggestions=suggestions(cmd["words"], book),
        price_list_version=book.version if book else None,
        status="open",
        created_by=uow.actor_id,
        created_at=uow.clock(),
    )
    session.add(call)
    return call


# --- outcomes (both kinds) -------------------------------------------------------------------------------


def booking_for_call(session, call_id: str, cmd: dict) -> dict:
    """The booking command a "booked" outcome will run (read-only), so that the service can hold workshop
    capacity for it first, exactly as for a booking made at the desk (R-BK-4)."""
    call = _open_call(session, call_id)
    return booking_command(session, call, cmd.get("booking") or {})


def _open_call(session, call_id: str) -> Call:
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("Call not found", field="call_id")
    if call.status not in LISTED:
        raise DomainError(N_("This call is already closed"), field="call_id", code="call_closed")
    return call


def record_outcome(
    uow,
    call_id: str,
    cmd: dict,
    rules: SlotRules = DEFAULT_RULES,
    tz: ZoneInfo = SHANGHAI,
    booking: dict | None = None,
) -> CallOutcome:
    """R-BK-1: booked / declined / call back at <time> / unreachable, kept with who, when and the note.

    `booking`: the command from booking_for_call (with the appointment id capacity was held for), if any.

    cmd: {"outcome", "note", "call_back_at", "booking": {"starts_at", "advisor_id", "symptoms": [codes],
          "vin", "plate", "model", "complaint"}}; "booked" books through appointment_commands.book_appointment.
    """
    session = uow.session
    call = _open_call(session, call_id)
    now = uow.clock()
    outcome = cmd["outcome"]
    check_call_outcome(outcome, cmd.get("call_back_at"), now)
    appointment = None
    if outcome == "booked":
        appointment = book_appointment(
            uow, booking or booking_command(session, call, cmd.get("booking") or {}), rules, tz
        )
        if call.customer_id is None:
            call.customer_id, call.vin = appointment.customer_id, appointment.vin
    row = CallOutcome(
        call_id=call_id,
        outcome=outcome,
        note=cmd.get("note", ""),
        call_back_at=cmd.get("call_back_at") if outcome == "call_back" else None,
        appointment_id=appointment.appointment_id if appointment else None,
        by=uow.actor_id,
        at=now,
    )
    session.add(row)
    call.status = outcome
    call.call_back_at = row.call_back_at
    call.appointment_id = row.appointment_id or call.appointment_id
    uow.correlation_id = appointment.visit_id if appointment else call_id
    return row


def booking_command(session, call: Call, booking: dict) -> dict:
    """The booking command a booked call makes: the customer file's customer and car (or what the caller
    gave), the advisor chosen (else the customer's preferred one), and as planned jobs what was due
    (proactive) or what the knowledge base suggested (inbound)."""
    customer = session.get(Customer, call.customer_id) if call.customer_id else None
    vehicle = session.get(Vehicle, call.vin) if call.vin else None
    advisor_id = booking.get("advisor_id") or (customer.preferred_advisor_id if customer else None)
    if not advisor_id:
        raise DomainError(N_("Choose the service advisor"), field="advisor_id", code="required")
    if not booking.get("starts_at"):
        raise DomainError(N_("Choose the appointment time"), field="starts_at", code="required")
    labour: list[str] = []
    parts: dict[str, Decimal] = {}
    if call.kind == "proactive":
        plan = maintenance.plan_for(vehicle.model if vehicle else "")
        complaint = "、".join(item["name_zh"] for item in call.due_items)
        for item in call.due_items:
            try:
                planned = plan.item(item["code"])
            except KeyError:
                continue
            labour += [code for code in planned.labour if code not in labour]
            for part_no, qty in planned.parts:
                parts[part_no] = parts.get(part_no, Decimal(0)) + qty
    else:
        complaint = call.words
        chosen = booking.get("symptoms")
        for s in call.suggestions:
            if chosen is not None and s["code"] not in chosen:
                continue
            labour += [code for code in s["jobs"] if code not in labour]
            for p in s["parts"]:
                parts[p["part_no"]] = parts.get(p["part_no"], Decimal(0)) + Decimal(p["quantity"])
    plate = booking.get("plate") or (vehicle.plate if vehicle else call.caller.get("plate", ""))
    if not plate:
        raise DomainError(N_("Give the plate of the car to book"), field="plate", code="required")
    return {
        "customer": {
            "name": customer.name if customer else call.caller.get("name", ""),
            "mobile": customer.mobile if customer else call.caller.get("mobile", ""),
        },
        "vehicle": {
            "vin": booking.get("vin") or (vehicle.vin if vehicle else call.caller.get("vin", "")),
            "plate": plate,
            "model": booking.get("model") or (vehicle.model if vehicle else call.caller.get("model", "")),
        },
        "starts_at": booking["starts_at"],
        "advisor_id": advisor_id,
        "complaint": booking.get("complaint") or complaint,
        "planned_labour": labour,
        "planned_parts": [{"part_no": p, "quantity": q} for p, q in parts.items()],
    }
