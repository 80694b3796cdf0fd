"""Complaints 投诉处理 (R-FU-5): opened from a call, routed to the department's manager, re-contacted within 24
hours or escalated to the after-sales manager, remedied with actions, closed with the customer's agreement."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from contracts import names
from kit.errors import DomainError, NotFound
from kit.i18n import N_

from ..domain import complaints as rules
from ..models import Complaint, ComplaintAction, FollowUpCall


def open_complaint(uow, call: FollowUpCall, cause: str, words: str, technical: bool = False) -> Complaint:
    department, manager = rules.route(cause)
    now = uow.clock()
    complaint = Complaint(
        complaint_id=str(uuid.uuid4()),
        call_id=call.call_id,
        order_id=call.order_id,
        customer=call.customer,
        vehicle=call.vehicle,
        advisor_id=call.advisor_id,
        cause=cause,
        department=department,
        manager_id=manager,
        words=words,
        technical=technical,
        opened_at=now,
        recontact_by=rules.recontact_by(now),
        state="open",
    )
    uow.session.add(complaint)
    uow.emit(
        names.COMPLAINT_OPENED,
        {
            "complaint_id": complaint.complaint_id,
            "order_id": call.order_id,
            "cause": cause,
            "department": department,
            "manager_id": manager,
            "opened_at": now,
            "recontact_by": complaint.recontact_by,
        },
        correlation_id=call.visit_id,
    )
    return complaint


def _complaint(session, complaint_id: str) -> Complaint:
    found = session.get(Complaint, complaint_id, with_for_update=True)
    if found is None:
        raise NotFound(N_("Complaint not found"), field="complaint_id")
    return found


def recontact(uow, complaint_id: str, note: str, remedy: str, actor_id: str) -> Complaint:
    """The department manager called the customer back, with the remedy proposed."""
    complaint = _complaint(uow.session, complaint_id)
    if complaint.state == "closed":
        raise DomainError(N_("The complaint is already closed"), field="state")
    if not note.strip():
        raise DomainError(N_("Write down what the customer said"), field="note")
    now = uow.clock()
    if complaint.recontacted_at is None:
        complaint.recontacted_at = now
    complaint.recontact_note = note
    if remedy.strip():
        complaint.remedy = remedy
    if complaint.state == "open":
        complaint.state = "recontacted"
    uow.record("followup.recontact", complaint_id, complaint.order_id, {"late": now > complaint.recontact_by})
    _escalate_if_due(uow, complaint, now)
    return complaint


def add_action(uow, complaint_id: str, cmd: dict, actor_id: str) -> ComplaintAction:
    complaint = _complaint(uow.session, complaint_id)
    if complaint.state == "closed":
        raise DomainError(N_("The complaint is already closed"), field="state")
    today = uow.clock().astimezone(_tz()).date()
    rules.check_action(cmd["kind"], cmd["owner"], cmd.get("due_on"), today, cmd["text"])
    action = ComplaintAction(
        complaint_id=complaint_id,
        kind=cmd["kind"],
        text=cmd["text"],
        owner=cmd["owner"],
        due_on=cmd["due_on"],
        created_at=uow.clock(),
    )
    uow.session.add(action)
    if cmd["kind"] == "remedy" and not complaint.remedy:
        complaint.remedy = cmd["text"]
    uow.session.flush()
    return action


def finish_action(uow, complaint_id: str, action_id: int) -> None:
    action = uow.session.get(ComplaintAction, action_id)
    if action is None or action.complaint_id != complaint_id:
        raise NotFound(N_("Action not found"), field="action_id")
    action.done_at = action.done_at or uow.clock()


def close(uow, complaint_id: str, customer_agreed: bool, note: str, actor_id: str) -> Complaint:
    """R-FU-5: closed only with the customer's agreement, the remedy set and every action done."""
    complaint = _complaint(uow.session, complaint_id)
    open_actions = uow.session.scalar(
        sa.select(sa.func.count())
        .select_from(ComplaintAction)
        .where(ComplaintAction.complaint_id == complaint_id, ComplaintAction.done_at.is_(None))
    )
    rules.check_close(complaint.state, customer_agreed, open_actions, bool(complaint.remedy))
    now = uow.clock()
    complaint.state, complaint.closed_at, complaint.closed_by, complaint.agreement_note = "closed", now, actor_id, note
    uow.emit(
        names.COMPLAINT_CLOSED,
        {"complaint_id": complaint_id, "order_id": complaint.order_id, "cause": complaint.cause, "closed_at": now},
        correlation_id=complaint.call_id or complaint_id,
    )
    return complaint


def escalate_late(uow, now: datetime) -> list[str]:
    """R-FU-5: not re-contacted within 24 hours -> escalated to the after-sales manager (timer)."""
    late = uow.session.scalars(
        sa.select(Complaint).where(
            Complaint.state.in_(("open", "recontacted")),
            Complaint.escalated_at.is_(None),
            Complaint.recontact_by < now,
        )
    ).all()
    return [c.complaint_id for c in late if _escalate_if_due(uow, c, now)]


def _escalate_if_due(uow, complaint: Complaint, now: datetime) -> bool:
    if not rules.needs_escalation(
        complaint.opened_at, complaint.recontacted_at, complaint.escalated_at is not None, now
    ):
        return False
    complaint.escalated_at = now
    if complaint.state == "open":
        complaint.state = "escalated"
    uow.emit(
        names.COMPLAINT_ESCALATED,
        {
            "complaint_id": complaint.complaint_id,
            "order_id": complaint.order_id,
            "cause": complaint.cause,
            "manager_id": complaint.manager_id,
            "escalated_to": rules.AFTER_SALES_MANAGER,
            "recontact_by": complaint.recontact_by,
        },
        correlation_id=complaint.call_id or complaint.complaint_id,
    )
    return True


def note_booking(uow, complaint_id: str, appointment_id: str) -> None:
    _complaint(uow.session, complaint_id).booked_appointment = appointment_id


def _tz():
    from kit.config import Settings

    return Settings.load().tz


def complaints(session, state: str | None = None) -> list[dict]:
    query = sa.select(Complaint).order_by(Complaint.opened_at.desc())
    if state == "open":
        query = query.where(Complaint.state != "closed")
    return [complaint_view(c) for c in session.scalars(query)]


def complaint(session, complaint_id: str) -> dict:
    found = session.get(Complaint, complaint_id)
    if found is None:
        raise NotFound(N_("Complaint not found"), field="complaint_id")
    view = complaint_view(found)
    view["actions"] = [
        {"id": a.id, "kind": a.kind, "text": a.text, "owner": a.owner, "due_on": a.due_on, "done_at": a.done_at}
        for a in session.scalars(
            sa.select(ComplaintAction).filter_by(complaint_id=complaint_id).order_by(ComplaintAction.id)
        )
    ]
    return view


def complaint_view(c: Complaint) -> dict:
    return {
        "complaint_id": c.complaint_id,
        "call_id": c.call_id,
        "order_id": c.order_id,
        "customer": c.customer,
        "vehicle": c.vehicle,
        "advisor_id": c.advisor_id,
        "cause": c.cause,
        "department": c.department,
        "manager_id": c.manager_id,
        "words": c.words,
        "technical": c.technical,
        "opened_at": c.opened_at,
        "recontact_by": c.recontact_by,
        "recontacted_at": c.recontacted_at,
        "recontact_note": c.recontact_note,
        "escalated_at": c.escalated_at,
        "remedy": c.remedy,
        "state": c.state,
        "closed_at": c.closed_at,
        "booked_appointment": c.booked_appointment,
    }
