"""The call's script as data (R-FU-3, R-FU-4): general questions only, and a score per department."""

from __future__ import annotations

from datetime import timedelta

from contracts.events import CALL_OUTCOMES, REACHED_OUTCOMES, SCORED_DEPARTMENTS
from contracts.events.staff import SCORE_MAX, SCORE_MIN
from kit.errors import DomainError
from kit.i18n import N_

# spelled once, in the contract of followup_call_recorded, which carries them to HQ
DEPARTMENTS = SCORED_DEPARTMENTS
DEPARTMENT_TITLES = {
    "booking": N_("Booking"),
    "reception": N_("Reception"),
    "workshop": N_("Workshop"),
    "settlement": N_("Settlement"),
}
CALL_BACK_WITHIN_DAYS = 30  # a call back is agreed for the coming weeks, not some day
OUTCOMES = CALL_OUTCOMES
REACHED = REACHED_OUTCOMES  # the customer was spoken to: the call is done, with their words and scores

# R-FU-3: a non-technical agent asks general questions, never technical ones
QUESTIONS = (
    {"id": "since_service", "text": N_("How is the car since the service?")},
    {"id": "as_promised", "text": N_("Was the car ready when we promised?")},
    {"id": "explained", "text": N_("Did the advisor explain the work and the bill?")},
    {"id": "clean", "text": N_("Was the car returned clean?")},
    {"id": "recommend", "text": N_("Would you recommend us to friends?")},
)


def check_scores(scores: dict[str, int]) -> dict[str, int]:
    """A score per department, each within 1-5; a department may be left out (the customer did not say)."""
    for department, score in scores.items():
        if department not in DEPARTMENTS:
            raise DomainError(N_("Unknown department {department}"), field="scores", department=department)
        if not isinstance(score, int) or isinstance(score, bool) or not SCORE_MIN <= score <= SCORE_MAX:
            raise DomainError(
                N_("A score is from {low} to {high}"), field=f"scores.{department}", low=SCORE_MIN, high=SCORE_MAX
            )
    return dict(scores)


def check_outcome(outcome: str, words: str, call_back_at, now) -> None:
    """R-FU-4: what the customer said is recorded in full (a reached customer's words are required)."""
    if outcome not in OUTCOMES:
        raise DomainError(N_("Choose the outcome of the call"), field="outcome", code="outcome")
    if outcome in REACHED and not words.strip():
        raise DomainError(N_("Write down what the customer said"), field="words", code="words")
    if outcome == "call_back" and (call_back_at is None or call_back_at <= now):
        raise DomainError(N_("Give the time to call back, later than now"), field="call_back_at", code="call_back_time")
    if outcome == "call_back" and call_back_at > now + timedelta(days=CALL_BACK_WITHIN_DAYS):
        raise DomainError(
            N_("Call back within {days} days"), field="call_back_at", code="call_back_time", days=CALL_BACK_WITHIN_DAYS
        )
