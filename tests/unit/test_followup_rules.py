"""Follow-up rules: when the call is due (R-FU-1) and who makes it (R-FU-2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.followup.domain import due_window, pick_caller

DELIVERED = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def test_the_call_is_due_from_two_to_five_days_after_delivery():
    """R-FU-1."""
    assert due_window(DELIVERED) == (
        datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
        datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
    )


def test_the_call_is_never_due_later_than_seven_days_after_delivery():
    """R-FU-1."""
    due_from, due_by = due_window(DELIVERED)
    assert due_from < due_by <= DELIVERED + timedelta(days=7)


def test_the_advisor_who_served_the_customer_is_never_picked_even_when_least_loaded():
    """R-FU-2: customers don't tell the advisor the truth."""
    assert pick_caller(["A001", "F001", "F002"], {"A001": 0, "F001": 4, "F002": 2}, "A001") == "F002"


def test_the_least_loaded_caller_is_picked():
    """R-FU-2."""
    assert pick_caller(["F001", "F002", "F003"], {"F001": 3, "F002": 1, "F003": 2}, "A001") == "F002"


def test_a_caller_with_no_open_calls_counts_as_unloaded():
    """R-FU-2."""
    assert pick_caller(["F001", "F002"], {"F001": 1}, "A001") == "F002"


def test_equally_loaded_callers_are_picked_by_id():
    """R-FU-2."""
    assert pick_caller(["F009", "F002", "F005"], {"F009": 1, "F002": 1, "F005": 1}, "A001") == "F002"


def test_nobody_is_picked_when_only_the_advisor_is_available():
    """R-FU-2: the call is left for the manager to assign."""
    assert pick_caller(["A001"], {}, "A001") is None


def test_nobody_is_picked_when_there_are_no_callers():
    assert pick_caller([], {}, "A001") is None
