"""Expert help 技术支持 (R-WS-4): a technician asks on a job (question and photos from the tablet); the expert on
duty answers; an unanswered ticket past the target (WORKSHOP_EXPERT_TARGET_MINUTES, 30) alerts the service
manager once, by the workshop's timer on the kit clock. The record stays on the order."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa

from kit.errors import DomainError, NotFound

from ..domain.expert_help import MAX_PHOTOS, answer_due, check_answer, check_question, is_overdue, minutes_to_answer
from ..domain.job_clock import NotYourJob, may_act
from ..models import HelpPhoto, HelpTicket, Job, ManagerAlert
from .orders import _work_order


def ask_expert(uow, order_id: str, line_no: int, *, question: str, photos: list[tuple[str, bytes]], foreman=False):
    work_order = _work_order(uow.session, order_id)
    uow.correlation_id = work_order.visit_id
    job = uow.session.get(Job, (order_id, line_no))
    if job is None or job.status == "waiting":
        raise NotFound("This order has no such job line", field="line_no")
    if not may_act(uow.actor_id, job.technician_id, foreman=foreman):
        raise NotYourJob()
    text = check_question(question)
    if len(photos) > MAX_PHOTOS:
        raise DomainError("At most {n} photos", field="photos", n=MAX_PHOTOS)
    ticket = HelpTicket(
        ticket_id=str(uuid.uuid4()),
        order_id=order_id,
        line_no=line_no,
        asked_by=uow.actor_id,
        question=text,
        asked_at=uow.clock(),
    )
    uow.session.add(ticket)
    uow.session.flush()
    uow.session.add_all(HelpPhoto(ticket_id=ticket.ticket_id, content_type=t, data=d) for t, d in photos)
    return ticket


def answer_ticket(uow, ticket_id: str, *, answer: str) -> HelpTicket:
    ticket = uow.session.get(HelpTicket, ticket_id)
    if ticket is None:
        raise NotFound("Help ticket not found", field="ticket_id")
    if ticket.answered_at is not None:
        raise DomainError("This ticket is already answered", field="ticket_id", code="answered")
    ticket.answer, ticket.answered_by, ticket.answered_at = check_answer(answer), uow.actor_id, uow.clock()
    uow.correlation_id = _work_order(uow.session, ticket.order_id).visit_id
    return ticket


def overdue_tickets(session, now: datetime, target_minutes: int) -> list[str]:
    """Unanswered tickets past the target that have not alerted the manager yet (read first: idle rounds write
    nothing)."""
    return list(
        session.scalars(
            sa.select(HelpTicket.ticket_id).where(
                HelpTicket.answered_at.is_(None),
                HelpTicket.alerted_at.is_(None),
                HelpTicket.asked_at < now - timedelta(minutes=target_minutes),
            )
        )
    )


def alert_manager(uow, target_minutes: int) -> int:
    """R-WS-4: each ticket unanswered past the target alerts the service manager, once."""
    now = uow.clock()
    count = 0
    for ticket_id in overdue_tickets(uow.session, now, target_minutes):
        ticket = uow.session.get(HelpTicket, ticket_id)
        ticket.alerted_at = now
        uow.session.add(
            ManagerAlert(kind="expert_late", subject_id=ticket_id, order_id=ticket.order_id, created_at=now)
        )
        uow.record("expert_help_late", ticket_id, _work_order(uow.session, ticket.order_id).visit_id, {})
        count += 1
    return count


def ticket_view(t: HelpTicket, photo_ids: list[int], now: datetime, target_minutes: int) -> dict:
    return {
        "ticket_id": t.ticket_id,
        "order_id": t.order_id,
        "line_no": t.line_no,
        "asked_by": t.asked_by,
        "question": t.question,
        "asked_at": t.asked_at,
        "answer_due": answer_due(t.asked_at, target_minutes),
        "answer": t.answer,
        "answered_by": t.answered_by,
        "answered_at": t.answered_at,
        "minutes_to_answer": minutes_to_answer(t.asked_at, t.answered_at),
        "late": is_overdue(t.asked_at, t.answered_at, now, target_minutes),
        "manager_alerted_at": t.alerted_at,
        "photos": [f"/api/help-photos/{i}" for i in photo_ids],
    }


def tickets(session, now: datetime, target_minutes: int, *, order_id: str | None = None, open_only=False) -> list:
    query = sa.select(HelpTicket).order_by(HelpTicket.asked_at.desc()).limit(200)
    if order_id:
        query = query.where(HelpTicket.order_id == order_id)
    if open_only:
        query = query.where(HelpTicket.answered_at.is_(None))
    out = []
    for t in session.scalars(query):
        ids = session.scalars(sa.select(HelpPhoto.id).filter_by(ticket_id=t.ticket_id).order_by(HelpPhoto.id)).all()
        out.append(ticket_view(t, list(ids), now, target_minutes))
    return out


def photo(session, photo_id: int) -> HelpPhoto | None:
    return session.get(HelpPhoto, photo_id)


def alerts(session) -> list[dict]:
    return [
        {"kind": a.kind, "subject_id": a.subject_id, "order_id": a.order_id, "created_at": a.created_at}
        for a in session.scalars(sa.select(ManagerAlert).order_by(ManagerAlert.created_at.desc()).limit(100))
    ]
