"""Parts counter rules: quantities (bounds, unit precision), the never-negative rule, issuing against the
signed order at the counter (R-WS-2), goods-in allocation by promised time, returns (R-BL-3), reorders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from contracts.errors import DomainError
from services.parts import domain

D = Decimal
T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize("typed", ["1e308", "NaN", "Infinity", "-1", "0", "abc", "10000", "", "1,5"])
def test_a_quantity_out_of_bounds_is_refused_naming_the_field(typed):
    with pytest.raises(DomainError) as refused:
        domain.quantity(typed, field="quantity")
    assert refused.value.field == "quantity"


def test_pieces_are_whole_and_litres_count_to_a_tenth():
    assert domain.quantity("4", precision=0) == D("4")
    assert domain.quantity("4.5", precision=1) == D("4.5")
    with pytest.raises(DomainError) as piece:
        domain.quantity("0.5", precision=0)
    assert piece.value.code == "quantity_precision"
    with pytest.raises(DomainError):
        domain.quantity("4.25", precision=1)


def test_quantities_print_plainly():
    assert domain.plain(D("1E+3")) == "1000"
    assert domain.plain(D("4.50")) == "4.5"


def test_stock_never_goes_negative():
    assert domain.withdraw(D("1"), D("1"), "P-OIL") == D("0")
    with pytest.raises(DomainError) as short:
        domain.withdraw(D("1"), D("2"), "P-OIL")
    assert short.value.code == "stock_short" and "P-OIL" in short.value.message


def test_a_booking_typo_reserves_nothing_and_empties_no_store():
    """Issue 10: a part quantity of 1e308 moved every oil onto the shelf; now it reserves nothing."""
    plan = domain.plan_reservation(
        [("P-OIL", D("1e308")), ("P-FILTER", D("51")), ("P-PAD", D("2"))],
        {"P-OIL": D("395"), "P-FILTER": D("400"), "P-PAD": D("10")},
        {"P-OIL": 2, "P-FILTER": 2, "P-PAD": 5},
        T0.date(),
    )
    assert plan.reserved == [("P-PAD", D("2"))] and plan.short == []


LINES = [
    domain.SignedLine(3, "P-OIL", D("1"), D("0")),
    domain.SignedLine(4, "P-PAD-F", D("2"), D("1")),
]


def test_the_counter_issues_only_a_signed_part_with_something_still_due():
    assert domain.counter_line(LINES, " p-oil ", {}).line_no == 3
    with pytest.raises(DomainError) as unsigned:
        domain.counter_line(LINES, "P-DISC-F", {})
    assert unsigned.value.field == "part_no"
    done = [domain.SignedLine(3, "P-OIL", D("1"), D("1"))]
    with pytest.raises(DomainError) as full:
        domain.counter_line(done, "P-OIL", {})
    assert full.value.code == "over_signed"


def test_the_new_number_of_a_superseded_part_is_issued_against_the_old_line():
    lines = [domain.SignedLine(5, "P-PAD-F-OLD", D("1"), D("0"))]
    assert domain.counter_line(lines, "P-PAD-F", {"P-PAD-F-OLD": "P-PAD-F"}).line_no == 5


def test_never_more_than_the_signed_quantity_partial_issues_allowed():
    domain.check_within_signed(LINES[1], D("1"))  # 1 of 2 issued, one more is fine
    with pytest.raises(DomainError) as over:
        domain.check_within_signed(LINES[1], D("2"))
    assert over.value.code == "over_signed"


def test_goods_in_goes_to_the_car_needed_soonest_first():
    waiting = [
        domain.Waiting("BO-late", "P-PAD", D("2"), T0 + timedelta(days=2)),
        domain.Waiting("BO-soon", "P-PAD", D("3"), T0),
        domain.Waiting("BO-other", "P-DISC", D("1"), T0),
    ]
    assert domain.allocate({"P-PAD": D("4")}, waiting) == [("BO-soon", "P-PAD", D("3")), ("BO-late", "P-PAD", D("1"))]
    assert domain.allocate({"P-PAD": D("10"), "P-DISC": D("1")}, waiting) == [
        ("BO-other", "P-DISC", D("1")),
        ("BO-soon", "P-PAD", D("3")),
        ("BO-late", "P-PAD", D("2")),
    ]
    assert domain.allocate({"P-WEIGHT": D("5")}, waiting) == []


def test_a_return_never_exceeds_what_was_issued_less_earlier_returns():
    domain.check_return(D("2"), D("1"), D("1"), 3)
    with pytest.raises(DomainError) as over:
        domain.check_return(D("2"), D("1"), D("2"), 3)
    assert over.value.code == "return_too_large"


def test_reorder_up_to_max_when_free_stock_falls_below_min():
    assert domain.reorder_quantity(D("5"), D("0"), D("0"), D("6"), D("60")) == D("55")
    assert domain.reorder_quantity(D("5"), D("10"), D("0"), D("6"), D("60")) == D("0")
    assert domain.reorder_quantity(D("5"), D("10"), D("10"), D("6"), D("60")) == D("55")


def test_fill_rate_and_turnover():
    assert domain.fill_rate([True, True, False, True]) == D("75.0")
    assert domain.fill_rate([]) is None
    assert domain.turnover(D("1000"), D("36500"), 30) == D("0.33")


def test_pinyin_initials_for_search():
    assert domain.initials("机油滤清器") == "jylqq"
