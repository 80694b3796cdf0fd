"""Settlement's numbers: revenue by labour and parts and by pay type, the average order, discounts given and by
whom, invoices blocked by cause."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

ZERO = Decimal("0.00")


def blocked_cause(problem: str) -> str:
    """The kind of a blocking problem, from its wording (the audit's messages)."""
    if "不在客户签字的报价单上" in problem or "已拒绝" in problem:
        return "not_on_quote"
    if "超出报价数量" in problem:
        return "over_quantity"
    if "价目表" in problem or "公布" in problem:
        return "price_list"
    if "版" in problem:
        return "version_chain"
    return "arithmetic"


def summarise(invoices: list[dict], adjustments: list[dict], blocked_problems: list[list[str]]) -> dict:
    """`invoices`: settled ones ({"bills": {payer: totals}}); `adjustments`: {"actor_id", "discount", "waived_value"};
    `blocked_problems`: the problems of each invoice ever blocked."""
    by_payer = {
        payer: {"labour": ZERO, "materials": ZERO, "total": ZERO} for payer in ("customer", "warranty", "internal")
    }
    for invoice in invoices:
        for payer, bill in (invoice.get("bills") or {}).items():
            for key in ("labour", "materials", "total"):
                by_payer[payer][key] += Decimal(str(bill.get(key, "0")))
    totals = [Decimal(str(i["total"])) for i in invoices if i.get("total") is not None]
    discounts: dict[str, Decimal] = {}
    for adj in adjustments:
        given = Decimal(str(adj.get("discount", "0"))) + Decimal(str(adj.get("waived_value", "0")))
        discounts[adj["actor_id"]] = discounts.get(adj["actor_id"], ZERO) + given
    causes = Counter(blocked_cause(p) for problems in blocked_problems for p in problems)
    return {
        "count": len(invoices),
        "revenue": by_payer,
        "labour": sum((b["labour"] for b in by_payer.values()), ZERO),
        "materials": sum((b["materials"] for b in by_payer.values()), ZERO),
        "average_order": (sum(totals, ZERO) / len(totals)).quantize(Decimal("0.01")) if totals else ZERO,
        "discounts": dict(sorted(discounts.items())),
        "blocked_by_cause": dict(causes.most_common()),
    }
