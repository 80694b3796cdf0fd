"""Follow-up rules: the call's window on the dealership's calendar (R-FU-1), who makes it on every path (R-FU-2),
the retry ladder for unreachable customers, the script's scores (R-FU-3, R-FU-4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kit.errors import DomainError
from services.followup.domain.attempts import fallback_channel, ladder
from services.followup.domain.calendar import WorkingCalendar, call_state, call_window, priority_slot_days
from services.followup.domain.callers import StaffEntry, calls_to_move, check_caller, is_caller, pick_caller
from services.followup.domain.script import check_outcome, check_scores

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar(closed_weekdays=frozenset({6}), holidays=frozenset(), tz=TZ)


def local(y, m, d, h=10, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=TZ)


# -- R-FU-1: the window on the dealership's calendar ---------------------------------------------------------


def test_the_call_opens_on_the_second_working_day_and_is_due_by_the_end_of_the_fifth():
    """R-FU-1: delivered Monday 30 Nov 2026 -> opens Wed 2 Dec, due by the end of Sat 5 Dec."""
    window = call_window(local(2026, 11, 30), CAL)
    assert window.opens == local(2026, 12, 2, 0)
    assert window.due_by == local(2026, 12, 6, 0)
    assert window.deadline == local(2026, 12, 7)


def test_a_sunday_and_a_holiday_are_skipped_but_the_call_is_never_due_after_day_seven():
    """R-FU-1: delivered Friday; Sunday closed and Monday a holiday push the 5th working day past day 7."""
    cal = WorkingCalendar(closed_weekdays=frozenset({6}), holidays=frozenset({date(2026, 12, 7)}), tz=TZ)
    window = call_window(local(2026, 12, 4, 16), cal)
    assert window.opens == local(2026, 12, 8, 0)  # Sat 5 (1st), Tue 8 (2nd)
    assert window.due_by == window.deadline == local(2026, 12, 11, 16)
    assert window.due_by - local(2026, 12, 4, 16) <= timedelta(days=7)


def test_the_calendar_comes_from_the_settings():
    cal = WorkingCalendar.from_settings({"FOLLOWUP_CLOSED_WEEKDAYS": "5,6", "FOLLOWUP_HOLIDAYS": "2027-01-01"})
    assert not cal.is_working_day(date(2026, 12, 5))  # Saturday
    assert not cal.is_working_day(date(2027, 1, 1))
    assert cal.is_working_day(date(2026, 12, 4))


def test_a_call_is_waiting_then_due_then_late_then_overdue():
    """R-FU-1: overdue after day 7, which escalates it."""
    window = call_window(local(2026, 11, 30), CAL)
    assert call_state(window, local(2026, 12, 1), False) == "waiting"
    assert call_state(window, local(2026, 12, 3), False) == "due"
    assert call_state(window, local(2026, 12, 6, 12), False) == "late"
    assert call_state(window, local(2026, 12, 7, 11), False) == "overdue"
    assert call_state(window, local(2026, 12, 9), True) == "done"


def test_a_complaint_books_back_within_the_next_two_working_days():
    """R-FU-5: Saturday -> Monday and Tuesday (Sunday closed)."""
    assert priority_slot_days(local(2026, 12, 5), CAL) == [date(2026, 12, 7), date(2026, 12, 8)]


# -- R-FU-2: the caller on every path ------------------------------------------------------------------------


def test_the_advisor_who_served_the_customer_is_never_picked_even_when_least_loaded():
    """R-FU-2 at creation: customers don't tell the advisor the truth."""
    assert pick_caller(["A001", "F001", "F002"], {"A001": 0, "F001": 4, "F002": 2}, "A001") == "F002"


def test_the_least_loaded_caller_is_picked_then_by_id():
    assert pick_caller(["F001", "F002", "F003"], {"F001": 3, "F002": 1, "F003": 2}, "A001") == "F002"
    assert pick_caller(["F009", "F002", "F005"], {"F009": 1, "F002": 1, "F005": 1}, "A001") == "F002"


def test_nobody_is_picked_when_only_the_advisor_is_available():
    """R-FU-2: the call is left for the manager to assign."""
    assert pick_caller(["A001"], {}, "A001") is None
    assert pick_caller([], {}, "A001") is None


def test_the_manager_cannot_assign_or_reassign_the_serving_advisor():
    """R-FU-2 on (re)assignment: refused naming the field."""
    with pytest.raises(DomainError) as refused:
        check_caller("S001", "S001", ["F001", "S001"])
    assert refused.value.field == "assigned_to" and refused.value.code == "serving_advisor"


def test_only_a_caller_can_be_assigned():
    with pytest.raises(DomainError) as refused:
        check_caller("T001", "A001", ["F001"])
    assert refused.value.field == "assigned_to"
    check_caller("F001", "A001", ["F001"])


