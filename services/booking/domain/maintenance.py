"""Maintenance plans as data, per model (R-KB-2), and when each item comes due (proactive booking, R-BK-1).

The plans live in `maintenance_plans.yaml`, not in code. Every item is due after `every_km` OR `every_months`
since it was last done (or since purchase), whichever comes first. The km date is projected from the
vehicle's own mileage readings. Plain Python: dates, ints and Decimals only.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import yaml

__all__ = [
    "DEFAULT_KM_PER_DAY",
    "DEFAULT_PLAN",
    "MIN_SPAN_DAYS",
    "PLANS_PATH",
    "Due",
    "Plan",
    "PlanItem",
    "add_months",
    "due_items",
    "due_within",
    "km_per_day",
    "load_plans",
    "plan_for",
]

PLANS_PATH = Path(__file__).parent.parent / "maintenance_plans.yaml"
DEFAULT_PLAN = "default"
DEFAULT_KM_PER_DAY = 40
MIN_SPAN_DAYS = 14

Reading = tuple[date, int]


@dataclass(frozen=True)
class PlanItem:
    code: str
    name_zh: str
    name_en: str
    every_km: int | None
    every_months: int | None
    labour: tuple[str, ...] = ()
    parts: tuple[tuple[str, Decimal], ...] = ()
    once: bool = False


@dataclass(frozen=True)
class Plan:
    model: str
    name_zh: str
    name_en: str
    items: tuple[PlanItem, ...]
    aliases: tuple[str, ...] = ()

    def item(self, code: str) -> PlanItem:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


@dataclass(frozen=True)
class Due:
    item: PlanItem
    due_on: date
    due_km: int | None  # the odometer reading at which the km interval is reached (None: months only)
    reason: str  # "months" or "km": the interval that comes first
    overdue: bool


# ---------------------------------------------------------------------------------------------- loading


def _interval(raw: dict, key: str, where: str) -> int | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{where}: {key} must be a positive whole number or null, not {value!r}")
    return value


def _item(raw: dict, where: str) -> PlanItem:
    missing = {"code", "name_zh", "name_en"} - raw.keys()
    if missing:
        raise ValueError(f"{where}: missing {', '.join(sorted(missing))}")
    where = f"{where} {raw['code']}"
    every_km, every_months = _interval(raw, "every_km", where), _interval(raw, "every_months", where)
    if every_km is None and every_months is None:
        raise ValueError(f"{where}: needs every_km or every_months")
    parts = tuple((str(code), Decimal(str(qty))) for code, qty in (raw.get("parts") or {}).items())
    return PlanItem(
        code=str(raw["code"]),
        name_zh=str(raw["name_zh"]),
        name_en=str(raw["name_en"]),
        every_km=every_km,
        every_months=every_months,
        labour=tuple(str(code) for code in raw.get("labour") or ()),
        parts=parts,
        once=bool(raw.get("once", False)),
    )


def _plan(model: str, raw: dict) -> Plan:
    items = tuple(_item(item, f"plan {model}") for item in raw.get("items") or ())
    if not items:
        raise ValueError(f"plan {model}: has no items")
    codes = [item.code for item in items]
    if len(set(codes)) != len(codes):
        raise ValueError(f"plan {model}: item codes repeat")
    return Plan(
        model=model,
        name_zh=str(raw.get("name_zh", model)),
        name_en=str(raw.get("name_en", model)),
        items=items,
        aliases=tuple(str(alias) for alias in raw.get("aliases") or ()),
    )


@lru_cache(maxsize=8)
def load_plans(path: str | Path = PLANS_PATH) -> dict[str, Plan]:
    """All plans by model name (cached per path; treat the result as read-only)."""
    with open(path, encoding="utf-8") as f:
        document = yaml.safe_load(f) or {}
    plans = {str(model): _plan(str(model), raw) for model, raw in (document.get("plans") or {}).items()}
    if DEFAULT_PLAN not in plans:
        raise ValueError(f"{path}: a '{DEFAULT_PLAN}' plan is required")
    return plans


def plan_for(model: str | None, path: str | Path = PLANS_PATH) -> Plan:
    """The model's plan, matched by name or alias (case and surrounding spaces ignored), else `default`."""
    plans = load_plans(path)
    wanted = (model or "").strip().casefold()
    for plan in plans.values():
        if wanted and wanted in {name.casefold() for name in (plan.model, *plan.aliases)}:
            return plan
    return plans[DEFAULT_PLAN]


