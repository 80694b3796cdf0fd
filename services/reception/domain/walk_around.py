"""The walk-around sheet 环车检查单 (R-RC-1..3, R-KB-1a) as plain rules: what it holds, what a complete
sheet needs. No framework; the handlers in write_up.py store it.

- R-RC-1 protective covers (seat, steering wheel, floor) fitted in front of the customer, each with its time.
- R-RC-2 VIN read off the car and checked (check digit, and the car of the appointment / visit), mileage,
  fuel level, damage by zone of the car diagram, tyres, lights, glass, interior, valuables left in the car,
  under the bonnet last.
- R-KB-1a under the bonnet the colour code decides: yellow caps (dipstick) the advisor may check; the red
  radiator cap and the black brake-fluid reservoir stay closed, their levels are read from outside.
- R-RC-3 on a first service 首保 the car is lifted and the underbody checked: no complete sheet without it.
"""

from __future__ import annotations

from contracts.validators import check_vin
from kit.errors import DomainError
from kit.i18n import N_

from .pre_inspection import DEFAULT_BAYS

PRE_INSPECTION_BAYS = DEFAULT_BAYS  # R-RC-8: three pre-inspection bays (the setting PRE_INSPECTION_BAYS)

COVERS = {
    "seat": N_("Seat cover"),
    "steering_wheel": N_("Steering wheel cover"),
    "floor": N_("Floor mat cover"),
}

# Zones of the car diagram (seen from above); the SVG in templates/car_diagram.html draws one shape per zone.
ZONES = {
    "front_bumper": N_("Front bumper"),
    "bonnet": N_("Bonnet"),
    "windscreen": N_("Windscreen"),
    "roof": N_("Roof"),
    "rear_window": N_("Rear window"),
    "boot": N_("Boot lid"),
    "rear_bumper": N_("Rear bumper"),
    "left_front_wing": N_("Left front wing"),
    "left_front_door": N_("Left front door"),
    "left_rear_door": N_("Left rear door"),
    "left_rear_wing": N_("Left rear wing"),
    "right_front_wing": N_("Right front wing"),
    "right_front_door": N_("Right front door"),
    "right_rear_door": N_("Right rear door"),
    "right_rear_wing": N_("Right rear wing"),
    "left_front_wheel": N_("Left front wheel"),
    "right_front_wheel": N_("Right front wheel"),
    "left_rear_wheel": N_("Left rear wheel"),
    "right_rear_wheel": N_("Right rear wheel"),
}

DAMAGE_KINDS = {
    "scratch": N_("Scratch"),
    "dent": N_("Dent"),
    "crack": N_("Crack"),
    "chip": N_("Stone chip"),
    "scuff": N_("Scuff"),
    "rust": N_("Rust"),
    "missing": N_("Missing part"),
}

# Items checked with the customer (R-RC-2), then under the bonnet last (R-KB-1a), then the underbody (R-RC-3).
CHECKS = {
    "tyres": N_("Tyres"),
    "lights": N_("Lights"),
    "glass": N_("Glass"),
    "interior": N_("Interior"),
    "oil_dipstick": N_("Engine oil (yellow dipstick)"),
    "coolant": N_("Coolant level (red cap: not opened)"),
    "brake_fluid": N_("Brake fluid level (black cap: not opened)"),
    "underbody": N_("Underbody (car lifted)"),
}
CHECK_STATES = ("ok", "attention")
UNDER_BONNET = ("oil_dipstick", "coolant", "brake_fluid")
FUEL_EIGHTHS = range(0, 9)  # 0 = empty … 8 = full, as the gauge shows it


def empty_sheet() -> dict:
    return {
        "vin": None,
        "mileage_km": None,
        "fuel_eighths": None,
        "checks": {},
        "valuables": None,  # {"left": bool, "note": "…"}
        "damages": [],
    }


def read_vin(vin: str, vehicle_vin: str) -> str:
    """R-RC-2: 17 characters, a valid check digit, and the car on the appointment / visit."""
    vin = check_vin(vin, field="vin")
    if vehicle_vin and vin != vehicle_vin.strip().upper():
        raise DomainError(
            "The VIN read on the car ({vin}) is not the VIN of this visit's vehicle ({expected})",
            field="vin",
            code="vin_mismatch",
            vin=vin,
            expected=vehicle_vin,
        )
    return vin


def fuel(eighths) -> int:
    if eighths is None or isinstance(eighths, bool) or int(eighths) not in FUEL_EIGHTHS or int(eighths) != eighths:
        raise DomainError("The fuel level is given in eighths, from 0 (empty) to 8 (full)", field="fuel_eighths")
    return int(eighths)


def check_item(name: str, state: str, note: str = "") -> dict:
    at = "checks." + name
    if name not in CHECKS:
        raise DomainError("Unknown check item {item}", field=at, item=name)
    if state not in CHECK_STATES:
        raise DomainError("Choose OK or needs attention", field=at)
    note = (note or "").strip()
    if state == "attention" and not note:
        raise DomainError("Describe what needs attention", field=at, code="note_required")
    return {"state": state, "note": note}


def valuables(left: bool, note: str = "") -> dict:
    note = (note or "").strip()
    if left and not note:
        raise DomainError(
            "List the valuables left in the car (or mark that there are none)", field="valuables", code="note_required"
        )
    return {"left": bool(left), "note": note if left else ""}


def damage(zone: str, kind: str, note: str = "") -> dict:
    if zone not in ZONES:
        raise DomainError("Choose a zone on the car diagram", field="damage.zone", code="zone_unknown")
    if kind not in DAMAGE_KINDS:
        raise DomainError("Choose the kind of damage", field="damage.kind", code="kind_unknown")
    return {"zone": zone, "kind": kind, "note": (note or "").strip()[:200]}


def missing(covers: dict, sheet: dict, first_service: bool) -> list[str]:
    """What the sheet still lacks (field names, in the order of the walk-around); empty when complete."""
    out = [f"covers.{name}" for name in COVERS if not covers.get(name)]
    for name in ("vin", "mileage_km", "fuel_eighths"):
        if sheet.get(name) is None:
            out.append(name)
    for name in CHECKS:
        if name == "underbody" and not first_service:
            continue
        if name not in (sheet.get("checks") or {}):
            out.append(f"checks.{name}")
    if sheet.get("valuables") is None:
        out.append("valuables")
    return out


MISSING_LABELS = {
    **{f"covers.{name}": label for name, label in COVERS.items()},
    "vin": N_("VIN"),
    "mileage_km": N_("Mileage"),
    "fuel_eighths": N_("Fuel level"),
    **{f"checks.{name}": label for name, label in CHECKS.items()},
    "valuables": N_("Valuables left in the car"),
}


def require_complete(covers: dict, sheet: dict, first_service: bool) -> None:
    """R-RC-1..3: refuse completing (or signing on) a sheet with anything missing, naming the first."""
    gaps = missing(covers, sheet, first_service)
    if not gaps:
        return
    if "checks.underbody" in gaps and first_service:
        raise DomainError(
            "A first service needs the underbody check (the car is lifted) before the sheet is complete",
            field="checks.underbody",
            code="underbody_required",
        )
    refused = DomainError(
        "The walk-around sheet is not complete (covers, VIN, mileage, fuel, checks and valuables)",
        field=gaps[0],
        code="walk_around_incomplete",
    )
    refused.details = {"missing": gaps}
    raise refused
