"""Parts rules: the appointment shelf (R-BK-6, R-BK-8) and issuing only against the signed order (R-WS-2)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from services.parts.domain import plan_issue, plan_reservation

D = Decimal
TODAY = date(2026, 11, 28)
SHELF = "SHELF-APPT"
MAIN = "MAIN"


def reserve(planned=None, available=None, lead_days=None, today=TODAY):
    return plan_reservation(
        planned if planned is not None else [("P-OIL-5W30", D("1"))],
        available if available is not None else {"P-OIL-5W30": D("10")},
        lead_days if lead_days is not None else {},
        today,
    )


def order_lines() -> list[dict]:
    return [
        {"line_no": 1, "kind": "labour", "code": "LAB-OIL", "quantity": D("0.5")},
        {"line_no": 2, "kind": "part", "code": "P-OIL-5W30", "quantity": D("2")},
        {"line_no": 3, "kind": "part", "code": "P-FILTER-OIL", "quantity": D("1")},
    ]


def issue(requested, already_issued=None, on_shelf=None, in_main=None, lines=None):
    return plan_issue(
        lines if lines is not None else order_lines(),
        requested,
        already_issued if already_issued is not None else {},
        on_shelf if on_shelf is not None else {},
        in_main if in_main is not None else {"P-OIL-5W30": D("10"), "P-FILTER-OIL": D("10")},
        SHELF,
        MAIN,
    )


# --- reservation on the appointment shelf ------------------------------------------------------


def test_everything_available_is_reserved_and_nothing_is_short():
    """R-BK-6: the parts for a booked visit go on the appointment shelf."""
    plan = reserve(
        planned=[("P-OIL-5W30", D("2")), ("P-FILTER-OIL", D("1"))],
        available={"P-OIL-5W30": D("5"), "P-FILTER-OIL": D("1")},
    )
    assert plan.reserved == [("P-OIL-5W30", D("2")), ("P-FILTER-OIL", D("1"))]
    assert plan.short == []


def test_what_is_available_is_reserved_and_the_rest_is_short_with_an_expected_date_of_today_plus_lead_days():
    """R-BK-6 and R-BK-8: the customer can be told in time when the missing part arrives."""
    plan = reserve(planned=[("P-PAD", D("4"))], available={"P-PAD": D("1")}, lead_days={"P-PAD": 7})
    assert plan.reserved == [("P-PAD", D("1"))]
    assert plan.short == [("P-PAD", D("3"), date(2026, 12, 5))]


def test_a_part_with_none_in_stock_is_all_short_and_not_reserved():
    """R-BK-8."""
    plan = reserve(planned=[("P-PAD", D("2"))], available={}, lead_days={"P-PAD": 2})
    assert plan.reserved == []
    assert plan.short == [("P-PAD", D("2"), TODAY + timedelta(days=2))]


def test_a_part_with_no_known_lead_time_is_expected_in_three_days():
    """R-BK-8."""
    plan = reserve(planned=[("P-PAD", D("1"))], available={}, lead_days={})
    assert plan.short == [("P-PAD", D("1"), date(2026, 12, 1))]


def test_the_same_part_planned_twice_does_not_reserve_the_same_stock_twice():
    """R-BK-6."""
    plan = reserve(
        planned=[("P-OIL-5W30", D("2")), ("P-OIL-5W30", D("2"))],
        available={"P-OIL-5W30": D("3")},
        lead_days={"P-OIL-5W30": 1},
    )
    assert plan.reserved == [("P-OIL-5W30", D("2")), ("P-OIL-5W30", D("1"))]
    assert plan.short == [("P-OIL-5W30", D("1"), TODAY + timedelta(days=1))]


def test_planning_a_reservation_does_not_change_the_stock_it_was_given():
    available = {"P-OIL-5W30": D("3")}
    reserve(planned=[("P-OIL-5W30", D("2"))], available=available)
    assert available == {"P-OIL-5W30": D("3")}


# --- issuing against the signed order ----------------------------------------------------------


def test_issue_takes_the_visits_shelf_first_then_the_main_warehouse():
    """R-BK-6 / R-WS-2: the reserved parts are used before the warehouse's."""
    plan = issue([(2, D("2"))], on_shelf={"P-OIL-5W30": D("1")}, in_main={"P-OIL-5W30": D("5")})
    assert plan.refused == []
    assert plan.issue == [(2, "P-OIL-5W30", D("1"), SHELF), (2, "P-OIL-5W30", D("1"), MAIN)]


