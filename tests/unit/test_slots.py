"""Reception slots (R-BK-3) and the welcome board (R-BK-9), as plain rules."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from kit.errors import DomainError
from services.booking.domain.customers import check_privacy, welcome_name
from services.booking.domain.slots import SlotRules, SlotUnavailable, check_slot, free_slots, reception_slots

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)
EARLIER = datetime(2026, 11, 28, tzinfo=UTC)


def at(hh: int, mm: int) -> datetime:
    return datetime.combine(DAY, time(hh, mm), TZ)


def test_with_three_bookings_from_nine_the_fourth_is_offered_ten_not_nine_forty_five():
    """R-BK-3, the handbook's own example."""
    taken = [at(9, 0), at(9, 15), at(9, 30)]
    assert free_slots(DAY, SlotRules(), TZ, taken, EARLIER)[0] == at(10, 0)
    with pytest.raises(SlotUnavailable) as refused:
        check_slot(at(9, 45), SlotRules(), TZ, taken, EARLIER)
    assert refused.value.field == "starts_at" and refused.value.code == "not_a_slot"
    assert refused.value.details["alternatives"][0] == at(10, 0).isoformat()


def test_every_fourth_quarter_hour_stays_free_all_day():
    slots = reception_slots(DAY, SlotRules(), TZ)
    assert [s.strftime("%H:%M") for s in slots[:7]] == ["09:00", "09:15", "09:30", "10:00", "10:15", "10:30", "11:00"]
    assert len(slots) == 24 and slots[-1] == at(16, 30)
    assert all(s.minute != 45 for s in slots)


def test_slot_length_group_and_buffer_are_dealership_settings():
    rules = SlotRules.from_settings(
        {
            "BOOKING_OPENS": "08:30",
            "SLOT_MINUTES": "20",
            "SLOT_GROUP": "2",
            "BUFFER_MINUTES": "20",
            "BOOKING_CLOSES": "10:30",
        }
    )
    assert [s.strftime("%H:%M") for s in reception_slots(DAY, rules, TZ)] == ["08:30", "08:50", "09:30", "09:50"]


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"BOOKING_OPENS": "08:30", "SLOT_MINUTES": "20", "SLOT_GROUP": "2", "DEALER_TIMEZONE": "Asia/Urumqi"},
        {"BOOKING_CLOSES": "18:00", "BUFFER_MINUTES": "30"},
    ],
)
def test_the_desks_slot_settings_are_what_the_settings_say_whatever_the_environment_holds(monkeypatch, env):
    from kit.config import Settings
    from services.booking.web.common import slot_settings

    for key in ("DEALER_TIMEZONE", "BOOKING_OPENS", "BOOKING_CLOSES", "SLOT_MINUTES", "SLOT_GROUP", "BUFFER_MINUTES"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings.load()
    assert slot_settings() == (SlotRules.from_settings(settings.raw), settings.tz)


def test_a_booked_slot_is_refused_with_the_free_times_of_the_day():
    with pytest.raises(SlotUnavailable) as refused:
        check_slot(at(9, 15), SlotRules(), TZ, [at(9, 15)], EARLIER)
    assert refused.value.code == "slot_taken" and "09:15" in refused.value.message
    assert at(9, 15).isoformat() not in refused.value.details["alternatives"]


def test_a_slot_in_the_past_is_refused_naming_the_field():
    with pytest.raises(DomainError) as refused:
        check_slot(at(9, 0), SlotRules(), TZ, [], at(9, 5))
    assert refused.value.field == "starts_at" and refused.value.code == "slot_in_past"
    assert refused.value.message == "预约时间不能早于当前时间"


def test_the_welcome_board_honours_each_customers_privacy_choice():
    """R-BK-9: full name, surname only (王先生/王女士), or the plate only."""
    assert welcome_name("王建国", "先生", "full") == "王建国"
    assert welcome_name("王建国", "先生", "surname") == "王先生"
    assert welcome_name("李秀英", "女士", "surname") == "李女士"
    assert welcome_name("李秀英", "女士", "plate") == ""
    with pytest.raises(DomainError) as refused:
        check_privacy("everything")
    assert refused.value.field == "privacy"
