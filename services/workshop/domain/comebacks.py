"""Comebacks 返修 (no dealer system links them): a car back for the same concern - the same labour operation or
symptom code - within 30 days or 1,000 km (settings) of an earlier order is linked to that first order. Plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Visit:
    order_id: str
    vin: str
    at: datetime
    mileage_km: int | None
    concerns: frozenset[str]  # labour codes and symptom codes


@dataclass(frozen=True)
class ComebackRules:
    days: int = 30
    km: int = 1000


def first_order_of(new: Visit, earlier: Iterable[Visit], rules: ComebackRules = ComebackRules()) -> str | None:
    """The earliest earlier order of the same car with a shared concern, within the days or the km window."""
    matches = []
    for old in earlier:
        if old.order_id == new.order_id or old.vin != new.vin or old.at > new.at:
            continue
        if not (old.concerns & new.concerns):
            continue
        within_days = new.at - old.at <= timedelta(days=rules.days)
        within_km = (
            old.mileage_km is not None
            and new.mileage_km is not None
            and 0 <= new.mileage_km - old.mileage_km <= rules.km
        )
        if within_days or within_km:
            matches.append(old)
    return min(matches, key=lambda v: v.at).order_id if matches else None
