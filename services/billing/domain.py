"""The invoice audit (R-BL-1): the bill agrees with the signed quote and the published prices.

Plain Python: no nameko, no SQLAlchemy. Money is Decimal, rounded to the fen half up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from contracts.pricing import PriceBook
from contracts.repair_order import RepairOrder
from kit.errors import DomainError

PAYMENT_METHODS = ("cash", "card", "wechat", "alipay", "transfer")
CENT = Decimal("0.01")


def yuan(value) -> Decimal:
    """Round to the fen, half up, as a Chinese invoice does."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class InvoiceDraft:
    lines: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    subtotal: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    total: Decimal = Decimal("0.00")

    @property
    def agrees(self) -> bool:
        return not self.problems


def audit_quote(quote: dict, book: PriceBook | None) -> list[str]:
    """Problems with the signed quote itself: prices off the published list, or arithmetic that does not add up."""
    if book is None:
        return [f"报价单使用的价目表版本 {quote['price_list_version']} 未发布"]
    problems = []
    if quote["vat_rate"] != book.vat_rate:
        problems.append(f"报价税率 {quote['vat_rate']} 与公布税率 {book.vat_rate} 不符")
    for line in quote["lines"]:
        no, code = line["line_no"], line["code"]
        if line["kind"] == "labour":
            if code not in book.labour:
                problems.append(f"第{no}行 工时项目 {code} 不在公布的价目表上")
                continue
            hours = book.labour[code][1]
            if line["quantity"] != hours:
                problems.append(f"第{no}行 {code} 工时 {line['quantity']} 与标准工时 {hours} 不符")
            if line["unit_price"] != book.labour_rate:
                problems.append(f"第{no}行 {code} 工时费率 {line['unit_price']} 与公布费率 {book.labour_rate} 不符")
        else:
            if code not in book.parts:
                problems.append(f"第{no}行 备件 {code} 不在公布的价目表上")
                continue
            price = book.parts[code][1]
            if line["unit_price"] != price:
                problems.append(f"第{no}行 {code} 单价 {line['unit_price']} 与公布价格 {price} 不符")
        if yuan(line["quantity"] * line["unit_price"]) != line["amount"]:
            problems.append(f"第{no}行 金额 {line['amount']} 不等于 数量×单价")
    subtotal = yuan(RepairOrder.of_lines(quote["lines"]).net())
    if subtotal != quote["subtotal"]:
        problems.append(f"报价小计 {quote['subtotal']} 不等于各行之和 {subtotal}")
    if yuan(quote["subtotal"] * quote["vat_rate"]) != quote["vat"]:
        problems.append(f"报价税额 {quote['vat']} 计算有误")
    if quote["subtotal"] + quote["vat"] != quote["total"]:
        problems.append(f"报价合计 {quote['total']} 不等于 小计+税额")
    return problems


def build_invoice(
    quote: dict,
    book: PriceBook | None,
    jobs_done: list[dict],
    parts_issued: list[dict],
    declined: list[dict] = (),
) -> InvoiceDraft:
    """Bill every job done and every part issued, at the quote's (published) prices.

    `quote` is the latest signed version of the order (R-BL-1: the quote and its signed amendments).
    A job or part that is not on it, or more of a part than was quoted, is a problem: the invoice
    cannot be settled until the order is amended with the customer's consent. A line the customer
    declined in an amendment (`declined`, R-WS-3) is named as such.
    """
    draft = InvoiceDraft(problems=audit_quote(quote, book))
    quoted = {line["line_no"]: line for line in quote["lines"]}
    refused = {(line["kind"], line["code"]) for line in declined}

    def not_on_quote(kind: str, code: str, line_no: int, what: str) -> str:
        if (kind, code) in refused:
            return f"{what} {code} (第{line_no}行) 客户已拒绝该增项，不能结算"
        return f"{what} {code} (第{line_no}行) 不在客户签字的报价单上"

    for job in sorted(jobs_done, key=lambda j: j["line_no"]):
        line = quoted.get(job["line_no"])
        if line is None or line["kind"] != "labour" or line["code"] != job["code"]:
            draft.problems.append(not_on_quote("labour", job["code"], job["line_no"], "已完工项目"))
            continue
        draft.lines.append(_bill_line(line, line["quantity"]))
    issued: dict[int, Decimal] = {}
    for part in parts_issued:
        issued[part["line_no"]] = issued.get(part["line_no"], Decimal("0")) + part["quantity"]
        line = quoted.get(part["line_no"])
        if line is None or line["kind"] != "part" or line["code"] != part["part_no"]:
            draft.problems.append(not_on_quote("part", part["part_no"], part["line_no"], "已领用备件"))
    for line_no, quantity in sorted(issued.items()):
        line = quoted.get(line_no)
        if line is None or line["kind"] != "part":
            continue
        if quantity > line["quantity"]:
            draft.problems.append(f"第{line_no}行 {line['code']} 领用 {quantity} 超出报价数量 {line['quantity']}")
            continue
        draft.lines.append(_bill_line(line, quantity))
    draft.lines.sort(key=lambda line: line["line_no"])
    draft.subtotal = yuan(RepairOrder.of_lines(draft.lines).net())
    draft.vat = yuan(draft.subtotal * quote["vat_rate"])
    draft.total = draft.subtotal + draft.vat
    return draft


def _bill_line(quote_line: dict, quantity: Decimal) -> dict:
    return {
        "line_no": quote_line["line_no"],
        "kind": quote_line["kind"],
        "code": quote_line["code"],
        "description": quote_line["description"],
        "quantity": quantity,
        "unit_price": quote_line["unit_price"],
        "amount": yuan(quantity * quote_line["unit_price"]),
    }


def check_payment(status: str, total: Decimal | None, amount: Decimal, method: str) -> None:
    """R-BL-1: an invoice that disagrees cannot be settled; the amount taken is the amount billed."""
    if status == "paid":
        raise DomainError("This invoice has already been paid", code="already_paid")
    if status == "blocked":
        raise DomainError(
            "The invoice disagrees with the signed quote or the published prices; correct it before taking payment",
            code="invoice_blocked",
        )
    if status != "ready":
        raise DomainError("The car has not passed the quality check yet; it cannot be settled", code="not_ready")
    if method not in PAYMENT_METHODS:
        raise DomainError(
            "The payment method must be one of {methods}", field="method", methods=", ".join(PAYMENT_METHODS)
        )
    if amount != total:
        raise DomainError(
            "The amount received {amount} does not match the amount due {total}",
            field="amount",
            amount=amount,
            total=total,
        )


def check_chain(versions: list[dict], sha256_of) -> list[str]:
    """R-WS-3 / R-BL-1: the signed versions held form one unbroken chain 1..n, each naming the hash of the one
    before it. A missing version means billing waits; a wrong hash is a problem (returned)."""
    problems = []
    for previous, current in zip(versions, versions[1:], strict=False):
        amends = current.get("amends") or {}
        if amends.get("version") != previous["version"] or amends.get("sha256") != sha256_of(previous):
            problems.append(f"委托书第{current['version']}版与第{previous['version']}版不衔接(签字版本被改动)")
    return problems
