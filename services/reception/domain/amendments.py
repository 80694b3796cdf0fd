"""Amendments to a signed order (R-WS-3) as plain rules: no framework, no database.

Nobody changes an order on their own: the workshop reports found work, the advisor prices it from the
published list and re-estimates the delivery time, the customer consents (a signature on the tablet or
a recorded phone call) line by line, and only then is a new version signed. Declined lines are recorded
in the new version (`declined_lines`) but are not on it. A new version names the version it replaces and
the SHA-256 of that version's canonical body (`amends`), so the versions form a chain anyone can check.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal

from contracts.repair_order import RepairOrder
from kit.errors import DomainError
from kit.i18n import N_

from .pricing import PriceBook, price_lines, totals

CONSENT_METHODS = ("signature", "phone")
# a phone consent is recorded after the call: its time may not lie ahead of the clock (allowing for drift)
CLOCK_SKEW = timedelta(minutes=5)


def price_found_work(requested: list[dict], book: PriceBook | None, after_line_no: int) -> list[dict]:
    """R-WS-3 / R-RC-5: found work priced from the published list like any order line, numbered after the
    lines of the version it amends."""
    lines = price_lines(requested, book)
    for offset, line in enumerate(lines, start=1):
        line["line_no"] = after_line_no + offset
    return lines


def reestimate(previous_promise: datetime, now: datetime, lines: list[dict]) -> datetime:
    """R-WS-3: the new delivery time: the added labour hours on top of the current promise (or of now, when
    the promise has already passed), rounded up to the half hour. Parts alone do not move the promise."""
    hours = RepairOrder.of_lines(lines).labour_hours()
    if hours == 0:
        return previous_promise
    start = max(previous_promise, now)
    ready = start + timedelta(minutes=int(hours * 60))
    return datetime.fromtimestamp(math.ceil(ready.timestamp() / 1800) * 1800, tz=start.tzinfo)


def check_promise(promised_at: datetime | None, now: datetime) -> datetime | None:
    if promised_at is not None and promised_at < now:
        raise DomainError(
            "The new delivery time cannot be in the past", field="promised_at", code="promise_in_the_past"
        )
    return promised_at


def check_consent(consent: dict | None, *, now: datetime, priced_at: datetime) -> dict:
    """R-WS-3: no change without the customer's consent. Either the customer's signature on the tablet
    (its SHA-256, already stored) or a phone consent with its time, the staff member who called and the
    customer's own words. Returns the consent as it goes into the signed version."""
    if not consent or consent.get("method") not in CONSENT_METHODS:
        raise DomainError(
            N_("The customer has not consented to the change; the order is unchanged"),
            field="consent",
            code="no_consent",
        )
    if consent["method"] == "signature":
        if not consent.get("signature_sha256"):
            raise DomainError(
                N_("The customer has not consented to the change; the order is unchanged"),
                field="customer_signature",
                code="no_consent",
            )
        return {"method": "signature", "at": now, "staff_id": consent["staff_id"], "customer_words": "",
                "signature_sha256": consent["signature_sha256"]}  # fmt: skip
    at = consent.get("at")
    if at is None:
        raise DomainError("Record when the customer consented on the phone", field="consent.at", code="no_consent_time")
    if at > now + CLOCK_SKEW or at < priced_at - CLOCK_SKEW:
        raise DomainError(
            "The phone consent must be given after the change was priced, and not in the future",
            field="consent.at",
            code="consent_time",
        )
    if not consent.get("staff_id"):
        raise DomainError("Record who took the phone consent", field="consent.staff_id", code="no_consent_staff")
    words = (consent.get("customer_words") or "").strip()
    if not words:
        raise DomainError(
            "Record the customer's own words when consent is given by phone",
            field="consent.customer_words",
            code="no_consent_words",
        )
    return {"method": "phone", "at": at, "staff_id": consent["staff_id"], "customer_words": words,
            "signature_sha256": None}  # fmt: skip


def decide(proposed: list[dict], accepted: list[int]) -> tuple[list[dict], list[dict]]:
    """The customer's answer line by line: (accepted lines, declined lines). Every proposed line not
    accepted is declined; a line number that was not proposed is refused."""
    numbers = {line["line_no"] for line in proposed}
    unknown = sorted(set(accepted) - numbers)
    if unknown:
        raise DomainError("Line {line_no} is not part of this change", field="accepted_lines", line_no=unknown[0])
    chosen = set(accepted)
    return [line for line in proposed if line["line_no"] in chosen], [
        line for line in proposed if line["line_no"] not in chosen
    ]


def amended_body(
    previous: dict,
    previous_sha256: str,
    accepted: list[dict],
    declined: list[dict],
    *,
    consent: dict,
    promised_at: datetime,
    signed_at: datetime,
) -> dict:
    """`previous` is the previous version's body as loaded by its contract (Decimals), `previous_sha256` the
    hash of its canonical signed form (`body_sha256` of the JSON body, handlers.amendments).

    The body of the next version: the previous lines, then the accepted ones (renumbered in order), totals
    recomputed at the order's VAT rate, the declined lines recorded, and the link to the previous version.
    The customer signature of a tablet consent replaces the previous one; a phone consent keeps
    the previous signature (the consent record says how this version was agreed)."""
    start = RepairOrder.from_body(previous).last_line_no
    added = [{**line, "line_no": start + i} for i, line in enumerate(accepted, start=1)]
    lines = [*previous["lines"], *added]
    subtotal, vat, total = totals(lines, previous["vat_rate"])
    body = {
        **{k: v for k, v in previous.items() if k not in ("amends", "consent", "declined_lines")},
        "version": previous["version"] + 1,
        "lines": lines,
        "subtotal": subtotal,
        "vat": vat,
        "total": total,
        "promised_at": promised_at,
        "signed_at": signed_at,
        "amends": {"version": previous["version"], "sha256": previous_sha256},
        "consent": consent,
        "declined_lines": [{k: line[k] for k in DECLINED_KEYS} for line in declined],
    }
    if consent["method"] == "signature":
        body["customer_signature_sha256"] = consent["signature_sha256"]
    return body


DECLINED_KEYS = ("kind", "code", "description", "quantity", "unit_price", "amount")


def added_total(lines: list[dict], vat_rate: Decimal) -> Decimal:
    """What the change adds to the bill, VAT included, if the customer accepts every line."""
    return totals(lines, vat_rate)[2] if lines else Decimal("0.00")


def summary(lines: list[dict]) -> str:
    """The items as the customer is told them (progress notice, R-PN-1)."""
    return "、".join(f"{line['description']}({line['code']}) ¥{line['amount']}" for line in lines)
