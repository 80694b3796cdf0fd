"""Booking's use cases."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from contracts import Envelope, names
from contracts.pricing import PriceBook
from kit import notify, price_list
from kit.errors import DomainError, NotFound
from kit.i18n import N_, translate
from kit.paging import Page, contains, paginate

from . import confirmations, domain, maintenance
from .confirmations import ConfirmationRules
from .models import (
    Appointment,
    ConfirmationTask,
    Customer,
    MileageReading,
    PreparationItem,
    PriceListCopy,
    ServiceRecord,
    Vehicle,
)
from .slots import SlotRules, check_slot, free_slots

DEFAULT_RULES = SlotRules()
DEFAULT_CONFIRMATION = confirmations.DEFAULT_RULES
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
    _void_confirmations(uow, appointment_id)
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
        appointment_id=cmd.get("appointment_id") or str(uuid.uuid4()),  # the id workshop capacity is held for
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
    open_preparation(uow, appointment)  # R-BK-6
    open_confirmations(uow, appointment)  # R-BK-7: the day before and one hour before
    uow.emit(
        names.APPOINTMENT_BOOKED,
        {
            "appointment_id": appointment.appointment_id,
            "visit_id": appointment.visit_id,
            "customer": {"name": customer.name, "mobile": customer.mobile, "email": customer.email},
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


def note_parts_reserved(uow, event: Envelope) -> None:
    """R-BK-6: the advisor sees the parts are waiting on the appointment shelf."""
    appointment = _appointment(uow, event.payload["appointment_id"])
    appointment.parts_status = "reserved"
    appointment.parts_short = []
    _auto_tick_parts(uow, appointment, True, "parts_reserved")


def note_parts_short(uow, event: Envelope) -> None:
    """R-BK-6/R-BK-8: a shortage is shown with its expected date so the desk can re-arrange in time."""
    appointment = _appointment(uow, event.payload["appointment_id"])
    appointment.parts_status = "short"
    appointment.parts_short = event.raw_payload["short"]
    _auto_tick_parts(uow, appointment, False, "parts_short")


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
        query = query.where(
            sa.or_(
                contains(q, Vehicle.plate, Vehicle.vin, Customer.name, Customer.mobile),
                Customer.pinyin.ilike(f"%{q.lower().replace(' ', '')}%"),  # "zs" finds 张三
            )
        )
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
        "customer_id": c.customer_id,
        "customer": {"name": c.name, "mobile": c.mobile},
        "vehicle": {"vin": v.vin, "plate": v.plate, "model": v.model, "vin_check_digit": domain.vin_check_digit(v.vin)},
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


# --- the price list copy (phone estimates, R-BK-2) -------------------------------------------------


def take_price_list(uow, event: Envelope) -> None:
    """price_list_published -> booking's own copy, so the desk prices phone estimates while billing is away."""
    price_list.take(uow, event, PriceListCopy)


def current_price_book(session, now: datetime | None = None) -> PriceBook | None:
    """The newest published version in force (effective_from not in the future)."""
    return price_list.current(session, PriceListCopy, now)


# --- preparation checklist (R-BK-6) --------------------------------------------------------------


def open_preparation(uow, appointment: Appointment) -> None:
    """The checklist of a new appointment; with no planned parts there is nothing to put on the shelf."""
    for item in domain.PREPARATION_ITEMS:
        row = PreparationItem(appointment_id=appointment.appointment_id, item=item, done=False, auto=False, note="")
        if item == "parts" and not appointment.planned_parts:
            row.done, row.auto, row.done_at, row.note = True, True, uow.clock(), "no_parts_planned"
        uow.session.add(row)


def _preparation_item(uow, appointment_id: str, item: str) -> PreparationItem:
    row = uow.session.get(PreparationItem, (appointment_id, item))
    if row is None:  # an appointment booked before checklists existed
        _appointment(uow, appointment_id)
        row = PreparationItem(appointment_id=appointment_id, item=item, done=False, auto=False, note="")
        uow.session.add(row)
    return row


