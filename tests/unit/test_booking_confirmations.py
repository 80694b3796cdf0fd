"""R-BK-7: confirmation calls the day before and one hour before, with outcomes; one unanswered by its
deadline escalates to the service manager once (controllable clock)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.booking.domain import confirmations

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai

SHANGHAI = ZoneInfo("Asia/Shanghai")

STARTS = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


def test_the_day_before_and_the_hour_before_tasks_are_set_with_their_deadlines():
    day, hour = confirmations.tasks_for(STARTS, T0)
    assert (day.kind, day.due_at, day.answer_by) == (
        "day_before",
        STARTS - timedelta(days=1),
        STARTS - timedelta(days=1) + timedelta(hours=4),
    )
    assert (hour.kind, hour.due_at, hour.answer_by) == (
        "hour_before",
        STARTS - timedelta(hours=1),
        STARTS - timedelta(minutes=30),
    )


def test_a_booking_for_later_today_needs_only_the_hour_before_call():
    later_today = datetime(2026, 12, 1, 15, 0, tzinfo=SHANGHAI)
    assert [t.kind for t in confirmations.tasks_for(later_today, T0)] == ["hour_before"]
