"""Parts rules as plain functions: quantities, the appointment shelf, issues against signed orders (R-WS-2),
goods-in allocation to backorders, the never-negative rule, reorder suggestions and the counter's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from contracts.errors import DomainError
from kit import pinyin

ZERO = Decimal("0")
MAX_QUANTITY = Decimal("9999")  # no single move, receipt or count of one part is larger
MAX_PER_CAR = Decimal("50")  # R-BK-6: no booking sensibly needs more of one part for one car


def quantity(value, *, precision: int = 0, field: str = "quantity", maximum: Decimal = MAX_QUANTITY) -> Decimal:
    """A quantity as typed or sent: a finite positive decimal within `maximum` and the unit's precision
    (pieces whole, litres to 0.1). `1e308`, `NaN`, `-1`, `0.25` of a piece are refused naming the field."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError("Enter a quantity as a number", field=field, code="quantity_invalid") from None
    if not number.is_finite():
        raise DomainError("Enter a quantity as a number", field=field, code="quantity_invalid")
    if number <= 0:
        raise DomainError("The quantity must be more than zero", field=field, code="quantity_not_positive")
    if number > maximum:
        raise DomainError(
            "The quantity may be at most {maximum}", field=field, code="quantity_too_large", maximum=plain(maximum)
        )
    if number != number.quantize(Decimal(1).scaleb(-precision)):
        raise DomainError(
            "This part is counted to {places} decimal places", field=field, code="quantity_precision", places=precision
        )
    return number.quantize(Decimal(1).scaleb(-precision))


def plain(value: Decimal) -> str:
    """1000, not 1E+3."""
    return format(Decimal(value).normalize(), "f")


def initials(name: str) -> str:
    """Pinyin initials of a part name for the counter's search: 机油滤清器 -> jylqq, 空调滤芯 -> ktlx."""
    return pinyin.initials(name)


def withdraw(level: Decimal, amount: Decimal, part_no: str) -> Decimal:
    """The never-negative rule: what is left after taking `amount`; refused when stock does not hold it."""
    if amount > level:
        raise DomainError(
            "Not enough {part_no} in stock: {available} left",
            field="quantity",
            code="stock_short",
            part_no=part_no,
            available=plain(level),
        )
    return level - amount


@dataclass(frozen=True)
class ShelfPlan:
    reserved: list[tuple[str, Decimal]]  # (part_no, quantity moved to the shelf)
    short: list[tuple[str, Decimal, date]]  # (part_no, quantity missing, expected date)


def plan_reservation(
    planned: list[tuple[str, Decimal]], available: dict[str, Decimal], lead_days: dict[str, int], today: date
) -> ShelfPlan:
    """R-BK-6: reserve what the warehouse holds; for the rest give an expected date (R-BK-8).

    A line for more than one car could need (`MAX_PER_CAR`) reserves nothing: a booking typo (`1e308`) must
    not empty the store onto the shelf."""
    left = dict(available)
    reserved, short = [], []
    for part_no, wanted in planned:
        if not Decimal(wanted).is_finite() or not ZERO < wanted <= MAX_PER_CAR:
            continue
        take = min(wanted, left.get(part_no, ZERO))
        if take > 0:
            reserved.append((part_no, take))
            left[part_no] = left.get(part_no, ZERO) - take
        if take < wanted:
            short.append((part_no, wanted - take, today + timedelta(days=lead_days.get(part_no, 3))))
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
    for line_no, wanted in requested:
        line = lines.get(line_no)
        if line is None or line["kind"] != "part":
            refused.append((line_no, "签字委托书上没有该备件行"))
            continue
        part_no = line["code"]
        if issued.get(line_no, ZERO) + wanted > Decimal(line["quantity"]):
            refused.append((line_no, f"超出委托书数量 {plain(Decimal(line['quantity']))}"))
            continue
        from_shelf = min(wanted, shelf_left.get(part_no, ZERO))
        from_main = wanted - from_shelf
        if from_main > main_left.get(part_no, ZERO):
            refused.append((line_no, f"{part_no} 库存不足"))
            continue
        issued[line_no] = issued.get(line_no, ZERO) + wanted
        if from_shelf > 0:
            issue.append((line_no, part_no, from_shelf, shelf))
            shelf_left[part_no] -= from_shelf
        if from_main > 0:
            issue.append((line_no, part_no, from_main, main))
            main_left[part_no] = main_left.get(part_no, ZERO) - from_main
    return IssuePlan(issue, refused)


