"""The repair order 维修委托书 as a value: its lines, their labour hours and totals by kind, its version and
the version it amends. Built from an order body (signed or draft, JSON or loaded by `OrderSchema`) so that
reception, the workshop and settlement read an order the same way instead of summing its dicts by hand.

Plain Python (no framework): `RepairOrder.from_body(body)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .registry import ContractError

LABOUR, PART = "labour", "part"
KINDS = (LABOUR, PART)
ZERO = Decimal("0")


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


@dataclass(frozen=True)
class OrderLine:
    """One line: labour (quantity = standard hours) or a part (quantity = pieces). Unpriced lines (requested,
    not yet priced from the list) have no description, unit price or amount."""

    kind: str
    code: str
    quantity: Decimal | None = None
    line_no: int | None = None
    description: str = ""
    unit_price: Decimal | None = None
    amount: Decimal | None = None

    @classmethod
    def from_dict(cls, line: Mapping[str, Any]) -> OrderLine:
        return cls(
            kind=line.get("kind", ""),
            code=line.get("code", ""),
            quantity=_decimal(line.get("quantity")),
            line_no=line.get("line_no"),
            description=line.get("description") or "",
            unit_price=_decimal(line.get("unit_price")),
            amount=_decimal(line.get("amount")),
        )

    @property
    def is_labour(self) -> bool:
        return self.kind == LABOUR

    @property
    def key(self) -> tuple[str, str]:
        """What makes two requested lines the same job: its kind and code."""
        return self.kind, self.code


@dataclass(frozen=True)
class Amends:
    """R-WS-3: the version an amendment replaces, and the SHA-256 of that version's canonical body."""

    version: int
    sha256: str


@dataclass(frozen=True)
class RepairOrder:
    order_id: str | None
    version: int
    lines: tuple[OrderLine, ...]
    vat_rate: Decimal | None = None
    amends: Amends | None = None
    signed: bool = False

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> RepairOrder:
        """An order body or draft; a bare {"lines": [...]} is enough to sum hours and amounts."""
        amends = body.get("amends")
        return cls(
            order_id=body.get("order_id"),
            version=int(body.get("version") or 1),
            lines=tuple(OrderLine.from_dict(line) for line in body.get("lines") or ()),
            vat_rate=_decimal(body.get("vat_rate")),
            amends=Amends(int(amends["version"]), amends["sha256"]) if amends else None,
            signed=bool(body.get("signed_at")),
        )

    @classmethod
    def of_lines(cls, lines: Iterable[Mapping[str, Any]]) -> RepairOrder:
        return cls.from_body({"lines": list(lines)})

    def select(self, line_nos: Iterable[int] | None = None) -> tuple[OrderLine, ...]:
        if line_nos is None:
            return self.lines
        wanted = set(line_nos)
        return tuple(line for line in self.lines if line.line_no in wanted)

    def labour_hours(self, line_nos: Iterable[int] | None = None) -> Decimal:
        """R-RC-5 / R-WS-3: the standard hours of its labour lines (all, or those numbered `line_nos`); the
        workshop's promise and an amendment's re-estimate are reckoned from them. Parts add no hours."""
        return sum((line.quantity or ZERO for line in self.select(line_nos) if line.is_labour), ZERO)

    def total_of(self, kind: str, line_nos: Iterable[int] | None = None) -> Decimal:
        """The amounts (before VAT) of its lines of one kind."""
        return sum((line.amount or ZERO for line in self.select(line_nos) if line.kind == kind), ZERO)

    def totals_by_kind(self, line_nos: Iterable[int] | None = None) -> dict[str, Decimal]:
        """{"labour": …, "part": …} before VAT (R-RC-5: every line priced from the published list)."""
        return {kind: self.total_of(kind, line_nos) for kind in KINDS}

    def net(self, line_nos: Iterable[int] | None = None) -> Decimal:
        return sum((line.amount or ZERO for line in self.select(line_nos)), ZERO)

    @property
    def last_line_no(self) -> int:
        """The highest line number: the lines an amendment adds are numbered after it (R-WS-3)."""
        return max((line.line_no or 0 for line in self.lines), default=0)

    def has_job(self, kind: str, code: str) -> bool:
        return any(line.key == (kind, code) for line in self.lines)

    def check_amends(self, amended: Mapping[str, Any]) -> None:
        """R-WS-3: an `order_amended` payload must say what this signed version says (its number, and which
        version, by number and SHA-256, it amends); otherwise it is refused for good."""
        if (
            self.version != amended["version"]
            or self.amends is None
            or self.amends.version != amended["previous_version"]
            or self.amends.sha256 != amended["previous_sha256"]
        ):
            raise ContractError("order_amended does not agree with the signed version it carries")
