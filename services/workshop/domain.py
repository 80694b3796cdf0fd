"""Workshop rules as plain functions: work only from the signed order (R-WS-2), QC before release (R-QC-1)."""

from __future__ import annotations

from decimal import Decimal

from kit.errors import DomainError


def jobs_of(order: dict) -> list[dict]:
    """The labour lines of a signed order are the jobs; nothing else may be worked on (R-WS-2)."""
    return [
        {
            "line_no": line["line_no"],
            "code": line["code"],
            "description": line["description"],
            "hours": line["quantity"],
        }
        for line in order["lines"]
        if line["kind"] == "labour"
    ]


def parts_of(order: dict) -> list[dict]:
    return [
        {"line_no": line["line_no"], "part_no": line["code"], "quantity": line["quantity"]}
        for line in order["lines"]
        if line["kind"] == "part"
    ]


def check_dispatch(status: str) -> None:
    if status != "waiting_dispatch":
        raise DomainError("该委托书已派工", code="already_dispatched")


def qc_blockers(
    job_states: dict[int, str], parts_requested: dict[int, Decimal], parts_received: dict[int, Decimal]
) -> list[str]:
    """R-QC-1: every job on the order is done and every part requested has been issued."""
    problems = [f"第{no}行 项目未完工" for no, state in sorted(job_states.items()) if state != "done"]
    problems += [
        f"第{no}行 备件未领齐"
        for no, qty in sorted(parts_requested.items())
        if parts_received.get(no, Decimal("0")) < qty
    ]
    return problems
