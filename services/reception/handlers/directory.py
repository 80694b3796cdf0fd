"""The staff names reception prints and shows (the advisor's signature on the order, who was responsible
for an incident), from the staff directory's events; reception never asks the staff service at print time."""

from __future__ import annotations

import sqlalchemy as sa

from contracts import Envelope

from ..models import StaffName


def take_staff_record(uow, event: Envelope) -> None:
    """staff_registered / staff_changed -> the name under this staff number."""
    record = event.payload
    row = uow.session.get(StaffName, record["staff_id"])
    if row is None:
        uow.session.add(StaffName(staff_id=record["staff_id"], name=record["name"]))
    else:
        row.name = record["name"]


def names_of(session, staff_ids) -> dict[str, str]:
    ids = sorted({s for s in staff_ids if s})
    if not ids:
        return {}
    return dict(session.execute(sa.select(StaffName.staff_id, StaffName.name).where(StaffName.staff_id.in_(ids))).all())