@dataclass(frozen=True)
class SignedLine:
    line_no: int
    part_no: str
    signed: Decimal  # what the customer signed for on this line
    issued: Decimal  # issued so far against it (every request of the order)


def counter_line(lines: list[SignedLine], scanned: str, supersedes: dict[str, str]) -> SignedLine:
    """R-WS-2 at the counter: the scanned number must be on the signed order (or supersede a number that is),
    with something still due on its line."""
    scanned = scanned.strip().upper()
    candidates = [line for line in lines if line.part_no == scanned or supersedes.get(line.part_no) == scanned]
    if not candidates:
        raise DomainError(
            "{part_no} is not on the signed order", field="part_no", code="part_not_signed", part_no=scanned
        )
    due = [line for line in candidates if line.issued < line.signed]
    if not due:
        line = candidates[0]
        raise DomainError(
            "Line {line_no} is issued in full ({signed} signed)",
            field="quantity",
            code="over_signed",
            line_no=line.line_no,
            signed=plain(line.signed),
        )
    return due[0]


def check_within_signed(line: SignedLine, amount: Decimal) -> None:
    if line.issued + amount > line.signed:
        raise DomainError(
            "At most {left} more may be issued on line {line_no} (signed {signed})",
            field="quantity",
            code="over_signed",
            left=plain(line.signed - line.issued),
            line_no=line.line_no,
            signed=plain(line.signed),
        )


@dataclass(frozen=True)
class Waiting:
    backorder_id: str
    part_no: str
    outstanding: Decimal
    promised_at: datetime


def allocate(received: dict[str, Decimal], waiting: list[Waiting]) -> list[tuple[str, str, Decimal]]:
    """Goods-in: each received part goes to its waiting backorders in order of promised time (the car needed
    soonest first; equal times by backorder id), as far as it reaches. Returns (backorder_id, part_no, qty)."""
    left = dict(received)
    out = []
    for wait in sorted(waiting, key=lambda w: (w.promised_at, w.backorder_id)):
        take = min(wait.outstanding, left.get(wait.part_no, ZERO))
        if take > 0:
            out.append((wait.backorder_id, wait.part_no, take))
            left[wait.part_no] -= take
    return out


def check_return(issued: Decimal, returned: Decimal, amount: Decimal, line_no: int) -> None:
    """R-BL-3: no more comes back on a line than was issued on it, less what came back before."""
    if returned + amount > issued:
        raise DomainError(
            "At most {left} can be returned on line {line_no}",
            field="quantity",
            code="return_too_large",
            left=plain(issued - returned),
            line_no=line_no,
        )


def reorder_quantity(on_hand: Decimal, on_order: Decimal, upcoming: Decimal, min_qty: Decimal, max_qty: Decimal):
    """Reorder suggestion: when what is free (on hand + on order - reserved for upcoming visits) falls below the
    minimum, order up to the maximum; else nothing."""
    free = on_hand + on_order - upcoming
    if max_qty <= 0 or free >= min_qty:
        return ZERO
    return max(max_qty - free, ZERO)


def fill_rate(first_time_full: list[bool]) -> Decimal | None:
    """First-time fill rate at dispatch: share of requested lines issued in full at the first attempt (%)."""
    if not first_time_full:
        return None
    return (Decimal(sum(first_time_full)) * 100 / len(first_time_full)).quantize(Decimal("0.1"))


def turnover(issued_at_cost: Decimal, stock_value: Decimal, days: int) -> Decimal | None:
    """Stock turnover per year: cost of parts issued over `days`, annualised, over the stock value now."""
    if stock_value <= 0:
        return None
    return (issued_at_cost * Decimal(365) / days / stock_value).quantize(Decimal("0.01"))
