"""The numbers page's data: settled invoices, the adjustments given, the invoices blocked (by cause)."""

from __future__ import annotations

import sqlalchemy as sa

from ..domain import numbers
from ..models import Correction, Invoice


def numbers_view(session) -> dict:
    paid = session.scalars(sa.select(Invoice).filter_by(status="paid"))
    invoices = [{"bills": i.bills or {}, "total": i.total} for i in paid]
    adjustments = [
        {
            "actor_id": c.actor_id,
            "discount": c.detail.get("discount", "0"),
            "waived_value": c.detail.get("waived_value", "0"),
        }
        for c in session.scalars(sa.select(Correction).filter_by(kind="adjustment"))
    ]
    blocked = [i.problems for i in session.scalars(sa.select(Invoice).filter_by(status="blocked"))]
    # an invoice put right by an adjustment keeps the problems it had in its audit trail
    blocked += [
        c.detail.get("problems", []) for c in session.scalars(sa.select(Correction).filter_by(kind="adjustment"))
    ]
    return numbers.summarise(invoices, adjustments, blocked)


def chart_rows(view: dict) -> dict:
    revenue = [
        {"label": f"{payer}·{part}", "value": view["revenue"][payer][part]}
        for payer in ("customer", "warranty", "internal")
        for part in ("labour", "materials")
    ]
    causes = [{"label": cause, "value": count} for cause, count in view["blocked_by_cause"].items()]
    discounts = [{"label": who, "value": amount} for who, amount in view["discounts"].items()]
    return {"revenue": revenue, "causes": causes, "discounts": discounts}