def tick_preparation(uow, appointment_id: str, item: str, done: bool = True, note: str = "") -> PreparationItem:
    """R-BK-6: the advisor ticks (or unticks) one preparation item; who and when are kept."""
    if item not in domain.PREPARATION_ITEMS:
        raise DomainError(N_("Unknown preparation item"), field="item", code="item")
    appointment = _appointment(uow, appointment_id)
    if appointment.status != "booked":
        raise DomainError(N_("Only a booked appointment is prepared"), field="appointment_id", code="not_booked")
    if item == "parts" and done and appointment.parts_status == "short":
        raise DomainError(
            N_("Parts are short; this is ticked when parts has them on the shelf"), field="item", code="parts_short"
        )
    row = _preparation_item(uow, appointment_id, item)
    row.done, row.auto, row.note = done, False, note
    row.done_by, row.done_at = (uow.actor_id, uow.clock()) if done else (None, None)
    uow.correlation_id = appointment.visit_id
    return row


def _auto_tick_parts(uow, appointment: Appointment, done: bool, note: str) -> None:
    row = _preparation_item(uow, appointment.appointment_id, "parts")
    if row.done and not row.auto and not done:
        return  # the advisor ticked it by hand; a late shortage shows in the parts column
    row.done, row.auto, row.note = done, True, note
    row.done_by, row.done_at = None, (uow.clock() if done else None)


def preparation(session, appointment_id: str) -> list[dict]:
    rows = {r.item: r for r in session.scalars(sa.select(PreparationItem).filter_by(appointment_id=appointment_id))}
    out = []
    for item in domain.PREPARATION_ITEMS:
        r = rows.get(item)
        out.append(
            {
                "item": item,
                "title": domain.PREPARATION_TITLES[item],
                "done": bool(r and r.done),
                "auto": bool(r and r.auto),
                "note": r.note if r else "",
                "done_by": r.done_by if r else None,
                "done_at": r.done_at if r else None,
            }
        )
    return out


# --- confirmations (R-BK-7) and escalation -----------------------------------------------------------


def open_confirmations(uow, appointment: Appointment, rules: ConfirmationRules = DEFAULT_CONFIRMATION) -> None:
    for times in confirmations.tasks_for(appointment.starts_at, uow.clock(), rules):
        uow.session.add(
            ConfirmationTask(
                task_id=str(uuid.uuid4()),
                appointment_id=appointment.appointment_id,
                kind=times.kind,
                for_starts_at=appointment.starts_at,
                due_at=times.due_at,
                answer_by=times.answer_by,
                status="open",
                attempts=[],
            )
        )


def _void_confirmations(uow, appointment_id: str) -> None:
    for task in uow.session.scalars(
        sa.select(ConfirmationTask).filter_by(appointment_id=appointment_id, status="open")
    ):
        task.status = "void"


def answer_confirmation(
    uow,
    task_id: str,
    outcome: str,
    note: str = "",
    rules: SlotRules = DEFAULT_RULES,
    tz: ZoneInfo = SHANGHAI,
    reschedule_to: datetime | None = None,
) -> dict:
    """R-BK-7: confirmed / cannot come / no answer, each recorded with who and when.

    No answer keeps the task open (it escalates at its deadline); a customer who cannot come is offered
    other times at once, and with `reschedule_to` (the time they chose) the appointment moves in the same
    transaction: refused like any reschedule, and then nothing is recorded.
    """
    task = uow.session.get(ConfirmationTask, task_id)
    if task is None:
        raise NotFound("Confirmation task not found", field="task_id")
    confirmations.check_outcome(outcome, task.status)
    appointment = _appointment(uow, task.appointment_id)
    now = uow.clock()
    task.attempts = [*task.attempts, {"outcome": outcome, "by": uow.actor_id, "at": now.isoformat(), "note": note}]
    offers: list[datetime] = []
    if outcome != "no_answer":
        task.status, task.answered_by, task.answered_at = outcome, uow.actor_id, now
    if outcome == "cannot_come":
        offers = offered_times(uow.session, appointment.advisor_id, appointment.starts_at, now, rules, tz)
        if reschedule_to is not None:
            reschedule_appointment(
                uow, appointment.appointment_id, starts_at=reschedule_to, reason=note, rules=rules, tz=tz
            )
            offers = []
    uow.correlation_id = appointment.visit_id
    return {
        "task_id": task_id,
        "appointment_id": appointment.appointment_id,
        "status": task.status,
        "offers": offers,
        "starts_at": appointment.starts_at,
    }


