"""The preparation checklist of an appointment (R-BK-6): ticked by the advisor, parts by the system."""

from __future__ import annotations

import sqlalchemy as sa

from contracts import Envelope
from kit.errors import DomainError
from kit.i18n import N_

from ..domain.appointments import PREPARATION_ITEMS, PREPARATION_TITLES
from ..models import Appointment, PreparationItem
from . import appointment_rows
from .schedule import load_appointment


def open_preparation(uow, appointment, connection=None) -> None:
    """The checklist of a new appointment; with no planned parts there is nothing to put on the shelf. Its rows
    inserted in one statement (appointment_rows), after the appointment they refer to, on the session's connection
    (`connection`: as the command already holds it)."""
    items = []
    for item in PREPARATION_ITEMS:
        row = {"appointment_id": appointment.appointment_id, "item": item, "done": False, "auto": False, "note": ""}
        row["done_by"] = row["done_at"] = None
        if item == "parts" and not appointment.planned_parts:
            row.update(done=True, auto=True, done_at=uow.clock(), note="no_parts_planned")
        items.append(row)
    appointment_rows.write_preparation(connection or uow.session.connection(), items)


def _preparation_item(uow, appointment_id: str, item: str) -> PreparationItem:
    row = uow.session.get(PreparationItem, (appointment_id, item))
    if row is None:  # an appointment booked before checklists existed
        load_appointment(uow, appointment_id)
        row = PreparationItem(appointment_id=appointment_id, item=item, done=False, auto=False, note="")
        uow.session.add(row)
    return row


def tick_preparation(uow, appointment_id: str, item: str, done: bool = True, note: str = "") -> PreparationItem:
    """R-BK-6: the advisor ticks (or unticks) one preparation item; who and when are kept."""
    if item not in PREPARATION_ITEMS:
        raise DomainError(N_("Unknown preparation item"), field="item", code="item")
    appointment = load_appointment(uow, appointment_id)
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
    for item in PREPARATION_ITEMS:
        r = rows.get(item)
        out.append(
            {
                "item": item,
                "title": PREPARATION_TITLES[item],
                "done": bool(r and r.done),
                "auto": bool(r and r.auto),
                "note": r.note if r else "",
                "done_by": r.done_by if r else None,
                "done_at": r.done_at if r else None,
            }
        )
    return out


def note_parts_reserved(uow, event: Envelope) -> None:
    """R-BK-6: the advisor sees the parts are waiting on the appointment shelf.

    Two UPDATEs, nothing read: what `_auto_tick_parts` does when the parts are there (a tick by hand is
    overwritten then too), the checklist row added only for an appointment booked before checklists existed."""
    appointment_id = event.payload["appointment_id"]
    connection = uow.session.connection()  # nothing tracked to flush first
    if not connection.execute(_RESERVED, {"id": appointment_id}).rowcount:
        load_appointment(uow, appointment_id)  # refused as before: no such appointment
    ticked = connection.execute(_PARTS_TICKED, {"id": appointment_id, "at": uow.clock()})
    if not ticked.rowcount:
        appointment = load_appointment(uow, appointment_id)
        _auto_tick_parts(uow, appointment, True, "parts_reserved")


# built once (Core: nothing to load)
_RESERVED = (
    sa.update(Appointment.__table__)
    .where(Appointment.__table__.c.appointment_id == sa.bindparam("id"))
    .values(parts_status="reserved", parts_short=[])
)
_ITEMS = PreparationItem.__table__
_PARTS_TICKED = (
    sa.update(_ITEMS)
    .where(_ITEMS.c.appointment_id == sa.bindparam("id"), _ITEMS.c.item == "parts")
    .values(
        done=True,
        auto=True,
        note="parts_reserved",
        done_by=None,
        done_at=sa.bindparam("at", type_=_ITEMS.c.done_at.type),
    )
)


def note_parts_short(uow, event: Envelope) -> None:
    """R-BK-6/R-BK-8: a shortage is shown with its expected date so the desk can re-arrange in time."""
    appointment = load_appointment(uow, event.payload["appointment_id"])
    appointment.parts_status = "short"
    appointment.parts_short = event.raw_payload["short"]
    _auto_tick_parts(uow, appointment, False, "parts_short")
