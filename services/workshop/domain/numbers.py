"""The manager's numbers 技师绩效 per technician and period: productivity (clocked / attended), efficiency (sold /
clocked), first-time fix, QC failure rate, comeback rate, on-time delivery. Plain Python."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class JobFact:
    technician_id: str
    order_id: str
    sold_hours: Decimal
    clocked_minutes: int
    failed_qc: bool  # a non-conformance was raised on it
    comeback: bool  # its order came back for the same concern
    on_time: bool | None  # its order was ready by the promise (None: not ready yet)


def _ratio(a: Decimal, b: Decimal) -> Decimal | None:
    return (a / b).quantize(Decimal("0.01"), ROUND_HALF_UP) if b else None


def technician_numbers(facts: Iterable[JobFact], attended_hours: dict[str, Decimal]) -> list[dict]:
    """One row per technician; a ratio without its denominator is None (shown as "-")."""
    rows: dict[str, dict] = {}
    for f in facts:
        row = rows.setdefault(
            f.technician_id,
            {"jobs": 0, "sold": Decimal(0), "clocked": 0, "failed": 0, "comebacks": 0, "first": 0, "orders": {}},
        )
        row["jobs"] += 1
        row["sold"] += Decimal(f.sold_hours)
        row["clocked"] += f.clocked_minutes
        row["failed"] += 1 if f.failed_qc else 0
        row["comebacks"] += 1 if f.comeback else 0
        row["first"] += 0 if (f.failed_qc or f.comeback) else 1
        if f.on_time is not None:
            row["orders"][f.order_id] = f.on_time
    out = []
    for technician_id in sorted(rows):
        row = rows[technician_id]
        clocked = Decimal(row["clocked"]) / 60
        jobs = Decimal(row["jobs"])
        orders = row["orders"]
        out.append(
            {
                "technician_id": technician_id,
                "jobs": row["jobs"],
                "sold_hours": row["sold"].quantize(Decimal("0.01")),
                "clocked_hours": clocked.quantize(Decimal("0.01"), ROUND_HALF_UP),
                "productivity": _ratio(clocked, attended_hours.get(technician_id, Decimal(0))),
                "efficiency": _ratio(row["sold"], clocked),
                "first_time_fix": _ratio(Decimal(row["first"]), jobs),
                "qc_failure_rate": _ratio(Decimal(row["failed"]), jobs),
                "comeback_rate": _ratio(Decimal(row["comebacks"]), jobs),
                "on_time": _ratio(Decimal(sum(orders.values())), Decimal(len(orders))),
            }
        )
    return out
