"""The price list's versions: the maker's price file read, two people to publish, two versions compared;
settlement's numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kit.errors import DomainError
from services.billing.domain import numbers, price_lists

D = Decimal


def test_the_makers_price_file_is_read_with_english_or_chinese_headers():
    rows = [
        ["零件号", "名称", "零售价"],
        ["P-OIL-5W30", "机油 5W-30 4L", "278.00"],
        ["", "", ""],
        ["P-PAD-F", "前制动片", "399.5"],
    ]
    assert price_lists.parts_from_rows(rows) == [
        {"part_no": "P-OIL-5W30", "name": "机油 5W-30 4L", "unit_price": D("278.00")},
        {"part_no": "P-PAD-F", "name": "前制动片", "unit_price": D("399.50")},
    ]


@pytest.mark.parametrize(
    ("rows", "fragment"),
    [
        ([], "empty"),
        ([["part_no", "name"]], "unit_price"),
        ([["part_no", "name", "unit_price"], ["P-1", "x", "1.005"]], "Row {row}"),
        ([["part_no", "name", "unit_price"], ["P-1", "x", "abc"]], "Row {row}"),
        ([["part_no", "name", "unit_price"], ["P-1", "x", "1"], ["P-1", "y", "2"]], "twice"),
        ([["part_no", "name", "unit_price"], ["", "x", "1"]], "required"),
    ],
)
def test_a_bad_price_file_is_refused_naming_the_row(rows, fragment):
    with pytest.raises(DomainError) as exc:
        price_lists.parts_from_rows(rows)
    assert exc.value.field == "file" and fragment in exc.value.msgid + str(exc.value.params)


def test_the_one_who_prepared_a_version_does_not_publish_it():
    price_lists.check_publisher("C001", "M001", None)
    with pytest.raises(DomainError) as exc:
        price_lists.check_publisher("M001", "M001", None)
    assert exc.value.code == "same_person"
    with pytest.raises(DomainError) as exc:
        price_lists.check_publisher("C001", "M001", "M002")
    assert exc.value.code == "already_published"


@pytest.mark.parametrize(
    ("rate", "vat", "field"),
    [
        ("300.001", "0.13", "labour_rate"),
        ("300", "1.5", "vat_rate"),
        ("300", "x", "vat_rate"),
        ("300", "NaN", "vat_rate"),
        ("300", "sNaN", "vat_rate"),
    ],
)
def test_a_version_needs_an_exact_rate_and_a_vat_between_0_and_1(rate, vat, field):
    with pytest.raises(DomainError) as exc:
        price_lists.check_version("2027.01-1", rate, vat)
    assert exc.value.field == field


def test_two_versions_compared():
    old = {
        "labour_rate": D("300.00"),
        "vat_rate": D("0.13"),
        "parts": [
            {"part_no": "A", "name": "a", "unit_price": D("1.00")},
            {"part_no": "B", "name": "b", "unit_price": D("2.00")},
        ],
        "labour_operations": [{"code": "L", "name": "l", "standard_hours": D("0.5")}],
    }
    new = {
        **old,
        "labour_rate": D("320.00"),
        "parts": [
            {"part_no": "A", "name": "a", "unit_price": D("1.10")},
            {"part_no": "C", "name": "c", "unit_price": D("3.00")},
        ],
    }
    diff = price_lists.diff(old, new)
    assert diff["labour_rate"] == (D("300.00"), D("320.00"))
    assert diff["parts"]["changed"] == [{"part_no": "A", "name": "a", "before": D("1.00"), "after": D("1.10")}]
    assert [p["part_no"] for p in diff["parts"]["added"]] == ["C"]
    assert [p["part_no"] for p in diff["parts"]["removed"]] == ["B"]
    assert diff["labour_operations"] == {"added": [], "removed": [], "changed": []}


def test_the_numbers_revenue_by_payer_average_discounts_and_blocked_causes():
    invoices = [
        {"bills": {"customer": {"labour": "100.00", "materials": "50.00", "total": "169.50"}}, "total": D("169.50")},
        {
            "bills": {
                "customer": {"labour": "0.00", "materials": "20.00", "total": "22.60"},
                "warranty": {"labour": "300.00", "materials": "0.00", "total": "339.00"},
            },
            "total": D("361.60"),
        },
    ]
    adjustments = [{"actor_id": "M001", "discount": "10.00", "waived_value": "58.00"}]
    blocked = [["已领用备件 P-FILTER-OIL (第9行) 不在客户签字的报价单上"], ["第3行 P-OIL 领用 2 超出报价数量 1"]]
    view = numbers.summarise(invoices, adjustments, blocked)
    assert view["revenue"]["customer"]["labour"] == D("100.00") and view["revenue"]["warranty"]["labour"] == D("300.00")
    assert view["labour"] == D("400.00") and view["materials"] == D("70.00")
    assert view["average_order"] == D("265.55")
    assert view["discounts"] == {"M001": D("68.00")}
    assert view["blocked_by_cause"] == {"not_on_quote": 1, "over_quantity": 1}
