"""Confirmation calls (R-BK-7): opened with each booked time, answered, escalated when nobody answered."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from contracts import names

from ..domain import confirmations
from ..domain.confirmations import ConfirmationRules
from ..models import Appointment, ConfirmationTask, Customer, Vehicle
from . import appointment_rows

DEFAULT_CONFIRMATION = confirmations.DEFAULT_RULES


def open_confirmations(uow, appointment, rules: ConfirmationRules = DEFAULT_CONFIRMATION, connection=None) -> None:
    """R-BK-7: the appointment's confirmation calls, inserted in one statement (appointment_rows) on the session's
    connection (`connection`: as the command already holds it)."""
    appointment_rows.write_confirmations(
        connection or uow.session.connection(),
        [
            {
                "task_id": str(uuid.uuid4()),
                "appointment_id": appointment.appointment_id,
                "kind": times.kind,
                "for_starts_at": appointment.starts_at,
                "due_at": times.due_at,
                "answer_by": times.answer_by,
                "status": "open",
                "attempts": [],
                "answered_by": None,
                "answered_at": None,
                "escalated_at": None,
            }
            for times in confirmations.tasks_for(appointment.starts_at, uow.clock(), rules)
        ],
    )


def void_confirmations(uow, appointment_id: str) -> None:
    for task in uow.session.scalars(
        sa.select(ConfirmationTask).filter_by(appointment_id=appointment_id, status="open")
    ):
        task.status = "void"


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
