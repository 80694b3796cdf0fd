"""Settlement rules (R-BL-1..6): returns off the bill, line-level variances and a manager's corrections within
the discount limit, the pay-type split, VAT with labour and materials apart, exact fen, payments and refunds,
warranty periods, the gate pass and the delivery checklist."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kit.errors import DomainError
from services.billing.domain import (
    build_invoice,
    check_payment,
    corrections,
    delivery,
    gate_pass,
    money,
    pay_types,
    warranty,
)

from .test_billing_invoice_audit import make_book, make_quote

D = Decimal


def jobs():
    return [
        {"line_no": 1, "code": "LAB-OIL", "hours": D("0.5"), "technician_id": "T001"},
        {"line_no": 2, "code": "LAB-THROTTLE", "hours": D("1.2"), "technician_id": "T001"},
    ]


def issued():
    return [
        {"line_no": 3, "part_no": "P-OIL-5W30", "quantity": D("1")},
        {"line_no": 4, "part_no": "P-FILTER-OIL", "quantity": D("2")},
    ]


def test_the_bill_is_the_parts_issued_less_the_parts_returned():
    """R-BL-1/R-BL-3: a filter returned unused to stock is not billed."""
    returned = [{"line_no": 4, "part_no": "P-FILTER-OIL", "quantity": D("1")}]
    draft = build_invoice(make_quote(), make_book(), jobs(), issued(), returned=returned)
    assert draft.agrees
    filters = next(line for line in draft.lines if line["line_no"] == 4)
    assert filters["quantity"] == D("1") and filters["amount"] == D("45.00")
    assert draft.subtotal == D("823.50")


def test_a_part_returned_in_full_is_not_on_the_bill():
    returned = [{"line_no": 3, "part_no": "P-OIL-5W30", "quantity": D("1")}]
    draft = build_invoice(make_quote(), make_book(), jobs(), issued(), returned=returned)
    assert [line["line_no"] for line in draft.lines] == [1, 2, 4]


def test_an_unquoted_part_is_a_line_level_variance_with_its_list_value():
    extra = [*issued(), {"line_no": 9, "part_no": "P-FILTER-OIL", "quantity": D("1")}]
    draft = build_invoice(make_quote(), make_book(), jobs(), extra)
    assert not draft.agrees
    [variance] = draft.variances
    assert variance["key"] == "part:9:P-FILTER-OIL" and variance["value"] == D("45.00") and not variance["waived"]


def test_a_waived_variance_is_not_billed_and_the_invoice_agrees_again():
    """R-BL-1 correction: the manager waives the unquoted part; re-audited, the invoice agrees."""
    extra = [*issued(), {"line_no": 9, "part_no": "P-FILTER-OIL", "quantity": D("1")}]
    draft = build_invoice(make_quote(), make_book(), jobs(), extra, waived={"part:9:P-FILTER-OIL"})
    assert draft.agrees
    assert draft.variances[0]["waived"]
    assert draft.subtotal == D("868.50")


def test_an_excess_quantity_waived_bills_the_quoted_quantity():
    more = [{"line_no": 3, "part_no": "P-OIL-5W30", "quantity": D("2")}, issued()[1]]
    blocked = build_invoice(make_quote(), make_book(), jobs(), more)
    assert not blocked.agrees and blocked.variances[0]["value"] == D("268.50")
    fixed = build_invoice(make_quote(), make_book(), jobs(), more, waived={"part:3:P-OIL-5W30"})
    assert fixed.agrees and next(x for x in fixed.lines if x["line_no"] == 3)["quantity"] == D("1")


def adjust(**overrides):
    args = {
        "discount": "50.00",
        "waived_value": D("0"),
        "gross": D("868.50"),
        "limit": D("0.10"),
        "reason": "老客户",
        "variances": [],
        "waive": [],
    }
    args.update(overrides)
    return corrections.check_adjustment(**args)


def test_a_discount_within_the_limit_is_allowed():
    assert adjust() == D("50.00")
    assert adjust(discount="86.85") == D("86.85")


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"discount": "86.86"}, "discount", "over_limit"),
        ({"discount": "10.00", "waived_value": D("80.00")}, "discount", "over_limit"),
        ({"reason": "  "}, "reason", "reason_needed"),
        ({"discount": "10.001"}, "discount", "bad_amount"),
        ({"discount": "0"}, "discount", "empty_adjustment"),
        ({"waive": ["part:9:X"]}, "waive", "unknown_variance"),
        ({"limit": D("0")}, "discount", "over_limit"),
    ],
)
def test_an_adjustment_outside_the_rules_is_refused_naming_the_field(overrides, field, code):
    with pytest.raises(DomainError) as exc:
        adjust(**overrides)
    assert (exc.value.field, exc.value.code) == (field, code)


def test_discount_limits_are_a_setting_per_role():
    limits = corrections.discount_limits("service_manager=0.15, service_advisor=0.03")
    assert corrections.limit_for(["service_advisor"], limits) == D("0.03")
    assert corrections.limit_for(["cashier"], limits) == D("0")
    assert corrections.discount_limits(None) == {"service_manager": D("0.10")}
    with pytest.raises(ValueError):
        corrections.discount_limits("service_manager=2")


def lines():
    return [
        {"line_no": 1, "kind": "labour", "code": "LAB-OIL", "quantity": D("0.5"), "amount": D("150.00")},
        {"line_no": 2, "kind": "labour", "code": "LAB-BRAKE-DISC", "quantity": D("1.5"), "amount": D("450.00")},
        {"line_no": 3, "kind": "part", "code": "P-OIL-5W30", "quantity": D("1"), "amount": D("268.50")},
        {"line_no": 4, "kind": "part", "code": "P-DISC-F", "quantity": D("2"), "amount": D("1120.00")},
    ]


def test_vat_13_percent_with_labour_and_materials_apart():
    totals = money.split_totals(lines(), D("0.13"))
    assert (totals["labour"], totals["materials"]) == (D("600.00"), D("1388.50"))
    assert totals["subtotal"] == D("1988.50")
    assert totals["vat"] == D("258.51")  # 258.505 half up
    assert totals["total"] == D("2247.01")


def test_a_discount_comes_off_before_vat():
    totals = money.split_totals(lines(), D("0.13"), D("88.50"))
    assert totals["subtotal"] == D("1900.00") and totals["vat"] == D("247.00") and totals["total"] == D("2147.00")


def test_warranty_lines_make_a_second_invoice_for_the_maker():
    bills = pay_types.split_by_payer(lines(), {"2": "warranty", "4": "warranty"}, "customer", D("0.13"))
    assert set(bills) == {"customer", "warranty"}
    assert bills["customer"]["subtotal"] == D("418.50") and bills["customer"]["total"] == D("472.91")
    assert bills["warranty"]["labour"] == D("450.00") and bills["warranty"]["materials"] == D("1120.00")
    assert [line["line_no"] for line in bills["warranty"]["lines"]] == [2, 4]


def test_an_internal_order_has_one_internal_invoice():
    assert set(pay_types.split_by_payer(lines(), {}, "internal", D("0.13"))) == {"internal"}


def test_a_pay_type_must_be_known_and_for_a_line_on_the_invoice():
    with pytest.raises(DomainError) as exc:
        pay_types.check_assignment({1, 2}, 1, "insurer")
    assert exc.value.field == "pay_type"
    for line_no in (7, "x1", "-1"):
        with pytest.raises(DomainError) as exc:
            pay_types.check_assignment({1, 2}, line_no, "warranty")
        assert exc.value.field == "line_no"


def test_the_warranty_claim_has_the_makers_fields():
    claim = pay_types.warranty_claim("LSVAM4187C2184847", 35210, "B1234", lines()[1::2])
    assert set(claim) == set(pay_types.WARRANTY_CLAIM_FIELDS)
    assert claim["parts"] == [{"part_no": "P-DISC-F", "quantity": D("2")}] and claim["old_part_kept"]
    with pytest.raises(DomainError) as exc:
        pay_types.warranty_claim("V", 1, "", [])
    assert exc.value.field == "failure_code"


@pytest.mark.parametrize("text", ["741.284", "0.001", "12.3456"])
def test_more_than_two_decimals_is_refused_never_rounded(text):
    with pytest.raises(DomainError) as exc:
        money.exact_fen(text)
    assert exc.value.field == "amount" and exc.value.code == "bad_amount"


@pytest.mark.parametrize(("text", "value"), [("741.28", D("741.28")), ("741.2", D("741.20")), ("741.280", D("741.28"))])
def test_amounts_exact_to_the_fen_are_taken_as_they_are(text, value):
    assert money.exact_fen(text) == value


@pytest.mark.parametrize(
    "text", ["abc", "-1", "NaN", "Infinity", "10000000.01", "1e30", "1e-30", "0.0000000000000000000000000000001"]
)
def test_an_amount_that_is_no_amount_is_refused(text):
    with pytest.raises(DomainError):
        money.exact_fen(text)


def test_partial_payments_by_two_methods_add_up_to_the_total():
    check_payment("ready", D("981.41"), D("500.00"), "cash")
    balance = money.balance_due(D("981.41"), [{"kind": "payment", "amount": D("500.00")}])
    assert balance == D("481.41")
    check_payment("ready", balance, D("481.41"), "alipay")
    with pytest.raises(DomainError) as exc:
        check_payment("ready", balance, D("481.42"), "card")
    assert exc.value.field == "amount"
    with pytest.raises(DomainError):
        check_payment("ready", balance, D("0.00"), "card")


@pytest.mark.parametrize("method", money.PAYMENT_METHODS)
def test_every_method_of_the_dealership_is_accepted(method):
    check_payment("ready", D("10.00"), D("10.00"), method)


def test_a_refund_needs_a_reason_at_most_what_was_paid_and_a_managers_approval():
    money.check_refund(D("100.00"), D("0.00"), D("40.00"), "多收")
    with pytest.raises(DomainError) as exc:
        money.check_refund(D("100.00"), D("70.00"), D("40.00"), "多收")
    assert exc.value.code == "refund_too_large"
    with pytest.raises(DomainError) as exc:
        money.check_refund(D("100.00"), D("0.00"), D("40.00"), "")
    assert exc.value.field == "reason"
    money.check_refund_approval("C001", "M001", ["service_manager"], None)
    with pytest.raises(DomainError) as exc:
        money.check_refund_approval("C001", "C002", ["cashier"], None)
    assert exc.value.code == "not_manager"
    with pytest.raises(DomainError) as exc:
        money.check_refund_approval("M001", "M001", ["service_manager"], None)
    assert exc.value.code == "same_person"
    refunds = [{"kind": "payment", "amount": D("100.00")}, {"kind": "refund", "amount": D("40.00")}]
    assert money.balance_due(D("100.00"), refunds) == D("0.00")  # not approved: nothing paid out yet
    refunds[1]["approved_by"] = "M001"
    assert money.balance_due(D("100.00"), refunds) == D("40.00")


@pytest.mark.parametrize(
    ("kind", "km", "days"),
    [
        ("whole_vehicle", 20000, 100),
        ("assembly", 20000, 100),
        ("level2_maintenance", 5000, 30),
        ("level1_maintenance", 2000, 10),
        ("minor_repair", 2000, 10),
        ("special_repair", 2000, 10),
    ],
)
def test_warranty_periods_by_kind_of_repair(kind, km, days):
    period = warranty.warranty_period(kind, date(2026, 12, 1), 35210)
    assert (period["km"], period["days"]) == (km, days)
    assert period["until_km"] == 35210 + km
    assert (period["until"] - date(2026, 12, 1)).days == days


def test_the_kind_of_repair_follows_the_labour_done():
    assert warranty.repair_kind(["LAB-OIL"]) == "level1_maintenance"
    assert warranty.repair_kind(["LAB-OIL", "LAB-BRAKE-DISC"]) == "minor_repair"
    with pytest.raises(DomainError):
        warranty.warranty_period("tuning", date(2026, 12, 1), None)


SECRET = b"dealer-secret"


def test_a_gate_pass_is_valid_once_for_its_plate():
    token = gate_pass.issue(SECRET, "GP261201-ABC123", "沪A12345")
    assert gate_pass.check(SECRET, token, "沪a 12345", None) == "GP261201-ABC123"


@pytest.mark.parametrize(
    ("mutate", "plate", "used", "code"),
    [
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "沪A12345", None, "forged"),
        (lambda t: t.replace("沪A12345", "沪B99999"), "沪B99999", None, "forged"),
        (lambda t: "GP-MADE-UP", "沪A12345", None, "forged"),
        (lambda t: t, "沪B99999", None, "other_plate"),
        (lambda t: t, "沪A12345", "2026-12-01T10:00:00Z", "used"),
    ],
)
def test_a_forged_moved_or_reused_gate_pass_is_refused(mutate, plate, used, code):
    token = mutate(gate_pass.issue(SECRET, "GP261201-ABC123", "沪A12345"))
    with pytest.raises(DomainError) as exc:
        gate_pass.check(SECRET, token, plate, used)
    assert exc.value.code == code


def test_another_dealers_secret_makes_the_pass_forged():
    token = gate_pass.issue(b"other", "GP1", "沪A12345")
    with pytest.raises(DomainError):
        gate_pass.read(SECRET, token)


def test_the_car_is_delivered_by_the_receiving_advisor_or_a_manager_with_a_reason():
    assert delivery.check_deliverer("A001", "A001", ["service_advisor"], None) is False
    assert delivery.check_deliverer("A001", "M001", ["service_manager"], "王芳休假") is True
    with pytest.raises(DomainError) as exc:
        delivery.check_deliverer("A001", "A002", ["service_advisor"], "帮忙")
    assert exc.value.code == "not_receiving_advisor"
    with pytest.raises(DomainError) as exc:
        delivery.check_deliverer("A001", "M001", ["service_manager"], " ")
    assert exc.value.field == "override_reason"


def test_every_old_part_gets_a_fate():
    parts = delivery.old_parts(lines())
    assert [p["line_no"] for p in parts] == [3, 4]
    decided = delivery.check_fates(parts, {"3": "scrapped", "4": "returned_to_customer"})
    assert [p["fate"] for p in decided] == ["scrapped", "returned_to_customer"]
    with pytest.raises(DomainError) as exc:
        delivery.check_fates(parts, {"3": "scrapped", "4": "sold"})
    assert exc.value.field == "fate_4"


def test_declined_safety_work_needs_the_customers_waiver():
    checks = dict.fromkeys(delivery.CHECKS, True)
    deferred = [{"description": "后制动片剩余2mm", "urgency": "safety"}, {"description": "雨刮", "urgency": "soon"}]
    assert len(delivery.declined_safety(deferred)) == 1
    with pytest.raises(DomainError) as exc:
        delivery.check_checklist(checks, deferred, waiver_signed=False)
    assert exc.value.field == "waiver_signature"
    delivery.check_checklist(checks, deferred, waiver_signed=True)
    delivery.check_checklist(checks, deferred[1:], waiver_signed=False)
    with pytest.raises(DomainError) as exc:
        delivery.check_checklist({**checks, "covers_removed": False}, [], waiver_signed=False)
    assert exc.value.field == "covers_removed"
