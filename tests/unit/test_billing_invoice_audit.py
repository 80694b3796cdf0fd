"""The invoice audit (R-BL-1): the bill agrees with the signed quote and the published prices."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from kit.errors import DomainError
from services.billing.domain import PriceBook, audit_quote, build_invoice, check_payment

D = Decimal


def make_book(**overrides) -> PriceBook:
    fields = {
        "version": "2026.11-1",
        "labour_rate": D("300.00"),
        "vat_rate": D("0.13"),
        "labour": {
            "LAB-OIL": ("更换机油及机油滤清器", D("0.5")),
            "LAB-THROTTLE": ("清洗节气门", D("1.2")),
        },
        "parts": {
            "P-OIL-5W30": ("机油 5W-30 4L", D("268.50")),
            "P-FILTER-OIL": ("机油滤清器", D("45.00")),
        },
    }
    fields.update(overrides)
    return PriceBook(**fields)


def labour_line(line_no: int, code: str, hours: str, rate: str = "300.00", **overrides) -> dict:
    line = {
        "line_no": line_no,
        "kind": "labour",
        "code": code,
        "description": f"工时 {code}",
        "quantity": D(hours),
        "unit_price": D(rate),
        "amount": (D(hours) * D(rate)).quantize(D("0.01")),
    }
    line.update(overrides)
    return line


def part_line(line_no: int, code: str, quantity: str, price: str, **overrides) -> dict:
    line = {
        "line_no": line_no,
        "kind": "part",
        "code": code,
        "description": f"备件 {code}",
        "quantity": D(quantity),
        "unit_price": D(price),
        "amount": (D(quantity) * D(price)).quantize(D("0.01")),
    }
    line.update(overrides)
    return line


def default_lines() -> list[dict]:
    """868.50 before VAT; VAT 112.905 is a half-fen case (half-up 112.91, half-even 112.90)."""
    return [
        labour_line(1, "LAB-OIL", "0.5"),  # 150.00
        labour_line(2, "LAB-THROTTLE", "1.2"),  # 360.00
        part_line(3, "P-OIL-5W30", "1", "268.50"),  # 268.50
        part_line(4, "P-FILTER-OIL", "2", "45.00"),  # 90.00
    ]


def make_quote(lines: list[dict] | None = None, **overrides) -> dict:
    """A signed quote whose totals add up (unless overridden)."""
    lines = default_lines() if lines is None else lines
    subtotal = sum((line["amount"] for line in lines), D("0")).quantize(D("0.01"))
    vat = (subtotal * D("0.13")).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    quote = {
        "price_list_version": "2026.11-1",
        "lines": lines,
        "subtotal": subtotal,
        "vat_rate": D("0.13"),
        "vat": vat,
        "total": subtotal + vat,
    }
    quote.update(overrides)
    return quote


def job(line_no: int, code: str) -> dict:
    return {"line_no": line_no, "code": code}


def issued(line_no: int, part_no: str, quantity: str) -> dict:
    return {"line_no": line_no, "part_no": part_no, "quantity": D(quantity)}


def all_done() -> list[dict]:
    return [job(1, "LAB-OIL"), job(2, "LAB-THROTTLE")]


def all_issued() -> list[dict]:
    return [issued(3, "P-OIL-5W30", "1"), issued(4, "P-FILTER-OIL", "1"), issued(4, "P-FILTER-OIL", "1")]


# --- the quote itself --------------------------------------------------------------------------


def test_a_quote_priced_from_the_published_list_with_correct_arithmetic_has_no_problems():
    """R-BL-1."""
    assert audit_quote(make_quote(), make_book()) == []


def test_a_part_whose_unit_price_differs_from_the_published_price_is_a_problem():
    """R-BL-1: every line priced from the published parts prices."""
    lines = default_lines()
    lines[2] = part_line(3, "P-OIL-5W30", "1", "280.00")
    problems = audit_quote(make_quote(lines), make_book())
    assert len(problems) == 1
    assert "第3行" in problems[0] and "P-OIL-5W30" in problems[0]
    assert "280.00" in problems[0] and "268.50" in problems[0]


def test_a_labour_line_at_a_rate_other_than_the_published_rate_is_a_problem():
    """R-BL-1: labour priced at the published labour rate."""
    lines = default_lines()
    lines[0] = labour_line(1, "LAB-OIL", "0.5", rate="320.00")
    problems = audit_quote(make_quote(lines), make_book())
    assert len(problems) == 1
    assert "第1行" in problems[0] and "工时费率" in problems[0] and "320.00" in problems[0]


def test_labour_hours_different_from_the_standard_hours_are_a_problem():
    """R-BL-1: labour is standard hours x rate."""
    lines = default_lines()
    lines[0] = labour_line(1, "LAB-OIL", "1.0")
    problems = audit_quote(make_quote(lines), make_book())
    assert len(problems) == 1
    assert "第1行" in problems[0] and "标准工时 0.5" in problems[0]


def test_a_labour_code_not_on_the_published_list_is_a_problem():
    """R-BL-1."""
    lines = [*default_lines(), labour_line(5, "LAB-MYSTERY", "1.0")]
    problems = audit_quote(make_quote(lines), make_book())
    assert problems == ["第5行 工时项目 LAB-MYSTERY 不在公布的价目表上"]


def test_a_part_not_on_the_published_list_is_a_problem():
    """R-BL-1."""
    lines = [*default_lines(), part_line(5, "P-UNKNOWN", "1", "10.00")]
    problems = audit_quote(make_quote(lines), make_book())
    assert problems == ["第5行 备件 P-UNKNOWN 不在公布的价目表上"]


def test_a_line_amount_that_is_not_quantity_times_unit_price_is_a_problem():
    """R-BL-1: the quote's arithmetic must add up."""
    lines = default_lines()
    lines[3] = part_line(4, "P-FILTER-OIL", "2", "45.00", amount=D("95.00"))
    problems = audit_quote(make_quote(lines), make_book())
    assert len(problems) == 1
    assert "第4行" in problems[0] and "95.00" in problems[0]


