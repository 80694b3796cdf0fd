"""Complaints 投诉 (R-FU-5): classified by cause, routed to the department's manager, re-contacted within 24
hours or escalated, remedied with actions that have an owner and a due date, closed only with the customer's
agreement."""

from __future__ import annotations

from datetime import datetime, timedelta

from contracts.events.staff import COMPLAINT_CAUSE_TITLES
from kit.errors import DomainError
from kit.i18n import N_

RECONTACT_HOURS = 24
# cause -> the responsible department (its manager is routed the complaint)
CAUSES = {
    "workmanship": "workshop",
    "comeback": "workshop",
    "parts": "parts",
    "price": "settlement",
    "waiting_time": "reception",
    "attitude": "reception",
    "booking": "booking",
    "other": "after_sales",
}
CAUSE_TITLES = COMPLAINT_CAUSE_TITLES
# department -> its manager (the workshop's is the dispatcher; the others answer to the after-sales manager)
DEPARTMENT_MANAGERS = {
    "workshop": "D001",
    "parts": "M001",
    "settlement": "M001",
    "reception": "M001",
    "booking": "M001",
    "after_sales": "M001",
}
AFTER_SALES_MANAGER = "M001"
ACTION_KINDS = ("remedy", "preventive", "corrective")
STATES = ("open", "recontacted", "escalated", "closed")


def route(cause: str, managers: dict[str, str] | None = None) -> tuple[str, str]:
    """R-FU-5: the cause decides the department; its manager handles the complaint."""
    if cause not in CAUSES:
        raise DomainError(N_("Choose the cause of the complaint"), field="cause", code="cause")
    department = CAUSES[cause]
    return department, {**DEPARTMENT_MANAGERS, **(managers or {})}[department]


def recontact_by(opened_at: datetime) -> datetime:
    """R-FU-5: the department manager calls the customer back within 24 hours."""
    return opened_at + timedelta(hours=RECONTACT_HOURS)


def needs_escalation(opened_at: datetime, recontacted_at: datetime | None, escalated: bool, now: datetime) -> bool:
    """Not re-contacted by the deadline (or re-contacted late): escalated to the after-sales manager, once."""
    if escalated:
        return False
    deadline = recontact_by(opened_at)
    return (recontacted_at or now) > deadline


def check_action(kind: str, owner: str, due_on, today, text: str) -> None:
    """R-FU-5: a remedy, preventive or corrective action has an owner and a due date not in the past."""
    if kind not in ACTION_KINDS:
        raise DomainError(N_("Choose the kind of action"), field="kind")
    if not text.strip():
        raise DomainError(N_("Describe the action"), field="text")
    if not owner.strip():
        raise DomainError(N_("Name the owner of the action"), field="owner")
    if due_on is None or due_on < today:
        raise DomainError(N_("The due date cannot be in the past"), field="due_on")


def check_close(state: str, customer_agreed: bool, open_actions: int, has_remedy: bool) -> None:
    """R-FU-5: closed only when the customer agrees with the remedy; every action done first."""
    if state == "closed":
        raise DomainError(N_("The complaint is already closed"), field="state")
    if not customer_agreed:
        raise DomainError(
            N_("A complaint is closed only with the customer's agreement"), field="customer_agreed", code="agreement"
        )
    if not has_remedy:
        raise DomainError(N_("Set the remedy before closing"), field="remedy")
    if open_actions:
        raise DomainError(N_("{count} actions are still open"), field="actions", count=open_actions)
