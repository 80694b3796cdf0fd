"""R-WS-3 / R-BL-1 downstream of reception: the workshop reports found work and takes each new signed version
(new jobs, the technician told, new parts requested), parts issues the newly signed part lines, billing audits
against the latest signed version; a tampered or unsigned version is refused in every service."""

from __future__ import annotations

from decimal import Decimal

from services.billing.domain import build_invoice
from tests.support.amendments import (
    PAD,
)

D = Decimal


# --- the workshop reports found work ---------------------------------------------------------------


# --- the workshop takes the new version ----------------------------------------------------------------


# --- parts issues the newly signed part lines ------------------------------------------------------------


# --- billing audits against the latest signed version -----------------------------------------------------


def test_the_audit_names_a_declined_part_as_declined():
    quote = {
        "price_list_version": "x",
        "lines": [],
        "subtotal": D("0"),
        "vat_rate": D("0.13"),
        "vat": D("0"),
        "total": D("0"),
    }
    draft = build_invoice(quote, None, [], [{"line_no": 5, "part_no": "P-PAD-F", "quantity": D("1")}], [PAD])
    assert "已领用备件 P-PAD-F (第5行) 客户已拒绝该增项，不能结算" in draft.problems


def test_the_report_form_rows_without_a_code_are_left_out():
    from werkzeug.datastructures import MultiDict

    from services.workshop.web import additional_work

    form = MultiDict({"kind-0": "part", "code-0": "P-PAD-F", "quantity-0": "2", "kind-1": "labour", "code-1": " "})
    assert additional_work.found_work_from_form(form) == [{"kind": "part", "code": "P-PAD-F", "quantity": "2"}]
