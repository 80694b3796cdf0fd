"""Workshop rules as plain functions: work only from the signed order (R-WS-2), QC before release (R-QC-1)."""

from __future__ import annotations

from decimal import Decimal

from kit.errors import DomainError
from kit.i18n import DEFAULT_LOCALE, N_, translate


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


def board_stage(status: str, job_states: list[str]) -> str:
    """Where the car stands on the workshop board: its order's status, except that an order in repair whose every
    job is signed off waits for the QC inspector (R-QC-1) - "at_qc"."""
    if status == "in_progress" and job_states and all(state == "done" for state in job_states):
        return "at_qc"
    return status


def check_dispatch(status: str) -> None:
    if status != "waiting_dispatch":
        raise DomainError("This order has already been dispatched", code="already_dispatched")


def qc_blockers(
    job_states: dict[int, str],
    parts_requested: dict[int, Decimal],
    parts_received: dict[int, Decimal],
    locale: str = DEFAULT_LOCALE,
) -> list[str]:
    """R-QC-1: every job on the order is done and every part requested has been issued."""
    problems = [
        translate(N_("Line {line_no}: job not finished"), locale, line_no=no)
        for no, state in sorted(job_states.items())
        if state != "done"
    ]
    problems += [
        translate(N_("Line {line_no}: parts not all issued"), locale, line_no=no)
        for no, qty in sorted(parts_requested.items())
        if parts_received.get(no, Decimal("0")) < qty
    ]
    return problems


class QualityCheckBlocked(DomainError):
    """R-QC-1 refused the pass; the blockers are listed in the language of whoever reads the message."""

    def __init__(
        self, job_states: dict[int, str], parts_requested: dict[int, Decimal], parts_received: dict[int, Decimal]
    ):
        self.facts = (job_states, parts_requested, parts_received)
        super().__init__(N_("Cannot pass the quality check: {blockers}"), code="qc_blocked")

    def message_in(self, locale: str) -> str:
        separator = translate(N_("; "), locale)
        blockers = separator.join(qc_blockers(*self.facts, locale=locale))
        return translate(self.msgid, locale, blockers=blockers)
