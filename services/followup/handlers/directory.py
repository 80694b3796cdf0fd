"""Callers learnt from the staff directory's events (R-FU-2): follow-up agents and service assistants; a change
of role moves the calls a person may no longer make."""

from __future__ import annotations

import sqlalchemy as sa

from contracts import Envelope

from ..domain import callers as caller_rules
from ..models import Caller, FollowUpCall
from .calls import OPEN, active_callers, open_load


def take_staff_record(uow, event: Envelope) -> None:
    """staff_registered / staff_changed -> the caller list; calls this person may no longer make are reassigned."""
    d = event.payload
    entry = caller_rules.StaffEntry(d["staff_id"], tuple(d["roles"]), d["active"])
    session = uow.session
    caller = session.get(Caller, entry.staff_id)
    calls_caller = caller_rules.is_caller(entry)
    if caller is None and calls_caller:
        role = next(r for r in entry.roles if r in caller_rules.CALLER_ROLES)
        session.add(Caller(staff_id=entry.staff_id, name=d["name"], role=role, active=True))
    elif caller is not None:
        caller.name, caller.active = d["name"], calls_caller
        if calls_caller:
            caller.role = next(r for r in entry.roles if r in caller_rules.CALLER_ROLES)
    session.flush()
    held = session.execute(
        sa.select(FollowUpCall.call_id, FollowUpCall.advisor_id, FollowUpCall.assigned_to).where(
            FollowUpCall.status.in_(OPEN), FollowUpCall.assigned_to == entry.staff_id
        )
    ).all()
    for call_id in caller_rules.calls_to_move([tuple(r) for r in held], entry):
        call = session.get(FollowUpCall, call_id)
        others = [c for c in active_callers(session) if c != entry.staff_id]
        load = open_load(session)
        call.assigned_to = caller_rules.pick_caller(others, load, call.advisor_id)
        if call.assigned_to is None:
            call.status = "unassigned"
        session.flush()
        uow.record("followup.reassign", call.call_id, call.visit_id, {"from": entry.staff_id, "to": call.assigned_to})

    if calls_caller:  # a new (or returning) caller takes calls nobody could be given, never one they served
        waiting = session.scalars(
            sa.select(FollowUpCall).where(
                FollowUpCall.status == "unassigned", FollowUpCall.advisor_id != entry.staff_id
            )
        ).all()
        for call in waiting:
            call.assigned_to, call.status = entry.staff_id, "scheduled"
            uow.record("followup.reassign", call.call_id, call.visit_id, {"from": None, "to": entry.staff_id})


def add_caller(uow, staff_id: str, name: str, role: str) -> None:
    if uow.session.get(Caller, staff_id) is None:
        uow.session.add(Caller(staff_id=staff_id, name=name, role=role))


def callers(session) -> list[dict]:
    return [
        {"staff_id": c.staff_id, "name": c.name, "role": c.role, "active": c.active}
        for c in session.scalars(sa.select(Caller).order_by(Caller.staff_id))
    ]
