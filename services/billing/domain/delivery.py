"""The delivery checklist 交车 on the advisor's tablet (R-BL-2..6, R-QC-3).

The advisor who received the car delivers it (another only with a manager's override and a reason); the
work and the bill are explained with the QC findings, wear and deferred work; each old part's fate is chosen
with the customer; safety work the customer declines is signed off by the customer (waiver); the next
service is given (and booked through booking if the customer wants); covers removed; copies handed over.
Then the customer pays at the cashier.
"""

from __future__ import annotations

from kit.errors import DomainError
from kit.i18n import N_

OLD_PART_FATES = ("returned_to_customer", "scrapped", "kept_for_warranty")
CHECKS = ("work_explained", "bill_explained", "wear_told", "covers_removed", "copies_handed")


def check_deliverer(receiving_advisor: str | None, actor_id: str, roles, override_reason: str | None) -> bool:
    """R-BL-2: returns True when the delivery is by override (a service manager, with a reason)."""
    if actor_id == receiving_advisor:
        return False
    if "service_manager" in set(roles) and override_reason and override_reason.strip():
        return True
    if "service_manager" in set(roles):
        raise DomainError(
            N_("Give the reason why another person delivers the car"), field="override_reason", code="reason_needed"
        )
    raise DomainError(
        N_("The car is delivered by the advisor who received it ({advisor}) or with a manager's override"),
        field="delivered_by",
        code="not_receiving_advisor",
        advisor=receiving_advisor or "",
    )


def old_parts(bill_lines: list[dict]) -> list[dict]:
    """The old parts to decide on: one per part line billed (the part it replaced)."""
    return [
        {"line_no": line["line_no"], "part_no": line["code"], "quantity": line["quantity"]}
        for line in bill_lines
        if line["kind"] == "part"
    ]


def check_fates(parts: list[dict], fates: dict) -> list[dict]:
    """R-BL-3: every old part's fate chosen, one of the three; returns the parts with their fate."""
    decided = []
    for part in parts:
        fate = fates.get(str(part["line_no"]))
        if fate not in OLD_PART_FATES:
            raise DomainError(
                N_("Choose what happens to the old part of line {line_no}"),
                field=f"fate_{part['line_no']}",
                code="fate_needed",
                line_no=part["line_no"],
            )
        decided.append({**part, "fate": fate})
    return decided


def declined_safety(deferred_work: list[dict]) -> list[dict]:
    """R-BL-5: needed safety work not done (from the QC findings): the customer signs a waiver for it."""
    return [item for item in deferred_work if item.get("urgency") == "safety"]


def check_checklist(checks: dict, deferred_work: list[dict], waiver_signed: bool) -> None:
    missing = [name for name in CHECKS if not checks.get(name)]
    if missing:
        raise DomainError(N_("Tick every step of the delivery checklist"), field=missing[0], code="unchecked")
    if declined_safety(deferred_work) and not waiver_signed:
        raise DomainError(
            N_("The customer signs the waiver for the declined safety work"),
            field="waiver_signature",
            code="waiver_needed",
        )
