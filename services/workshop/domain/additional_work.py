"""Additional work 增项 (R-WS-3): what a technician may report as found work, and what a new signed version
adds to the jobs and the parts to request."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from contracts.events import LINE_KINDS
from kit.errors import DomainError

from . import work_orders

# found work can be reported while the car is being worked on (or waits for its technician)
OPEN_STATUSES = ("waiting_dispatch", "in_progress")


def check_found_work(lines: list[dict], reason: str) -> list[dict]:
    """R-WS-3: what the technician found: labour codes and parts (with a quantity), and why."""
    if not (reason or "").strip():
        raise DomainError("Say what was found and why the work is needed", field="reason", code="required")
    if not lines:
        raise DomainError("Report at least one labour operation or part", field="lines", code="required")
    found = []
    for i, line in enumerate(lines):
        at = f"lines[{i}]"
        kind, code = line.get("kind"), (line.get("code") or "").strip().upper()
        if kind not in LINE_KINDS:
            raise DomainError("Choose labour or part", field=at + ".kind")
        if not code:
            raise DomainError("Enter the labour code or part number", field=at + ".code")
        quantity = None
        if kind == "part":
            try:
                quantity = Decimal(str(line.get("quantity")))
            except (InvalidOperation, ValueError):
                quantity = None
            if quantity is None or not quantity.is_finite() or quantity <= 0:
                raise DomainError("The part quantity must be greater than 0", field=at + ".quantity")
        found.append({"kind": kind, "code": code, "quantity": quantity, "note": (line.get("note") or "").strip()})
    return found


def new_lines(order: dict, known_job_lines: set[int], requested_part_lines: set[int]) -> tuple[list, list]:
    """The labour lines of a signed version that are not jobs yet, and its part lines not yet requested."""
    jobs = [job for job in work_orders.jobs_of(order) if job["line_no"] not in known_job_lines]
    parts = [part for part in work_orders.parts_of(order) if part["line_no"] not in requested_part_lines]
    return jobs, parts