def test_followup_agents_and_service_assistants_are_callers_advisors_are_not():
    assert is_caller(StaffEntry("F001", ("followup_agent",)))
    assert is_caller(StaffEntry("S001", ("service_assistant",)))
    assert not is_caller(StaffEntry("A001", ("service_advisor",)))
    assert not is_caller(StaffEntry("F002", ("followup_agent",), active=False))


def test_a_caller_who_becomes_an_advisor_gives_up_their_calls():
    """R-FU-2 on a change of role."""
    calls = [("c1", "A001", "S001"), ("c2", "A002", "S001"), ("c3", "A001", "F001")]
    assert calls_to_move(calls, StaffEntry("S001", ("service_advisor",))) == ["c1", "c2"]


def test_a_caller_who_still_calls_keeps_calls_but_never_one_they_served():
    """R-FU-2: an assistant who also serves as advisor keeps only the calls of customers they did not serve."""
    calls = [("c1", "S001", "S001"), ("c2", "A002", "S001")]
    assert calls_to_move(calls, StaffEntry("S001", ("service_assistant", "service_advisor"))) == ["c1"]


# -- the retry ladder ----------------------------------------------------------------------------------------


def test_the_first_attempt_is_now():
    now = local(2026, 12, 2, 9, 30)
    assert ladder([], now, TZ).next_attempt_at == now


def test_the_next_attempt_is_at_another_time_of_day():
    """Unreachable in the morning: try again this afternoon, then in the evening."""
    step = ladder([local(2026, 12, 2, 9, 30)], local(2026, 12, 2, 9, 35), TZ)
    assert step.next_attempt_at == local(2026, 12, 2, 14, 0) and not step.exhausted
    step = ladder([local(2026, 12, 2, 9, 30), local(2026, 12, 2, 14, 5)], local(2026, 12, 2, 14, 10), TZ)
    assert step.next_attempt_at == local(2026, 12, 2, 18, 30)


def test_two_attempts_at_the_same_time_of_day_count_once():
    step = ladder(
        [local(2026, 12, 2, 9, 30), local(2026, 12, 3, 10, 0), local(2026, 12, 4, 11)], local(2026, 12, 4, 11), TZ
    )
    assert not step.exhausted and step.parts_tried == ("morning",)
    assert step.next_attempt_at == local(2026, 12, 4, 14, 0)


def test_an_evening_miss_moves_the_next_attempt_to_the_next_morning():
    step = ladder([local(2026, 12, 2, 19, 0)], local(2026, 12, 2, 19, 5), TZ)
    assert step.next_attempt_at == local(2026, 12, 3, 9, 0)


def test_three_attempts_at_different_times_then_an_sms_five_days_after_the_first():
    attempts = [local(2026, 12, 2, 9, 30), local(2026, 12, 2, 14, 5), local(2026, 12, 3, 19, 0)]
    step = ladder(attempts, local(2026, 12, 3, 19, 5), TZ)
    assert step.exhausted and step.next_attempt_at is None
    assert step.fallback_at == local(2026, 12, 7, 9, 30)


def test_the_fallback_is_an_sms_unless_opted_out_then_a_letter():
    """R-CR-5: a channel the customer opted out of is never used."""
    assert fallback_channel("13900139000", "上海市…", set()) == "sms"
    assert fallback_channel("13900139000", "上海市…", {"sms"}) == "letter"
    assert fallback_channel("", "上海市…", set()) == "letter"
    assert fallback_channel("13900139000", "", {"sms"}) is None


# -- the script ----------------------------------------------------------------------------------------------


def test_a_score_per_department_within_one_to_five():
    """R-FU-3."""
    assert check_scores({"booking": 5, "workshop": 1}) == {"booking": 5, "workshop": 1}
    with pytest.raises(DomainError) as refused:
        check_scores({"workshop": 6})
    assert refused.value.field == "scores.workshop"
    with pytest.raises(DomainError):
        check_scores({"workshop": 0})
    with pytest.raises(DomainError):
        check_scores({"canteen": 3})


def test_a_reached_customers_words_are_required_and_a_call_back_needs_a_later_time():
    """R-FU-4: everything the customer says is recorded."""
    now = datetime(2026, 12, 2, 2, tzinfo=UTC)
    with pytest.raises(DomainError) as refused:
        check_outcome("complaint", "  ", None, now)
    assert refused.value.field == "words"
    with pytest.raises(DomainError) as refused:
        check_outcome("call_back", "", now - timedelta(minutes=1), now)
    assert refused.value.field == "call_back_at"
    with pytest.raises(DomainError) as refused:
        check_outcome("call_back", "", now + timedelta(days=31), now)
    assert refused.value.field == "call_back_at"
    check_outcome("unreachable", "", None, now)
    check_outcome("call_back", "", now + timedelta(hours=2), now)
