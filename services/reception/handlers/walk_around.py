"""The walk-around sheet on the advisor's tablet (R-RC-1..3): covers fitted in front of the customer, VIN,
mileage and the odometer change a service manager confirms, fuel, checks, damage on the car diagram.
Use cases `f(uow, …)`; the rules are in domain/walk_around.py and domain/mileage.py."""

from __future__ import annotations

import sqlalchemy as sa

from kit.errors import DomainError, NotFound
from kit.uow import answering

from ..domain import walk_around
from ..domain.mileage import check_mileage
from ..models import OdometerChange
from .drafts import refresh_draft
from .pre_inspection import start_pre_inspection
from .visits import HeldSheet, last_mileage_of_visit, new_sheet, refuse_if_signed, rows_of, saved, sheet_of, visit_of


def with_mileage(uow, visit, sheet: dict, mileage_km: int) -> dict:
    """R-RC-2: the sheet with this mileage; a reading lower than the last one is refused naming mileage_km,
    unless a service manager has confirmed an odometer change for this car."""
    if mileage_km is None or isinstance(mileage_km, bool) or int(mileage_km) < 0:
        raise DomainError("Enter the mileage shown on the odometer", field="mileage_km", code="required")
    check_mileage(int(mileage_km), last_mileage_of_visit(uow.session, visit))
    if sheet.get("mileage_km") == int(mileage_km):
        return sheet  # the sheet reads this mileage already (e.g. the order written with it): it stays as it was
    return {**sheet, "mileage_km": int(mileage_km)}


def set_mileage(uow, visit, mileage_km: int) -> HeldSheet:
    """`with_mileage` written to the visit's sheet (nothing written when it reads this mileage already)."""
    row = sheet_of(uow, visit)
    sheet = with_mileage(uow, visit, row.sheet, mileage_km)
    return saved(uow.session, row, {} if sheet is row.sheet else {"sheet": sheet, "updated_at": uow.clock()})


def confirm_odometer_change(uow, visit_id: str, cmd: dict) -> OdometerChange:
    """The service manager (their own permission) confirms the odometer was changed: who, when, why."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    reason = (cmd.get("reason") or "").strip()
    if not reason:
        raise DomainError("Say why the odometer reads lower (e.g. instrument cluster replaced)", field="reason")
    change = OdometerChange(
        visit_id=visit_id,
        vin=visit.vehicle["vin"],
        previous_km=last_mileage_of_visit(uow.session, visit),
        reason=reason,
        confirmed_by=uow.actor_id,
        confirmed_at=uow.clock(),
    )
    uow.session.add(change)
    uow.session.flush()
    rows = rows_of(uow.session, visit_id)
    rows.has_odometer_changes = True
    rows.reading_added()
    return change


def odometer_changes(session, visit_id: str) -> list[dict]:
    held = rows_of(session, visit_id)
    if held is not None and not held.has_odometer_changes:
        return []  # the visit's rows say there is none
    rows = session.scalars(sa.select(OdometerChange).filter_by(visit_id=visit_id).order_by(OdometerChange.id))
    return [
        {
            "previous_km": c.previous_km,
            "reason": c.reason,
            "confirmed_by": c.confirmed_by,
            "confirmed_at": c.confirmed_at,
        }
        for c in rows
    ]


def fit_covers(uow, visit_id: str, cmd: dict, bays: tuple[str, ...] = walk_around.PRE_INSPECTION_BAYS) -> HeldSheet:
    """R-RC-1: seat, steering wheel and floor covers fitted in front of the customer, each with its time."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    if not cmd.get("customer_present"):
        raise DomainError(
            "Covers are fitted in front of the customer: confirm the customer is watching",
            field="customer_present",
            code="customer_absent",
        )
    chosen = [name for name in walk_around.COVERS if cmd.get(name)]
    if not chosen:
        raise DomainError("Tick the covers you have fitted", field="covers", code="required")
    if visit.pre_inspection_started_at is None:  # R-RC-2/8: the walk-around is on a pre-inspection bay
        start_pre_inspection(uow, visit.visit_id, cmd.get("bay") or None, bays)  # a free bay (the first, unnamed)
    now = uow.clock()
    row = rows_of(uow.session, visit_id).sheet
    if row is None:  # the sheet starts with the covers: written once
        return new_sheet(uow, visit, covers=dict.fromkeys(chosen, now.isoformat()), covers_by=uow.actor_id)
    covers = {**row.covers, **{name: row.covers.get(name) or now.isoformat() for name in chosen}}
    if covers == row.covers and row.covers_by == uow.actor_id:
        return row  # fitted already, by the same advisor (a second tap): the sheet stays as it was
    return saved(uow.session, row, {"covers": covers, "covers_by": uow.actor_id, "updated_at": now})


