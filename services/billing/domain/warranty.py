"""The repair's quality warranty period 质量保证期 on the completion certificate and the quality assurance card
(R-QC-5), by the kind of repair, as data: the regulation's defaults (机动车维修管理规定)."""

from __future__ import annotations

from datetime import date, timedelta

from kit.errors import DomainError
from kit.i18n import N_

# kind -> (title, km, days)
WARRANTY_PERIODS = {
    "whole_vehicle": ("整车修理", 20000, 100),
    "assembly": ("总成修理", 20000, 100),
    "level2_maintenance": ("二级维护", 5000, 30),
    "level1_maintenance": ("一级维护", 2000, 10),
    "minor_repair": ("小修", 2000, 10),
    "special_repair": ("专项修理", 2000, 10),
}
DEFAULT_KIND = "minor_repair"


def warranty_period(kind: str, delivered_on: date, mileage_km: int | None) -> dict:
    """Whichever comes first: `km` more kilometres or `days` days from delivery."""
    if kind not in WARRANTY_PERIODS:
        raise DomainError(N_("Unknown kind of repair"), field="repair_kind")
    title, km, days = WARRANTY_PERIODS[kind]
    return {
        "kind": kind,
        "title": title,
        "km": km,
        "days": days,
        "until": delivered_on + timedelta(days=days),
        "until_km": None if mileage_km is None else mileage_km + km,
    }


def repair_kind(labour_codes: list[str]) -> str:
    """The kind of repair read from the labour done: maintenance only is level-1 maintenance; anything
    else is a minor repair unless the advisor says otherwise."""
    maintenance = {"LAB-OIL", "LAB-INSPECT", "LAB-BRAKE-FLUID"}
    if labour_codes and set(labour_codes) <= maintenance:
        return "level1_maintenance"
    return DEFAULT_KIND