def test_a_subtotal_that_is_not_the_sum_of_the_lines_is_a_problem():
    """R-BL-1."""
    quote = make_quote(subtotal=D("868.00"), vat=D("112.84"), total=D("980.84"))
    problems = audit_quote(quote, make_book())
    assert problems == ["报价小计 868.00 不等于各行之和 868.50"]


def test_vat_not_rounded_half_up_to_the_fen_is_a_problem():
    """R-BL-1: 868.50 x 13% = 112.905 must be 112.91 (half up), not 112.90 (banker's rounding)."""
    quote = make_quote(vat=D("112.90"), total=D("981.40"))
    problems = audit_quote(quote, make_book())
    assert problems == ["报价税额 112.90 计算有误"]


def test_a_total_that_is_not_subtotal_plus_vat_is_a_problem():
    """R-BL-1."""
    quote = make_quote(total=D("981.42"))
    problems = audit_quote(quote, make_book())
    assert problems == ["报价合计 981.42 不等于 小计+税额"]


def test_a_quote_on_an_unpublished_price_list_version_is_a_problem():
    """R-BL-1: every line priced from the *published* list."""
    problems = audit_quote(make_quote(price_list_version="2099.01-9"), None)
    assert problems == ["报价单使用的价目表版本 2099.01-9 未发布"]


def test_a_quote_at_a_vat_rate_other_than_the_published_rate_is_a_problem():
    """R-BL-1: the bill is priced from the published list, which publishes the VAT rate (13%)."""
    lines = default_lines()
    subtotal = D("868.50")
    quote = make_quote(lines, vat_rate=D("0.06"), vat=D("52.11"), total=subtotal + D("52.11"))
    assert audit_quote(quote, make_book()) != []


# --- the invoice -------------------------------------------------------------------------------


def test_an_invoice_that_agrees_with_the_quote_bills_every_line_with_exact_totals():
    """R-BL-1: every job done and part used is billed; VAT 13% rounded half up to the fen."""
    draft = build_invoice(make_quote(), make_book(), all_done(), all_issued())
    assert draft.agrees is True
    assert draft.problems == []
    assert [(line["line_no"], line["quantity"], line["amount"]) for line in draft.lines] == [
        (1, D("0.5"), D("150.00")),
        (2, D("1.2"), D("360.00")),
        (3, D("1"), D("268.50")),
        (4, D("2"), D("90.00")),
    ]
    assert draft.subtotal == D("868.50")
    assert draft.vat == D("112.91")
    assert draft.total == D("981.41")
    assert all(isinstance(v, Decimal) for v in (draft.subtotal, draft.vat, draft.total))


def test_an_invoice_line_carries_the_quoted_code_description_and_unit_price():
    """R-BL-1."""
    draft = build_invoice(make_quote(), make_book(), all_done(), all_issued())
    assert draft.lines[2] == {
        "line_no": 3,
        "kind": "part",
        "code": "P-OIL-5W30",
        "description": "备件 P-OIL-5W30",
        "quantity": D("1"),
        "unit_price": D("268.50"),
        "amount": D("268.50"),
    }


def test_quoted_parts_that_were_not_issued_are_simply_not_billed():
    """R-BL-1: only parts used are billed; an unused quoted part is not a problem."""
    draft = build_invoice(make_quote(), make_book(), all_done(), [issued(3, "P-OIL-5W30", "1")])
    assert draft.agrees is True
    assert [line["line_no"] for line in draft.lines] == [1, 2, 3]
    assert draft.subtotal == D("778.50")
    assert draft.vat == D("101.21")  # 101.205 half up
    assert draft.total == D("879.71")


