"""R-RC-8: the pre-inspection area alerts the service manager when it congests (controllable clock)."""

from datetime import UTC, datetime, timedelta

from services.reception.domain.pre_inspection import congestion

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_three_waiting_cars_are_fine_and_the_fourth_raises_the_alert():
    assert congestion([T0] * 3, T0 + timedelta(minutes=5)) is None
    alert = congestion([T0] * 4, T0 + timedelta(minutes=5))
    assert alert.cause == "queue" and alert.waiting == 4


def test_a_car_waiting_twenty_minutes_is_fine_and_twenty_minutes_one_second_raises_the_alert():
    assert congestion([T0], T0 + timedelta(minutes=20)) is None
    alert = congestion([T0], T0 + timedelta(minutes=20, seconds=1))
    assert alert.cause == "wait" and alert.longest_wait == timedelta(minutes=20, seconds=1)
