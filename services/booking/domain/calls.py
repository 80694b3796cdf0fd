"""Booking calls' rules (R-BK-1, R-BK-2, R-KB-1): the outcomes of a call, who stays on the call list, and what
the knowledge base suggests for a caller's words, priced from a price book."""

from __future__ import annotations

from datetime import datetime

from contracts import knowledge
from kit.errors import DomainError
from kit.i18n import N_

# R-BK-1: every call ends in one of these, and every one is recorded
CALL_OUTCOMES = ("booked", "declined", "call_back", "unreachable")
DECLINED_QUIET_DAYS = 30  # a customer who declined is not called again about the same car for a month
LISTED = ("open", "call_back", "unreachable")  # still on the booking desk's call list


def check_call_outcome(outcome: str, call_back_at: datetime | None, now: datetime) -> None:
    """R-BK-1: booked / declined / call back at a time / unreachable; a call back needs a time to come."""
    if outcome not in CALL_OUTCOMES:
        raise DomainError(N_("Choose the outcome of the call"), field="outcome", code="outcome")
    if outcome == "call_back" and (call_back_at is None or call_back_at <= now):
        raise DomainError(N_("Give the time to call back, later than now"), field="call_back_at", code="call_back_time")


def suggestions(words: str, book) -> list[dict]:
    """R-KB-1/R-BK-2: causes, advice, jobs and parts of the symptoms the words describe, with cost and time."""
    out = []
    for symptom in knowledge.suggest(words):
        priced = None
        if book is not None:
            e = knowledge.estimate(symptom, book)
            priced = {
                "price_list_version": e.price_list_version,
                "hours": str(e.hours),
                "labour": str(e.labour),
                "parts": str(e.parts),
                "net": str(e.net),
                "vat": str(e.vat),
                "gross": str(e.gross),
                "unpriced": list(e.unpriced),
            }
        out.append(
            {
                "code": symptom.code,
                "name": symptom.name,
                "causes": {locale: list(causes) for locale, causes in symptom.causes.items()},
                "advice": symptom.advice,
                "jobs": list(symptom.jobs),
                "parts": [{"part_no": p, "quantity": str(q)} for p, q in symptom.parts.items()],
                "estimate": priced,
            }
        )
    return out
