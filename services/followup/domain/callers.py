"""Who makes the follow-up call (R-FU-2): a follow-up agent or a service assistant, never the serving advisor."""

from __future__ import annotations

from dataclasses import dataclass

from kit.errors import DomainError
from kit.i18n import N_

CALLER_ROLES = frozenset({"followup_agent", "service_assistant"})  # R-FU-2: an assistant or a follow-up agent calls


@dataclass(frozen=True)
class StaffEntry:
    staff_id: str
    roles: tuple[str, ...]
    active: bool = True


def is_caller(entry: StaffEntry) -> bool:
    """Learnt from the staff directory's events: active, and a follow-up agent or a service assistant."""
    return entry.active and bool(CALLER_ROLES & set(entry.roles))


def pick_caller(callers: list[str], open_calls: dict[str, int], advisor_id: str) -> str | None:
    """R-FU-2: anyone but the advisor who served the customer; the least loaded first, then by id.

    None when nobody else is available: the call is left for the manager to assign.
    """
    eligible = [c for c in callers if c != advisor_id]
    if not eligible:
        return None
    return min(eligible, key=lambda c: (open_calls.get(c, 0), c))


def check_caller(caller_id: str, advisor_id: str, callers: list[str]) -> None:
    """R-FU-2 on assignment and reassignment: a known caller, and never the advisor who served the customer."""
    if caller_id == advisor_id:
        raise DomainError(
            N_("The advisor who served the customer may not make the follow-up call"),
            field="assigned_to",
            code="serving_advisor",
        )
    if caller_id not in callers:
        raise DomainError(
            N_("Only a follow-up agent or a service assistant can make the call"), field="assigned_to", code="caller"
        )


def calls_to_move(open_calls: list[tuple[str, str, str | None]], entry: StaffEntry) -> list[str]:
    """R-FU-2 when a caller changes: (call_id, advisor_id, assigned_to) of the open calls -> the calls to reassign.

    A caller who is no longer one (left, role changed) gives up their calls; one who became the advisor of a call
    they hold (roles changed to advisor) too: the rule holds on every path, not only at creation."""
    still_caller = is_caller(entry)
    return [
        call_id
        for call_id, advisor_id, assigned in open_calls
        if assigned == entry.staff_id and (not still_caller or advisor_id == entry.staff_id)
    ]