def record_walk_around(uow, visit_id: str, cmd: dict) -> HeldSheet:
    """Fill in the sheet as the walk-around goes (any subset of its fields at a time)."""
    session = uow.session
    visit = visit_of(session, visit_id)
    refuse_if_signed(session, visit_id)
    row = sheet_of(uow, visit)
    sheet, changes = dict(row.sheet), {}
    if cmd.get("vin") is not None:
        sheet["vin"] = walk_around.read_vin(cmd["vin"], visit.vehicle.get("vin", ""))
    if cmd.get("fuel_eighths") is not None:
        sheet["fuel_eighths"] = walk_around.fuel(cmd["fuel_eighths"])
    checks = dict(sheet.get("checks") or {})
    for name, item in (cmd.get("checks") or {}).items():
        if item and item.get("state"):
            checks[name] = walk_around.check_item(name, item["state"], item.get("note", ""))
    sheet["checks"] = checks
    if cmd.get("valuables") is not None:
        sheet["valuables"] = walk_around.valuables(cmd["valuables"].get("left"), cmd["valuables"].get("note", ""))
    if cmd.get("first_service") is not None:
        changes["first_service"] = bool(cmd["first_service"])
    if cmd.get("mileage_km") is not None:
        sheet = with_mileage(uow, visit, sheet, cmd["mileage_km"])
    changes["sheet"] = sheet
    first_service = changes.get("first_service", row.first_service)
    if row.completed_at is not None and walk_around.missing(row.covers, sheet, first_service):
        changes.update(completed_at=None, completed_by=None)  # e.g. marked a first service: underbody now needed
    changes["updated_at"] = uow.clock()
    saved(session, row, changes)
    refresh_draft(uow, visit)
    return row


def mark_damage(uow, visit_id: str, cmd: dict) -> HeldSheet:
    """Damage marked on the car diagram: its zone and kind (scratch, dent, crack …)."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = sheet_of(uow, visit)
    mark = walk_around.damage(cmd.get("zone") or "", cmd.get("kind") or "", cmd.get("note") or "")
    sheet = {**row.sheet, "damages": [*row.sheet.get("damages", []), mark]}
    return saved(uow.session, row, {"sheet": sheet, "updated_at": uow.clock()})


def remove_damage(uow, visit_id: str, index: int) -> HeldSheet:
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = sheet_of(uow, visit)
    damages = list(row.sheet.get("damages", []))
    if not 0 <= index < len(damages):
        raise NotFound("Damage mark not found", field="damage")
    del damages[index]
    return saved(uow.session, row, {"sheet": {**row.sheet, "damages": damages}, "updated_at": uow.clock()})


def complete_walk_around(uow, visit_id: str) -> HeldSheet:
    """R-RC-1..3: complete only with every item; a first service needs the underbody check."""
    visit = visit_of(uow.session, visit_id)
    refuse_if_signed(uow.session, visit_id)
    row = sheet_of(uow, visit)
    walk_around.require_complete(row.covers, row.sheet, row.first_service)
    now = uow.clock()
    saved(uow.session, row, {"completed_at": now, "completed_by": uow.actor_id, "updated_at": now})
    if visit.on_bay is not None:  # R-RC-8: the walk-around is done, the car leaves its pre-inspection bay
        saved(uow.session, visit, {"on_bay": None, "pre_inspection_left_at": now})
    return row


def require_walk_around_complete(session, visit_id: str) -> HeldSheet:
    rows = rows_of(session, visit_id)
    row = rows.sheet if rows is not None else None
    if row is None or row.completed_at is None:
        raise DomainError(
            "The walk-around sheet must be complete before the order is signed",
            field="walk_around",
            code="walk_around_incomplete",
        )
    return row


def answered(command):
    """`command`, answering with the sheet as it wrote it (kit.uow.answering)."""
    return answering(command, walk_around_view)


def walk_around_view(session, visit_id: str) -> dict:
    rows = rows_of(session, visit_id)
    row, visit = (rows.sheet, rows.visit) if rows is not None else (None, None)
    covers = row.covers if row else {}
    sheet = row.sheet if row else walk_around.empty_sheet()
    first_service = row.first_service if row else False
    return {
        "visit_id": visit_id,
        "covers": covers,
        "covers_by": row.covers_by if row else None,
        **sheet,
        "first_service": first_service,
        "missing": walk_around.missing(covers, sheet, first_service),
        "completed_at": row.completed_at if row else None,
        "completed_by": row.completed_by if row else None,
        "last_mileage_km": last_mileage_of_visit(session, visit) if visit else None,
        "odometer_changes": odometer_changes(session, visit_id),
    }


def walk_around_summary(session, visit_id: str) -> dict:
    """What the signed order carries of the sheet (R-RC-1..3)."""
    row = require_walk_around_complete(session, visit_id)
    changes = odometer_changes(session, visit_id)
    return {
        "completed_at": row.completed_at,
        "completed_by": row.completed_by,
        "covers": dict(row.covers),
        "vin_read": row.sheet["vin"],
        "fuel_eighths": row.sheet["fuel_eighths"],
        "checks": dict(row.sheet["checks"]),
        "valuables": dict(row.sheet["valuables"]),
        "damages": list(row.sheet.get("damages", [])),
        "first_service": row.first_service,
        "odometer_change": changes[-1] if changes else None,
    }
