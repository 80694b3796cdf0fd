"""Workshop rules: work only from the signed order (R-WS-2), QC before release (R-QC-1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kit.errors import DomainError
from services.workshop.domain.work_orders import board_stage, check_dispatch, jobs_of, parts_of, qc_blockers

D = Decimal


def make_order(lines: list[dict] | None = None, **overrides) -> dict:
    order = {
        "order_id": "O-1",
        "lines": lines
        if lines is not None
        else [
            {
                "line_no": 1,
                "kind": "labour",
                "code": "LAB-OIL",
                "description": "更换机油",
                "quantity": D("0.5"),
            },
            {"line_no": 2, "kind": "part", "code": "P-OIL-5W30", "description": "机油", "quantity": D("1")},
            {
                "line_no": 3,
                "kind": "labour",
                "code": "LAB-THROTTLE",
                "description": "清洗节气门",
                "quantity": D("1.2"),
            },
            {
                "line_no": 4,
                "kind": "part",
                "code": "P-FILTER-OIL",
                "description": "滤清器",
                "quantity": D("2"),
            },
        ],
    }
    order.update(overrides)
    return order


def test_the_jobs_of_an_order_are_its_labour_lines_with_their_hours():
    """R-WS-2: nothing but the signed order's jobs may be worked on."""
    assert jobs_of(make_order()) == [
        {"line_no": 1, "code": "LAB-OIL", "description": "更换机油", "hours": D("0.5")},
        {"line_no": 3, "code": "LAB-THROTTLE", "description": "清洗节气门", "hours": D("1.2")},
    ]


def test_the_parts_of_an_order_are_its_part_lines_with_their_quantities():
    """R-WS-2: parts are collected against the order."""
    assert parts_of(make_order()) == [
        {"line_no": 2, "part_no": "P-OIL-5W30", "quantity": D("1")},
        {"line_no": 4, "part_no": "P-FILTER-OIL", "quantity": D("2")},
    ]


def test_an_order_of_parts_only_has_no_jobs():
    order = make_order([{"line_no": 1, "kind": "part", "code": "P-X", "description": "x", "quantity": D("1")}])
    assert jobs_of(order) == []
    assert [p["part_no"] for p in parts_of(order)] == ["P-X"]


def test_an_order_waiting_for_dispatch_may_be_dispatched():
    """R-WS-1."""
    assert check_dispatch("waiting_dispatch") is None


@pytest.mark.parametrize("status", ["dispatched", "in_progress", "qc", "ready"])
def test_an_order_already_dispatched_cannot_be_dispatched_again(status):
    """R-WS-1."""
    with pytest.raises(DomainError) as exc:
        check_dispatch(status)
    assert exc.value.code == "already_dispatched"


def test_nothing_blocks_qc_when_every_job_is_done_and_every_part_issued():
    """R-QC-1."""
    assert qc_blockers({1: "done", 3: "done"}, {2: D("1"), 4: D("2")}, {2: D("1"), 4: D("2")}) == []


def test_a_job_not_done_blocks_qc():
    """R-QC-1: every job on the order is done."""
    assert qc_blockers({1: "done", 3: "in_progress"}, {}, {}) == ["第3行 项目未完工"]


def test_every_undone_job_is_listed_in_line_order():
    """R-QC-1."""
    assert qc_blockers({3: "waiting", 1: "paused"}, {}, {}) == ["第1行 项目未完工", "第3行 项目未完工"]


def test_a_part_requested_but_only_partly_issued_blocks_qc():
    """R-QC-1."""
    assert qc_blockers({1: "done"}, {4: D("2")}, {4: D("1")}) == ["第4行 备件未领齐"]


def test_a_part_requested_and_never_issued_blocks_qc():
    """R-QC-1."""
    assert qc_blockers({1: "done"}, {2: D("1")}, {}) == ["第2行 备件未领齐"]


def test_jobs_and_parts_blockers_are_both_reported():
    """R-QC-1."""
    assert qc_blockers({1: "in_progress"}, {2: D("1")}, {}) == ["第1行 项目未完工", "第2行 备件未领齐"]


@pytest.mark.parametrize(
    "status, jobs, stage",
    [
        ("waiting_dispatch", ["waiting"], "waiting_dispatch"),
        ("in_progress", ["done", "in_progress"], "in_progress"),
        ("in_progress", ["done", "done"], "at_qc"),  # R-QC-1: every job signed off, the inspector is next
        ("in_progress", [], "in_progress"),  # no job yet: nothing to check
        ("ready", ["done"], "ready"),
    ],
)
def test_the_board_shows_a_car_whose_jobs_are_all_done_as_waiting_for_qc(status, jobs, stage):
    assert board_stage(status, jobs) == stage
