"""The invoice audit (R-BL-1): the bill agrees with the signed quote and the published prices.

Plain Python: no nameko, no SQLAlchemy. Money is Decimal, rounded to the fen half up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from contracts.pricing import PriceBook
from contracts.repair_order import RepairOrder

CENT = Decimal("0.01")


def yuan(value) -> Decimal:
    """Round to the fen, half up, as a Chinese invoice does."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class InvoiceDraft:
    lines: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    variances: list[dict] = field(default_factory=list)  # line-level: what differs from the signed quote
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


def variance_key(kind: str, line_no: int, code: str) -> str:
    """How a line-level variance is named when a manager waives it (R-BL-1 corrections)."""
    return f"{kind}:{line_no}:{code}"


def build_invoice(
    quote: dict,
    book: PriceBook | None,
    jobs_done: list[dict],
    parts_issued: list[dict],
    declined: list[dict] = (),
    returned: list[dict] = (),
    waived: frozenset[str] | set[str] = frozenset(),
) -> InvoiceDraft:
    """Bill every job done and every part issued less the parts returned, at the quote's (published) prices.

    `quote` is the latest signed version of the order (R-BL-1: the quote and its signed amendments).
    A job or part that is not on it, or more of a part than was quoted, is a line-level variance: the invoice
    cannot be settled until the order is amended with the customer's consent, or a manager waives the
    variance (the customer is not charged for it; its list value counts as a discount). A line the customer
    declined in an amendment (`declined`, R-WS-3) is named as such. `returned` (parts_returned, R-BL-3) is
    taken off what was issued.
    """
    draft = InvoiceDraft(problems=audit_quote(quote, book))
    quoted = {line["line_no"]: line for line in quote["lines"]}
    refused = {(line["kind"], line["code"]) for line in declined}

    def not_on_quote(kind: str, code: str, line_no: int, what: str) -> str:
        if (kind, code) in refused:
            return f"{what} {code} (第{line_no}行) 客户已拒绝该增项，不能结算"
        return f"{what} {code} (第{line_no}行) 不在客户签字的报价单上"

    def variance(kind: str, line_no: int, code: str, quantity: Decimal, value: Decimal, problem: str) -> None:
        key = variance_key(kind, line_no, code)
        item = {"key": key, "line_no": line_no, "kind": kind, "code": code, "quantity": quantity}
        item.update(value=yuan(value), problem=problem, waived=key in waived)
        draft.variances.append(item)
        if not item["waived"]:
            draft.problems.append(problem)

    for job in sorted(jobs_done, key=lambda j: j["line_no"]):
        line = quoted.get(job["line_no"])
        if line is None or line["kind"] != "labour" or line["code"] != job["code"]:
            hours = (
                book.labour[job["code"]][1]
                if book and job["code"] in book.labour
                else Decimal(str(job.get("hours", "0")))
            )
            rate = book.labour_rate if book else Decimal("0")
            problem = not_on_quote("labour", job["code"], job["line_no"], "已完工项目")
            variance("labour", job["line_no"], job["code"], hours, hours * rate, problem)
            continue
        draft.lines.append(_bill_line(line, line["quantity"]))
    issued: dict[int, Decimal] = {}
    codes: dict[int, str] = {}
    for part in parts_issued:
        issued[part["line_no"]] = issued.get(part["line_no"], Decimal("0")) + part["quantity"]
        codes[part["line_no"]] = part["part_no"]
    for part in returned:
        issued[part["line_no"]] = issued.get(part["line_no"], Decimal("0")) - part["quantity"]
    for line_no, quantity in sorted(issued.items()):
        if quantity <= 0:
            continue
        line = quoted.get(line_no)
        code = codes.get(line_no, "")
        if line is None or line["kind"] != "part" or line["code"] != code:
            price = book.parts[code][1] if book and code in book.parts else Decimal("0")
            problem = not_on_quote("part", code, line_no, "已领用备件")
            variance("part", line_no, code, quantity, quantity * price, problem)
            continue
        if quantity > line["quantity"]:
            excess = quantity - line["quantity"]
            problem = f"第{line_no}行 {line['code']} 领用 {quantity} 超出报价数量 {line['quantity']}"
            variance("part", line_no, code, excess, excess * line["unit_price"], problem)
            if variance_key("part", line_no, code) not in waived:
                continue
            quantity = line["quantity"]
        draft.lines.append(_bill_line(line, quantity))
    draft.lines.sort(key=lambda line: line["line_no"])
    draft.subtotal = yuan(RepairOrder.of_lines(draft.lines).net()) if draft.lines else Decimal("0.00")
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


def check_chain(versions: list[dict], sha256_of) -> list[str]:
    """R-WS-3 / R-BL-1: the signed versions held form one unbroken chain 1..n, each naming the hash of the one
    before it. A missing version means billing waits; a wrong hash is a problem (returned)."""
    problems = []
    for previous, current in zip(versions, versions[1:], strict=False):
        amends = current.get("amends") or {}
        if amends.get("version") != previous["version"] or amends.get("sha256") != sha256_of(previous):
            problems.append(f"委托书第{current['version']}版与第{previous['version']}版不衔接(签字版本被改动)")
    return problems