# ---------------------------------------------------------------------------------------------- dates


def add_months(day: date, months: int) -> date:
    """Calendar months: Jan 31 + 1 month = Feb 28 (29 in a leap year)."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def km_per_day(readings: Iterable[Reading], default: int | float | Decimal = DEFAULT_KM_PER_DAY) -> Decimal:
    """Average km/day from the vehicle's own readings: the first against the last (by date).

    Falls back to `default` with fewer than two readings, a span under MIN_SPAN_DAYS days, or an odometer
    going backwards (a typing error; 0 would quietly switch off every km reminder). Never negative.
    """
    fallback = max(Decimal(str(default)), Decimal(0))
    ordered = sorted(readings)
    if len(ordered) < 2:
        return fallback
    (first_on, first_km), (last_on, last_km) = ordered[0], ordered[-1]
    days = (last_on - first_on).days
    if days < MIN_SPAN_DAYS or last_km < first_km:
        return fallback
    return (Decimal(last_km - first_km) / Decimal(days)).quantize(Decimal("0.01"), ROUND_HALF_UP)


# ---------------------------------------------------------------------------------------------- due items


def _km_date(due_km: int, latest: Reading, rate: Decimal) -> date | None:
    """When the odometer reaches due_km at `rate` km/day from the latest reading (None: never at rate 0)."""
    latest_on, latest_km = latest
    remaining = due_km - latest_km
    if remaining <= 0 and rate == 0:
        return latest_on
    if rate == 0:
        return None
    return latest_on + timedelta(days=int((Decimal(remaining) / rate).to_integral_value(ROUND_CEILING)))


def due_items(
    plan: Plan,
    purchase_date: date,
    readings: Iterable[Reading],
    done: Mapping[str, Reading],
    today: date,
    *,
    default_km_per_day: int | float | Decimal = DEFAULT_KM_PER_DAY,
) -> list[Due]:
    """When each plan item is next due (R-KB-2), soonest first.

    `readings` are (date, odometer km) observations; `done` maps item code -> (date, km) of its last service
    (service records count as readings too). An item never done counts from purchase at 0 km. A one-off item
    (首保) is dropped once done, or once the car has any other service on record. An item that only has a km
    interval on a car that is not moving has no date and is left out.
    """
    observed = sorted([*readings, *done.values()])
    rate = km_per_day(observed, default_km_per_day)
    latest = observed[-1] if observed else (purchase_date, 0)
    result = []
    for item in plan.items:
        if item.once and (item.code in done or any(code != item.code for code in done)):
            continue
        base_on, base_km = done.get(item.code, (purchase_date, 0))
        by_months = add_months(base_on, item.every_months) if item.every_months else None
        due_km = base_km + item.every_km if item.every_km else None
        by_km = _km_date(due_km, latest, rate) if due_km is not None else None
        if by_km is not None:
            by_km = max(by_km, base_on)
        candidates = [(on, reason) for on, reason in ((by_months, "months"), (by_km, "km")) if on is not None]
        if not candidates:
            continue
        due_on, reason = min(candidates, key=lambda candidate: candidate[0])  # on a tie: "months" (listed first)
        result.append(Due(item=item, due_on=due_on, due_km=due_km, reason=reason, overdue=due_on < today))
    result.sort(key=lambda due: (due.due_on, due.item.code))
    return result


def due_within(
    plan: Plan,
    purchase_date: date,
    readings: Iterable[Reading],
    done: Mapping[str, Reading],
    today: date,
    days: int,
    *,
    default_km_per_day: int | float | Decimal = DEFAULT_KM_PER_DAY,
) -> list[Due]:
    """Items due within the next `days` days, overdue ones included: whom to call for a booking (R-BK-1)."""
    until = today + timedelta(days=days)
    items = due_items(plan, purchase_date, readings, done, today, default_km_per_day=default_km_per_day)
    return [due for due in items if due.due_on <= until]