def test_issue_wholly_from_the_shelf_when_it_holds_enough():
    """R-WS-2."""
    plan = issue([(2, D("2"))], on_shelf={"P-OIL-5W30": D("2")}, in_main={"P-OIL-5W30": D("5")})
    assert plan.issue == [(2, "P-OIL-5W30", D("2"), SHELF)]


def test_issue_of_two_lines_draws_each_part_from_its_own_stock():
    """R-WS-2."""
    plan = issue([(2, D("2")), (3, D("1"))], on_shelf={"P-FILTER-OIL": D("1")})
    assert plan.refused == []
    assert plan.issue == [(2, "P-OIL-5W30", D("2"), MAIN), (3, "P-FILTER-OIL", D("1"), SHELF)]


def test_a_line_that_is_not_on_the_signed_order_is_refused():
    """R-WS-2: parts leave stock only against the signed order."""
    plan = issue([(9, D("1"))])
    assert plan.issue == []
    assert plan.refused == [(9, "签字委托书上没有该备件行")]


def test_a_labour_line_is_refused_as_a_parts_request():
    """R-WS-2."""
    plan = issue([(1, D("1"))])
    assert plan.issue == []
    assert plan.refused == [(1, "签字委托书上没有该备件行")]


def test_more_than_the_signed_quantity_is_refused():
    """R-WS-2."""
    plan = issue([(2, D("3"))])
    assert plan.issue == []
    assert plan.refused == [(2, "超出委托书数量 2")]


def test_what_was_already_issued_counts_against_the_signed_quantity():
    """R-WS-2: 1 already issued + 2 requested > 2 signed."""
    plan = issue([(2, D("2"))], already_issued={2: D("1")})
    assert plan.issue == []
    assert plan.refused == [(2, "超出委托书数量 2")]


def test_the_rest_of_the_signed_quantity_may_still_be_issued():
    """R-WS-2: 1 already issued + 1 requested = 2 signed."""
    plan = issue([(2, D("1"))], already_issued={2: D("1")})
    assert plan.refused == []
    assert plan.issue == [(2, "P-OIL-5W30", D("1"), MAIN)]


def test_a_stock_shortfall_refuses_the_line_without_issuing_part_of_it():
    """R-WS-2."""
    plan = issue([(2, D("2"))], on_shelf={}, in_main={"P-OIL-5W30": D("1")})
    assert plan.issue == []
    assert plan.refused == [(2, "P-OIL-5W30 库存不足")]


def test_a_shortfall_on_one_line_does_not_stop_the_others():
    """R-WS-2."""
    plan = issue([(2, D("2")), (3, D("1"))], in_main={"P-FILTER-OIL": D("1")})
    assert plan.issue == [(3, "P-FILTER-OIL", D("1"), MAIN)]
    assert plan.refused == [(2, "P-OIL-5W30 库存不足")]


def test_two_lines_of_the_same_part_share_the_stock():
    """R-WS-2: stock taken by the first line is not available to the second."""
    lines = [*order_lines(), {"line_no": 4, "kind": "part", "code": "P-OIL-5W30", "quantity": D("2")}]
    plan = issue([(2, D("2")), (4, D("2"))], in_main={"P-OIL-5W30": D("3")}, lines=lines)
    assert plan.issue == [(2, "P-OIL-5W30", D("2"), MAIN)]
    assert plan.refused == [(4, "P-OIL-5W30 库存不足")]


def test_the_same_line_requested_twice_in_one_request_cannot_exceed_the_signed_quantity():
    """R-WS-2: parts leave stock only up to the signed quantity."""
    plan = issue([(2, D("2")), (2, D("2"))])
    issued = sum((qty for line_no, _part, qty, _loc in plan.issue if line_no == 2), D("0"))
    assert issued <= D("2")


def test_a_line_refused_for_want_of_stock_does_not_use_up_the_signed_quantity():
    """R-WS-2: a refusal leaves the line's allowance intact for a later request in the same batch."""
    order_lines = [{"line_no": 2, "kind": "part", "code": "P-DISC-F", "quantity": Decimal("2")}]
    plan = plan_issue(
        order_lines, [(2, Decimal("2")), (2, Decimal("1"))], {}, {}, {"P-DISC-F": Decimal("1")}, "APPT-SHELF", "MAIN"
    )
    assert plan.refused == [(2, "P-DISC-F 库存不足")]
    assert plan.issue == [(2, "P-DISC-F", Decimal("1"), "MAIN")]