def escalate_overdue_confirmations(uow) -> list[str]:
    """R-BK-7: every confirmation still unanswered after its deadline is escalated once to the service
    manager (event confirmation_escalated, shown on the desk). Runs on a timer; the clock is the uow's."""
    now = uow.clock()
    escalated = []
    rows = uow.session.execute(
        sa.select(ConfirmationTask, Appointment)
        .join(Appointment, Appointment.appointment_id == ConfirmationTask.appointment_id)
        .where(
            ConfirmationTask.status == "open",
            ConfirmationTask.escalated_at.is_(None),
            ConfirmationTask.answer_by < now,
        )
    ).all()
    for task, appointment in rows:
        if not confirmations.overdue(task.status, task.answer_by, task.escalated_at, now):
            continue
        task.escalated_at = now
        uow.emit(
            names.CONFIRMATION_ESCALATED,
            {
                "task_id": task.task_id,
                "appointment_id": appointment.appointment_id,
                "visit_id": appointment.visit_id,
                "kind": task.kind,
                "starts_at": appointment.starts_at,
                "answer_by": task.answer_by,
                "advisor_id": appointment.advisor_id,
                "attempts": len(task.attempts),
            },
            correlation_id=appointment.visit_id,
        )
        escalated.append(task.task_id)
    return escalated


def confirmation_task(session, task_id: str) -> dict | None:
    row = session.execute(
        sa.select(ConfirmationTask, Appointment)
        .join(Appointment, Appointment.appointment_id == ConfirmationTask.appointment_id)
        .where(ConfirmationTask.task_id == task_id)
    ).first()
    if row is None:
        return None
    task, appointment = row
    return {"task_id": task.task_id, "appointment_id": appointment.appointment_id, "advisor_id": appointment.advisor_id}


def overdue_confirmations(session, now: datetime) -> int:
    """How many confirmations wait for escalation (the timer only writes when there is something to do)."""
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(ConfirmationTask)
        .where(
            ConfirmationTask.status == "open",
            ConfirmationTask.escalated_at.is_(None),
            ConfirmationTask.answer_by < now,
        )
    )


def confirmation_tasks(session, now: datetime, appointment_id: str | None = None, only_due: bool = False) -> list[dict]:
    """Confirmation calls: one appointment's, or those due now (open, their time come) for the desk."""
    query = (
        sa.select(ConfirmationTask, Appointment, Customer, Vehicle)
        .join(Appointment, Appointment.appointment_id == ConfirmationTask.appointment_id)
        .join(Customer, Customer.customer_id == Appointment.customer_id)
        .join(Vehicle, Vehicle.vin == Appointment.vin)
        .order_by(ConfirmationTask.due_at)
    )
    if appointment_id:
        query = query.where(ConfirmationTask.appointment_id == appointment_id)
    if only_due:
        query = query.where(ConfirmationTask.status == "open", ConfirmationTask.due_at <= now)
    return [
        {
            "task_id": t.task_id,
            "appointment_id": a.appointment_id,
            "kind": t.kind,
            "starts_at": a.starts_at,
            "for_starts_at": t.for_starts_at,  # the time it confirms (an old one once the appointment moved)
            "due_at": t.due_at,
            "answer_by": t.answer_by,
            "status": t.status,
            "overdue": t.status == "open" and now > t.answer_by,
            "escalated_at": t.escalated_at,
            "attempts": t.attempts,
            "answered_by": t.answered_by,
            "answered_at": t.answered_at,
            "customer": {"name": c.name, "mobile": c.mobile},
            "plate": v.plate,
            "advisor_id": a.advisor_id,
        }
        for t, a, c, v in session.execute(query).all()
    ]


# --- reschedule and no-show (each an event) -----------------------------------------------------------


