"""Appointment rules (R-BK-6): the preparation checklist, when a customer can be a no-show."""

from __future__ import annotations

from datetime import datetime

from kit.errors import DomainError
from kit.i18n import N_

# R-BK-6: what is prepared before the visit; the advisor watches over it
PREPARATION_ITEMS = ("draft_order", "parts", "technician_bay", "tools", "documents")
PREPARATION_TITLES = {
    "draft_order": N_("Draft work order"),
    "parts": N_("Parts on the appointment shelf"),
    "technician_bay": N_("Technician and bay"),
    "tools": N_("Tools and equipment"),
    "documents": N_("Documents"),
}


def check_no_show(starts_at: datetime, now: datetime) -> None:
    """A customer can only have failed to come once the booked time has passed."""
    if now < starts_at:
        raise DomainError(
            N_("The appointment time has not come yet; it cannot be a no-show"), field="starts_at", code="too_early"
        )


def check_start(starts_at: datetime, now: datetime) -> datetime:
    if starts_at <= now:
        raise DomainError("The appointment cannot be earlier than now", field="starts_at", code="slot_in_past")
    return starts_at


def check_planned_work(labour: list[str], parts: list[dict], book) -> None:
    """Planned labour codes and part numbers are references to the published price list (`book`, a
    contracts.pricing.PriceBook; no check while booking holds none): an unknown one is refused naming it."""
    if book is None:
        return
    for i, code in enumerate(labour):
        if code not in book.labour:
            raise DomainError(
                "Unknown labour code {labour_code}",
                field=f"planned_labour.{i}",
                code="unknown_labour",
                labour_code=code,
            )
    for i, part in enumerate(parts):
        if part["part_no"] not in book.parts:
            raise DomainError(
                "Unknown part number {part_no}",
                field=f"planned_parts.{i}.part_no",
                code="unknown_part",
                part_no=part["part_no"],
            )
