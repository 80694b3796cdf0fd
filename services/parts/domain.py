"""Parts rules as plain functions: what to put on the appointment shelf, what may be issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class ShelfPlan:
    reserved: list[tuple[str, Decimal]]  # (part_no, quantity moved to the shelf)
    short: list[tuple[str, Decimal, date]]  # (part_no, quantity missing, expected date)


def plan_reservation(
    planned: list[tuple[str, Decimal]], available: dict[str, Decimal], lead_days: dict[str, int], today: date
) -> ShelfPlan:
    """R-BK-6: reserve what the warehouse holds; for the rest give an expected date (R-BK-8)."""
    left = dict(available)
    reserved, short = [], []
    for part_no, quantity in planned:
        take = min(quantity, left.get(part_no, ZERO))
        if take > 0:
            reserved.append((part_no, take))
            left[part_no] = left.get(part_no, ZERO) - take
        if take < quantity:
            short.append((part_no, quantity - take, today + timedelta(days=lead_days.get(part_no, 3))))
    return ShelfPlan(reserved, short)


@dataclass(frozen=True)
class IssuePlan:
    issue: list[tuple[int, str, Decimal, str]]  # (line_no, part_no, quantity, from location)
    refused: list[tuple[int, str]]  # (line_no, reason)


def plan_issue(
    order_lines: list[dict],
    requested: list[tuple[int, Decimal]],
    already_issued: dict[int, Decimal],
    on_shelf: dict[str, Decimal],
    in_main: dict[str, Decimal],
    shelf: str,
    main: str,
) -> IssuePlan:
    """R-WS-2: parts leave stock only against a part line of the signed order, up to its quantity.

    The visit's own shelf reservation is used first, then the warehouse.
    """
    lines = {line["line_no"]: line for line in order_lines}
    shelf_left, main_left = dict(on_shelf), dict(in_main)
    issued = dict(already_issued)  # including what this request has planned so far
    issue, refused = [], []
    for line_no, quantity in requested:
        line = lines.get(line_no)
        if line is None or line["kind"] != "part":
            refused.append((line_no, "签字委托书上没有该备件行"))
            continue
        part_no = line["code"]
        if issued.get(line_no, ZERO) + quantity > line["quantity"]:
            refused.append((line_no, f"超出委托书数量 {line['quantity']}"))
            continue
        from_shelf = min(quantity, shelf_left.get(part_no, ZERO))
        from_main = quantity - from_shelf
        if from_main > main_left.get(part_no, ZERO):
            refused.append((line_no, f"{part_no} 库存不足"))
            continue
        issued[line_no] = issued.get(line_no, ZERO) + quantity
        if from_shelf > 0:
            issue.append((line_no, part_no, from_shelf, shelf))
            shelf_left[part_no] -= from_shelf
        if from_main > 0:
            issue.append((line_no, part_no, from_main, main))
            main_left[part_no] = main_left.get(part_no, ZERO) - from_main
    return IssuePlan(issue, refused)