def offered_times(
    session, advisor_id: str, around: datetime, now: datetime, rules: SlotRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI
) -> list[datetime]:
    """R-BK-7/R-BK-8: free reception slots of the advisor from that day on (three days), to offer."""
    day = max(around, now).astimezone(tz).date()
    return [s for d in range(0, 3) for s in open_slots(session, advisor_id, day + timedelta(days=d), now, rules, tz)][
        :5
    ]


def reschedule_appointment(
    uow,
    appointment_id: str,
    *,
    starts_at: datetime,
    advisor_id: str | None = None,
    reason: str = "",
    by_dealership: bool = False,
    rules: SlotRules = DEFAULT_RULES,
    tz: ZoneInfo = SHANGHAI,
    confirmation_rules: ConfirmationRules = DEFAULT_CONFIRMATION,
) -> Appointment:
    """Move a booked appointment to another free slot (and advisor): the same one-booking-per-advisor-slot rule
    as booking (R-BK-3), refused with the day's free times. Parts move the shelf reservation, reception the
    expected arrival; the customer is told at once (R-BK-8 when the dealership moves it, R-BK-5 always)."""
    appointment = _appointment(uow, appointment_id)
    if appointment.status != "booked":
        raise DomainError(N_("Only a booked appointment can be rescheduled"), field="appointment_id", code="not_booked")
    advisor_id = advisor_id or appointment.advisor_id
    taken = booked_times(uow.session, advisor_id, starts_at.astimezone(tz).date(), tz)
    check_slot(starts_at, rules, tz, taken, uow.clock())
    previous = appointment.starts_at
    appointment.starts_at, appointment.advisor_id = starts_at, advisor_id
    uow.session.flush()  # the unique index decides between two clerks moving into the same slot
    _void_confirmations(uow, appointment_id)
    open_confirmations(uow, appointment, confirmation_rules)
    uow.emit(
        names.APPOINTMENT_RESCHEDULED,
        {
            "appointment_id": appointment_id,
            "visit_id": appointment.visit_id,
            "starts_at": starts_at,
            "previous_starts_at": previous,
            "advisor_id": advisor_id,
            "reason": reason,
            "by_dealership": by_dealership,
        },
        correlation_id=appointment.visit_id,
    )
    customer = uow.session.get(Customer, appointment.customer_id)
    if customer.email:
        offers = (
            [s for s in offered_times(uow.session, advisor_id, starts_at, uow.clock(), rules, tz) if s != starts_at]
            if by_dealership
            else []
        )
        notify.queue(
            uow,
            recipient=customer.email,
            about=appointment_id,
            subject=translate(N_("Your appointment has moved"), "zh_CN"),
            body=translate(
                N_(
                    "Dear {name}, your appointment at {previous} is now at {time}; your service advisor "
                    "{advisor} will receive you. {more}"
                ),
                "zh_CN",
                name=customer.name,
                previous=previous.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                time=starts_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                advisor=advisor_id,
                more=translate(
                    N_(
                        "We are sorry for the change ({reason}). If this time does not suit you, we can also offer: "
                        "{offers}."
                    ),
                    "zh_CN",
                    reason=reason or "-",
                    offers="、".join(s.astimezone(tz).strftime("%m-%d %H:%M") for s in offers) or "-",
                )
                if by_dealership
                else "",
            ),
        )
    return appointment


def mark_no_show(uow, appointment_id: str) -> Appointment:
    """The customer did not come: everything held for them is released (parts' shelf, reception's arrival)."""
    appointment = _appointment(uow, appointment_id)
    if appointment.status != "booked":
        raise DomainError(N_("Only a booked appointment can be a no-show"), field="appointment_id", code="not_booked")
    domain.check_no_show(appointment.starts_at, uow.clock())
    appointment.status = "no_show"
    _void_confirmations(uow, appointment_id)
    uow.emit(
        names.APPOINTMENT_NO_SHOW,
        {"appointment_id": appointment_id, "visit_id": appointment.visit_id, "starts_at": appointment.starts_at},
        correlation_id=appointment.visit_id,
    )
    return appointment


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