def test_a_part_issued_in_part_is_billed_for_the_quantity_issued():
    """R-BL-1."""
    draft = build_invoice(make_quote(), make_book(), all_done(), [issued(4, "P-FILTER-OIL", "1")])
    assert draft.agrees is True
    assert [(line["line_no"], line["amount"]) for line in draft.lines] == [
        (1, D("150.00")),
        (2, D("360.00")),
        (4, D("45.00")),
    ]
    assert draft.subtotal == D("555.00")
    assert draft.vat == D("72.15")
    assert draft.total == D("627.15")


def test_a_job_done_that_is_not_on_the_quote_is_a_problem_and_is_not_billed():
    """R-BL-1 / R-WS-3: new work needs a signed amendment first."""
    draft = build_invoice(make_quote(), make_book(), [*all_done(), job(5, "LAB-BRAKE")], all_issued())
    assert draft.agrees is False
    assert draft.problems == ["已完工项目 LAB-BRAKE (第5行) 不在客户签字的报价单上"]
    assert 5 not in [line["line_no"] for line in draft.lines]


def test_a_job_reported_against_a_part_line_of_the_quote_is_a_problem():
    """R-BL-1."""
    draft = build_invoice(make_quote(), make_book(), [*all_done(), job(3, "LAB-OIL")], all_issued())
    assert draft.problems == ["已完工项目 LAB-OIL (第3行) 不在客户签字的报价单上"]


def test_a_part_issued_that_is_not_on_the_quote_is_a_problem():
    """R-BL-1."""
    draft = build_invoice(make_quote(), make_book(), all_done(), [*all_issued(), issued(7, "P-PAD", "1")])
    assert draft.agrees is False
    assert draft.problems == ["已领用备件 P-PAD (第7行) 不在客户签字的报价单上"]
    assert 7 not in [line["line_no"] for line in draft.lines]


def test_a_part_issued_over_the_quoted_quantity_is_a_problem_and_that_line_is_not_billed():
    """R-BL-1: more of a part than the customer signed for needs an amendment."""
    parts = [issued(3, "P-OIL-5W30", "1"), issued(4, "P-FILTER-OIL", "2"), issued(4, "P-FILTER-OIL", "1")]
    draft = build_invoice(make_quote(), make_book(), all_done(), parts)
    assert draft.agrees is False
    assert draft.problems == ["第4行 P-FILTER-OIL 领用 3 超出报价数量 2"]
    assert [line["line_no"] for line in draft.lines] == [1, 2, 3]


def test_a_quote_problem_is_carried_into_the_invoice():
    """R-BL-1: a bill that does not agree with published prices cannot be settled."""
    lines = default_lines()
    lines[2] = part_line(3, "P-OIL-5W30", "1", "280.00")
    draft = build_invoice(make_quote(lines), make_book(), all_done(), all_issued())
    assert draft.agrees is False
    assert len(draft.problems) == 1 and "P-OIL-5W30" in draft.problems[0]


def test_an_invoice_on_an_unknown_price_list_version_does_not_agree():
    """R-BL-1."""
    draft = build_invoice(make_quote(price_list_version="2099.01-9"), None, all_done(), all_issued())
    assert draft.agrees is False
    assert draft.problems == ["报价单使用的价目表版本 2099.01-9 未发布"]


# --- taking payment ----------------------------------------------------------------------------


def test_payment_of_the_exact_total_by_a_known_method_is_accepted():
    """R-BL-1."""
    assert check_payment("ready", D("981.41"), D("981.41"), "wechat") is None


@pytest.mark.parametrize(
    ("status", "code"),
    [("blocked", "invoice_blocked"), ("paid", "already_paid"), ("open", "not_ready"), ("draft", "not_ready")],
)
def test_payment_is_refused_unless_the_invoice_is_ready(status, code):
    """R-BL-1: an invoice that disagrees (blocked) cannot be settled; nor one not yet ready, nor twice."""
    with pytest.raises(DomainError) as exc:
        check_payment(status, D("981.41"), D("981.41"), "cash")
    assert exc.value.code == code


def test_payment_over_the_balance_is_refused_naming_the_amount_field():
    """R-BL-1: the amount taken is at most the amount billed (part payments add up to it)."""
    with pytest.raises(DomainError) as exc:
        check_payment("ready", D("981.41"), D("981.42"), "cash")
    assert exc.value.field == "amount"
    assert "981.42" in exc.value.message and "981.41" in exc.value.message


def test_payment_by_an_unknown_method_is_refused_naming_the_method_field():
    with pytest.raises(DomainError) as exc:
        check_payment("ready", D("981.41"), D("981.41"), "bitcoin")
    assert exc.value.field == "method"
