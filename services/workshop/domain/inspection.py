"""The quality check 质量检查 (R-QC-1..4): the written inspection standard as data per kind of job, the items
marked OK / attention / fail with measured values (brake pad and tyre tread in mm), the road test where a job
needs one, and what a pass or a fail records. Plain Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from kit.errors import DomainError
from kit.i18n import N_

from .capacity import BODY, ELECTRICAL, MECHANICAL, QUICK
from .dispatch import skill_of

OK, ATTENTION, FAIL = "ok", "attention", "fail"
STATES = (OK, ATTENTION, FAIL)
URGENCIES = ("safety", "soon", "watch")


@dataclass(frozen=True)
class Item:
    key: str
    label: str  # message id
    limit_mm: Decimal | None = None  # a measured item: below the limit is a fail


BASE = (Item("work_done", N_("Work done as on the order")), Item("clean", N_("Car clean, covers removed")))
WEAR = (
    Item("pad_front", N_("Front brake pads (mm)"), Decimal("3")),
    Item("pad_rear", N_("Rear brake pads (mm)"), Decimal("3")),
    Item("tyre_fl", N_("Tyre tread front left (mm)"), Decimal("1.6")),
    Item("tyre_fr", N_("Tyre tread front right (mm)"), Decimal("1.6")),
    Item("tyre_rl", N_("Tyre tread rear left (mm)"), Decimal("1.6")),
    Item("tyre_rr", N_("Tyre tread rear right (mm)"), Decimal("1.6")),
)
# the inspection standard per kind of job (the skill of its labour operation)
STANDARDS: dict[str, tuple[Item, ...]] = {
    QUICK: (Item("levels", N_("Fluid levels")), Item("leaks", N_("No leaks")), *WEAR),
    MECHANICAL: (Item("leaks", N_("No leaks")), Item("noise", N_("No abnormal noise")), *WEAR),
    ELECTRICAL: (Item("codes", N_("No fault codes")), Item("functions", N_("Electrical functions"))),
    BODY: (Item("paint", N_("Paint and gaps")), Item("seals", N_("Seals and water tightness"))),
}
# jobs whose skill needs a road test with the technician (R-QC-1)
ROAD_TEST_SKILLS = frozenset({MECHANICAL})
MAX_MM = Decimal("30")


def standard_for(codes: Iterable[str]) -> list[Item]:
    """The items to inspect for an order: the base items and each job's kind's, once each, in order."""
    items: dict[str, Item] = {i.key: i for i in BASE}
    for code in codes:
        for item in STANDARDS[skill_of(code)]:
            items.setdefault(item.key, item)
    return list(items.values())


def needs_road_test(codes: Iterable[str]) -> bool:
    return any(skill_of(code) in ROAD_TEST_SKILLS for code in codes)


def _mm(value, field: str) -> Decimal:
    try:
        mm = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError("Give the measured value in mm", field=field, code="measured") from None
    if not mm.is_finite() or mm < 0 or mm > MAX_MM or mm.as_tuple().exponent < -1:
        raise DomainError("Give the measured value in mm (0-30, one decimal)", field=field, code="measured")
    return mm


@dataclass(frozen=True)
class Outcome:
    passed: bool
    failed: list[dict]  # [{"item", "line_no", "cause"}]
    wear: list[dict]  # [{"item", "measured_mm", "limit_mm"}]
    results: dict


def judge(items: list[Item], results: dict, job_lines: Iterable[int]) -> Outcome:
    """Each standard item marked ok / attention / fail (a measured value under its limit is a fail); a fail
    names the job (order line) it goes back to and the cause."""
    lines = set(job_lines)
    failed, wear, clean = [], [], {}
    for item in items:
        result = (results or {}).get(item.key)
        field = f"items.{item.key}"
        if not isinstance(result, dict) or result.get("state") not in STATES:
            raise DomainError("Mark every inspection item OK, attention or fail", field=field, code="item")
        state = result["state"]
        entry = {"state": state}
        if item.limit_mm is not None:
            mm = _mm(result.get("measured_mm"), f"{field}.measured_mm")
            wear.append({"item": item.key, "measured_mm": mm, "limit_mm": item.limit_mm})
            entry["measured_mm"] = mm
            if mm < item.limit_mm:
                state = entry["state"] = FAIL
        if state == FAIL:
            line_no, cause = result.get("line_no"), (result.get("cause") or "").strip()
            if line_no not in lines:
                raise DomainError("Name the job this fail goes back to", field=f"{field}.line_no", code="line_no")
            if not cause or len(cause) > 500:
                raise DomainError("Say the cause of the fail", field=f"{field}.cause", code="cause")
            failed.append({"item": item.key, "line_no": line_no, "cause": cause})
            entry.update(line_no=line_no, cause=cause)
        clean[item.key] = entry
    extra = set(results or {}) - {i.key for i in items}
    if extra:
        raise DomainError("Not an item of the inspection standard: {items}", field="items", items=", ".join(extra))
    return Outcome(passed=not failed, failed=failed, wear=wear, results=clean)


def check_road_test(road_test: dict | None, required: bool, technicians: Iterable[str]) -> dict | None:
    """R-QC-1: km out and back, with the technician who did the work."""
    if not required and not road_test:
        return None
    if not road_test:
        raise DomainError("This order needs a road test", field="road_test", code="road_test")
    out, back = road_test.get("km_out"), road_test.get("km_back")
    for name, value in (("km_out", out), ("km_back", back)):
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 2_000_000:
            raise DomainError("Give the odometer reading in km", field=f"road_test.{name}", code="km")
    if back < out or back - out > 100:
        raise DomainError("The km back must be 0-100 km above the km out", field="road_test.km_back", code="km")
    with_technician = road_test.get("technician_id")
    if with_technician not in set(technicians):
        raise DomainError(
            "The road test is driven with the technician who did the work", field="road_test.technician_id"
        )
    return {"km_out": out, "km_back": back, "technician_id": with_technician}


def check_handover(deferred: list[dict], washed, finished_bay: str | None, bays: Iterable[str]) -> list[dict]:
    """R-QC-3/4: needed work not done with its urgency; the car washed and parked on a finished-car bay."""
    clean = []
    for i, entry in enumerate(deferred or []):
        text = (entry.get("description") or "").strip()
        if not text or len(text) > 500:
            raise DomainError("Describe the work not done", field=f"deferred_work[{i}].description")
        if entry.get("urgency") not in URGENCIES:
            raise DomainError("Choose the urgency", field=f"deferred_work[{i}].urgency")
        clean.append({"description": text, "urgency": entry["urgency"], "code": entry.get("code") or None})
    if washed is not True:
        raise DomainError("The car is washed before it is handed over", field="washed", code="washed")
    if finished_bay not in set(bays):
        raise DomainError("Choose the finished-car bay it is parked on", field="finished_bay", code="finished_bay")
    return clean
