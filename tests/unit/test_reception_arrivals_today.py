"""Reception's "booked arrivals today" 今日预约到店 (issue 17): the dealership's local day, not UTC's, and not
tomorrow's appointments (the demo seed books tomorrow morning)."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.reception.domain.arrivals import arrivals_by_local_day

SHANGHAI = ZoneInfo("Asia/Shanghai")


def arrival(plate: str, starts_at: datetime) -> dict:
    return {"plate": plate, "starts_at": starts_at.astimezone(UTC)}


def test_only_the_arrivals_of_the_local_day_are_today_and_the_others_are_listed_apart():
    now = datetime(2026, 12, 2, 6, 40, tzinfo=SHANGHAI)  # 22:40 UTC on 1 December
    arrivals = [
        arrival("沪A·00001", datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)),  # 01:00 UTC on 2 December
        arrival("沪A·00002", datetime(2026, 12, 2, 23, 45, tzinfo=SHANGHAI)),  # still today in Shanghai
        arrival("沪A·00003", datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)),  # tomorrow
        arrival("沪A·00004", datetime(2026, 12, 1, 16, 30, tzinfo=SHANGHAI)),  # yesterday, never came
    ]

    today, other_days = arrivals_by_local_day(arrivals, now.astimezone(UTC), SHANGHAI)

    assert [a["plate"] for a in today] == ["沪A·00001", "沪A·00002"]
    assert [a["plate"] for a in other_days] == ["沪A·00003", "沪A·00004"]


def test_the_day_turns_at_local_midnight_not_at_utc_midnight():
    late_evening = arrival("沪B·00001", datetime(2026, 12, 2, 7, 30, tzinfo=SHANGHAI))  # 23:30 UTC on 1 December
    before_utc_midnight = datetime(2026, 12, 1, 23, 50, tzinfo=UTC)  # 07:50 on 2 December in Shanghai

    today, other_days = arrivals_by_local_day([late_evening], before_utc_midnight, SHANGHAI)

    assert today == [late_evening] and other_days == []
