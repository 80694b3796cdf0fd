"""R-RC-8: each congestion incident is reviewed (cause, responsible person, corrective action) and the month is
summed up: counts, average and longest waits, how long the area stayed congested, causes, one bar per day."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kit.errors import DomainError
from services.reception.domain.pre_inspection import IncidentFacts, check_review, minutes, month_bounds, summarize

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOV_START, NOV_END = month_bounds("2026-11", SHANGHAI)
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


def at(day, hour, minute=0):
    """A Shanghai wall-clock time in November 2026, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def incident(raised_at, wait, *, trigger="wait", waiting=2, cleared_after=None, cause=None, responsible=None):
    cleared = raised_at + timedelta(seconds=cleared_after) if cleared_after is not None else None
    return IncidentFacts(raised_at, trigger, waiting, wait, cleared, cause, responsible)


def test_a_month_runs_from_local_midnight_to_local_midnight():
    assert NOV_START == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert NOV_END == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert month_bounds("2026-12", SHANGHAI)[1] == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)  # into next year


@pytest.mark.parametrize("month", ["2026-13", "11/2026", "", "2026"])
def test_a_malformed_month_is_refused_naming_the_field(month):
    with pytest.raises(DomainError) as refused:
        month_bounds(month, SHANGHAI)
    assert refused.value.field == "month" and "月份" in refused.value.message


def test_counts_waits_and_congested_time_of_the_month():
    month = [
        incident(at(3, 9, 10), 1201, cleared_after=600, cause="walk_ins", responsible="A001"),
        incident(
            at(3, 14, 0), 900, trigger="queue", waiting=5, cleared_after=1500, cause="walk_ins", responsible="A002"
        ),
        incident(at(17, 10, 0), 1800, cleared_after=901, cause="bay_blocked", responsible="A001"),
        incident(at(28, 11, 30), 1260, trigger="queue", waiting=4),  # still open at NOW, not reviewed yet
    ]
    outside = [
        incident(NOV_START - timedelta(seconds=1), 5000),  # 31 Oct 23:59:59 in Shanghai
        incident(NOV_END, 5000),  # 1 Dec 00:00 in Shanghai
    ]
    s = summarize(month + outside, NOV_START, NOV_END, SHANGHAI, NOW)

    assert s["incidents"] == 4 and s["by_trigger"] == {"queue": 2, "wait": 2}
    assert (s["reviewed"], s["unreviewed"], s["still_open"]) == (3, 1, 1)
    assert s["average_wait_seconds"] == 1290  # (1201 + 900 + 1800 + 1260) / 4 = 1290.25
    assert s["max_wait_seconds"] == 1800 and s["max_waiting_cars"] == 5
    open_for = int((NOW - at(28, 11, 30)).total_seconds())  # 30 minutes so far
    assert open_for == 1800
    assert s["average_congested_seconds"] == 1200  # (600 + 1500 + 901 + 1800) / 4 = 1200.25
    assert s["max_congested_seconds"] == 1800
    assert s["by_cause"] == [("walk_ins", 2), ("bay_blocked", 1)]
    assert s["by_responsible"] == [("A001", 2), ("A002", 1)]


def test_averages_round_half_up_to_whole_seconds_and_minutes_to_a_tenth():
    s = summarize([incident(at(1, 9), 1201), incident(at(1, 10), 1202)], NOV_START, NOV_END, SHANGHAI, NOW)
    assert s["average_wait_seconds"] == 1202  # 1201.5
    assert minutes(1230) == Decimal("20.5") and minutes(1203) == Decimal("20.1") and minutes(1227) == Decimal("20.5")


def test_one_bar_per_day_of_the_month_by_the_local_day():
    late_evening = datetime(2026, 11, 9, 23, 30, tzinfo=SHANGHAI).astimezone(UTC)  # 15:30 UTC, the 9th locally
    s = summarize(
        [incident(late_evening, 1300), incident(at(9, 8), 1300), incident(at(30, 23, 59), 1300)],
        NOV_START,
        NOV_END,
        SHANGHAI,
        NOW,
    )
    assert len(s["per_day"]) == 30 and s["per_day"][0]["day"] == date(2026, 11, 1)
    counts = {row["day"].day: row["incidents"] for row in s["per_day"] if row["incidents"]}
    assert counts == {9: 2, 30: 1}


def test_an_empty_month_sums_to_zero():
    s = summarize([], NOV_START, NOV_END, SHANGHAI, NOW)
    assert s["incidents"] == 0 and s["average_wait_seconds"] == 0 and s["max_wait_seconds"] == 0
    assert s["by_cause"] == [] and len(s["per_day"]) == 30


@pytest.mark.parametrize(
    ("cmd", "field"),
    [
        ({"root_cause": "weather", "responsible_id": "A001", "actions": "x"}, "root_cause"),
        ({"root_cause": "other", "responsible_id": "A001", "actions": "x"}, "root_cause_note"),
        ({"root_cause": "walk_ins", "responsible_id": " ", "actions": "x"}, "responsible_id"),
        ({"root_cause": "walk_ins", "responsible_id": "A001", "actions": ""}, "actions"),
    ],
)
def test_a_review_without_cause_responsible_person_or_action_is_refused_in_chinese(cmd, field):
    with pytest.raises(DomainError) as refused:
        check_review(cmd)
    assert refused.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)


# --- recorded by the service manager, summed up from the database ---------------------------------------
