"""Follow-up's use cases."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from contracts import Envelope, names
from kit.paging import contains, paginate

from . import domain
from .models import Caller, FollowUpCall


def schedule_call(uow, event: Envelope) -> None:
    """vehicle_delivered -> a follow-up call 2-5 days later, assigned to someone other than the advisor."""
    d = event.payload
    session = uow.session
    callers = [c.staff_id for c in session.scalars(sa.select(Caller).filter_by(active=True))]
    load = dict(
        session.execute(
            sa.select(FollowUpCall.assigned_to, sa.func.count())
            .where(FollowUpCall.status == "scheduled")
            .group_by(FollowUpCall.assigned_to)
        ).all()
    )
    assigned = domain.pick_caller(callers, load, d["advisor_id"])
    due_from, due_by = domain.due_window(d["delivered_at"])
    call = FollowUpCall(
        call_id=str(uuid.uuid4()),
        visit_id=event.correlation_id,
        order_id=d["order_id"],
        invoice_id=d["invoice_id"],
        customer=event.raw_payload["customer"],
        vehicle=event.raw_payload["vehicle"],
        advisor_id=d["advisor_id"],
        total=d["total"],
        delivered_at=d["delivered_at"],
        due_from=due_from,
        due_by=due_by,
        assigned_to=assigned,
        status="scheduled" if assigned else "unassigned",
    )
    session.add(call)
    uow.emit(
        names.FOLLOWUP_SCHEDULED,
        {
            "call_id": call.call_id,
            "order_id": call.order_id,
            "assigned_to": assigned,
            "due_from": due_from,
            "due_by": due_by,
        },
    )


def add_caller(uow, staff_id: str, name: str, role: str) -> None:
    if uow.session.get(Caller, staff_id) is None:
        uow.session.add(Caller(staff_id=staff_id, name=name, role=role))


def calls(session, page: int = 1, per_page: int = 50, q: str = "", order_id: str | None = None):
    """Open calls first, soonest due first; searchable by plate, customer name or mobile."""
    query = sa.select(FollowUpCall).order_by(FollowUpCall.status.desc(), FollowUpCall.due_from)
    if order_id:
        query = query.where(FollowUpCall.order_id == order_id)
    if q:
        query = query.where(contains(q, FollowUpCall.vehicle, FollowUpCall.customer, FollowUpCall.assigned_to))
    return paginate(session, query, page, per_page, call_view)


def call_view(c: FollowUpCall) -> dict:
    return {
        "call_id": c.call_id,
        "visit_id": c.visit_id,
        "order_id": c.order_id,
        "customer": c.customer,
        "vehicle": c.vehicle,
        "advisor_id": c.advisor_id,
        "delivered_at": c.delivered_at,
        "due_from": c.due_from,
        "due_by": c.due_by,
        "assigned_to": c.assigned_to,
        "status": c.status,
    }
