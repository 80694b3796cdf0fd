"""Booking's commands on an appointment: book, cancel, reschedule, no-show, and the customer's answer to a
confirmation call (which may move it). Each is one transaction with its event (outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from contracts import names
from kit import notify
from kit.errors import DomainError, NotFound
from kit.i18n import N_, translate

from ..domain import confirmations
from ..domain.appointments import check_no_show, check_planned_work
from ..domain.confirmations import ConfirmationRules
from ..domain.slots import SlotRules, check_slot
from ..models import Appointment, ConfirmationTask, Customer
from . import appointment_rows
from .checklist import open_preparation
from .confirmations import DEFAULT_CONFIRMATION, open_confirmations, void_confirmations
from .schedule import DEFAULT_RULES, SHANGHAI, booked_times, load_appointment, offered_times, open_slots


def book_appointment(uow, cmd: dict, rules: SlotRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI):
    """Record the appointment and announce it: parts reserve the shelf, reception expects the car.

    R-BK-3: only a free reception slot of the advisor; R-BK-5: the advisor named is told to the customer.
    """
    return book_with_parties(uow, cmd, rules, tz)[0]


def book_with_parties(uow, cmd: dict, rules: SlotRules = DEFAULT_RULES, tz: ZoneInfo = SHANGHAI, taken=None):
    """`book_appointment`, answering with the appointment and its customer and vehicle rows as written (plain
    namespaces: appointment_rows writes them by statements built once, nothing tracked).

    `taken`: the advisor's booked times of that day as the caller read them just before (the desk's checks before
    holding capacity); a slot booked since is refused by the unique index as the desk refuses it (take_slot)."""
    customer_in, vehicle_in = cmd["customer"], cmd["vehicle"]
    mobile, vin = appointment_rows.booking_keys(cmd)
    starts_at = cmd["starts_at"]
    session = uow.session
    now = uow.clock()
    if taken is None:
        taken = booked_times(session, cmd["advisor_id"], starts_at.astimezone(tz).date(), tz)
    connection = session.connection()  # the command's statements, each on it (nothing tracked to flush first)
    known, price_book = appointment_rows.parties_and_prices(connection, mobile, vin, now)
    check_slot(starts_at, rules, tz, taken, now)
    check_planned_work(cmd.get("planned_labour", []), cmd.get("planned_parts", []), price_book)  # the price list's
    customer = appointment_rows.write_customer(connection, known, customer_in, mobile, cmd)
    vehicle = appointment_rows.write_vehicle(connection, known, vin, vehicle_in, customer.customer_id, cmd)
    appointment = appointment_rows.write_appointment(
        connection,
        {
            "appointment_id": cmd.get("appointment_id") or str(uuid.uuid4()),  # the id workshop capacity is held for
            "visit_id": str(uuid.uuid4()),
            "customer_id": customer.customer_id,
            "vin": vin,
            "starts_at": starts_at,
            "advisor_id": cmd["advisor_id"],
            "complaint": cmd.get("complaint", ""),
            "planned_labour": list(cmd.get("planned_labour", [])),
            "planned_parts": [
                {"part_no": p["part_no"], "quantity": str(p["quantity"])} for p in cmd.get("planned_parts", [])
            ],
            "booked_by": uow.actor_id,
            "booked_at": now,
        },
    )
    open_preparation(uow, appointment, connection)  # R-BK-6
    open_confirmations(uow, appointment, connection=connection)  # R-BK-7: the day before and one hour before
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
    return appointment, customer, vehicle


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
    appointment = load_appointment(uow, appointment_id)
    if appointment.status != "booked":
        raise DomainError(N_("Only a booked appointment can be cancelled"), field="appointment_id", code="not_booked")
    appointment.status, appointment.cancelled_at, appointment.cancel_reason = "cancelled", uow.clock(), reason
    void_confirmations(uow, appointment_id)
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
    appointment = load_appointment(uow, appointment_id)
    if appointment.status != "booked":
        raise DomainError(N_("Only a booked appointment can be rescheduled"), field="appointment_id", code="not_booked")
    advisor_id = advisor_id or appointment.advisor_id
    taken = booked_times(uow.session, advisor_id, starts_at.astimezone(tz).date(), tz)
    check_slot(starts_at, rules, tz, taken, uow.clock())
    previous = appointment.starts_at
    appointment.starts_at, appointment.advisor_id = starts_at, advisor_id
    uow.session.flush()  # the unique index decides between two clerks moving into the same slot
    void_confirmations(uow, appointment_id)
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
    appointment = load_appointment(uow, appointment_id)
    if appointment.status != "booked":
        raise DomainError(N_("Only a booked appointment can be a no-show"), field="appointment_id", code="not_booked")
    check_no_show(appointment.starts_at, uow.clock())
    appointment.status = "no_show"
    void_confirmations(uow, appointment_id)
    uow.emit(
        names.APPOINTMENT_NO_SHOW,
        {"appointment_id": appointment_id, "visit_id": appointment.visit_id, "starts_at": appointment.starts_at},
        correlation_id=appointment.visit_id,
    )
    return appointment


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
    appointment = load_appointment(uow, task.appointment_id)
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
