"""Complaints (R-FU-5), the monthly report (R-FU-6) and customer care (R-CR-1..6) as plain rules."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kit.errors import DomainError
from services.followup.domain import care, complaints
from services.followup.domain.report import CallFacts, monthly

TZ = ZoneInfo("Asia/Shanghai")
OPENED = datetime(2026, 12, 2, 10, 0, tzinfo=TZ)


def test_a_complaint_is_routed_by_its_cause_to_the_departments_manager():
    """R-FU-5."""
    assert complaints.route("workmanship") == ("workshop", "D001")
    assert complaints.route("price", {"settlement": "C009"}) == ("settlement", "C009")


def test_a_complaint_without_a_cause_is_refused():
    with pytest.raises(DomainError) as refused:
        complaints.route("")
    assert refused.value.field == "cause"


def test_the_manager_re_contacts_within_24_hours_or_it_is_escalated_once():
    """R-FU-5: the 24-hour clock."""
    assert complaints.recontact_by(OPENED) == OPENED + timedelta(hours=24)
    assert not complaints.needs_escalation(OPENED, None, False, OPENED + timedelta(hours=23, minutes=59))
    assert complaints.needs_escalation(OPENED, None, False, OPENED + timedelta(hours=24, minutes=1))
    assert not complaints.needs_escalation(OPENED, None, True, OPENED + timedelta(hours=30))


def test_a_recontact_in_time_stops_the_clock_a_late_one_still_escalates():
    assert not complaints.needs_escalation(OPENED, OPENED + timedelta(hours=3), False, OPENED + timedelta(days=3))
    assert complaints.needs_escalation(OPENED, OPENED + timedelta(hours=26), False, OPENED + timedelta(hours=26))


def test_an_action_needs_an_owner_and_a_due_date_not_in_the_past():
    today = date(2026, 12, 2)
    complaints.check_action("corrective", "D001", today, today, "重新培训拧紧力矩")
    with pytest.raises(DomainError) as refused:
        complaints.check_action("corrective", "", today, today, "x")
    assert refused.value.field == "owner"
    with pytest.raises(DomainError) as refused:
        complaints.check_action("preventive", "D001", date(2026, 12, 1), today, "x")
    assert refused.value.field == "due_on"


def test_a_complaint_is_closed_only_with_the_customers_agreement():
    """R-FU-5."""
    with pytest.raises(DomainError) as refused:
        complaints.check_close("recontacted", False, 0, True)
    assert refused.value.field == "customer_agreed"
    with pytest.raises(DomainError) as refused:
        complaints.check_close("recontacted", True, 1, True)
    assert refused.value.field == "actions"
    with pytest.raises(DomainError):
        complaints.check_close("recontacted", True, 0, False)
    complaints.check_close("escalated", True, 0, True)


def test_a_hand_over_starts_the_thank_you_letter_and_both_calls():
    """R-CR-1, R-CR-2: letter and sales manager's call within 24 hours, salesperson's call within 7 days."""
    handed = datetime(2026, 12, 2, 15, 0, tzinfo=TZ)
    tasks = {t.kind: t for t in care.handover_tasks(handed, "SP01", "SM01", date(1985, 12, 20), TZ)}
    assert tasks["thank_you_letter"].due_at == handed + timedelta(hours=24)
    assert tasks["thank_you_letter"].channel == "letter"
    assert (tasks["sales_manager_call"].due_at, tasks["sales_manager_call"].owner) == (
        handed + timedelta(hours=24),
        "SM01",
    )
    assert (tasks["salesperson_call"].due_at, tasks["salesperson_call"].owner) == (handed + timedelta(days=7), "SP01")


def test_a_hand_over_plans_the_two_monthly_contact_the_birthday_and_the_anniversary():
    """R-CR-3."""
    handed = datetime(2026, 12, 2, 15, 0, tzinfo=TZ)
    tasks = {t.kind: t for t in care.handover_tasks(handed, "SP01", "SM01", date(1985, 12, 20), TZ)}
    assert tasks["regular_contact"].due_at == handed + timedelta(days=60)
    assert tasks["birthday"].due_at == datetime(2026, 12, 20, 10, 0, tzinfo=TZ)
    assert tasks["anniversary"].due_at == datetime(2027, 12, 2, 10, 0, tzinfo=TZ)
    assert "birthday" not in {t.kind for t in care.handover_tasks(handed, "SP01", "SM01", None, TZ)}


def test_a_done_contact_brings_the_next_one_and_greetings_come_back_next_year():
    """R-CR-3."""
    done = datetime(2027, 2, 1, 9, 0, tzinfo=TZ)
    nxt = care.follow_on(care.CareTask("regular_contact", done, None), done, TZ)
    assert nxt.kind == "regular_contact" and nxt.due_at == done + timedelta(days=60)
    birthday = care.CareTask("birthday", datetime(2026, 12, 20, 10, 0, tzinfo=TZ), None, "sms")
    assert care.follow_on(birthday, done, TZ).due_at == datetime(2027, 12, 20, 10, 0, tzinfo=TZ)
    assert care.follow_on(care.CareTask("salesperson_call", done, "SP01"), done, TZ) is None


def test_a_leap_day_birthday_is_greeted_on_the_28th():
    assert care.next_anniversary(date(1988, 2, 29), date(2027, 1, 1)) == date(2027, 2, 28)


def test_an_opted_out_channel_is_never_used():
    """R-CR-5."""
    care.check_channel("phone", {"sms"})
    with pytest.raises(DomainError) as refused:
        care.check_channel("sms", {"sms"})
    assert refused.value.field == "channel" and refused.value.code == "opted_out"


def test_personal_details_only_with_consent():
    """R-CR-5."""
    assert care.check_personal_details(True, {"address": "上海", "interests": "钓鱼"}) == {
        "address": "上海",
        "interests": "钓鱼",
    }
    with pytest.raises(DomainError) as refused:
        care.check_personal_details(False, {"interests": "钓鱼"})
    assert refused.value.field == "consent"
    assert care.check_personal_details(False, {"address": ""}) == {}


def test_the_monthly_report_counts_rates_scores_and_causes():
    """R-FU-6."""
    calls = [
        CallFacts("A001", "done", True, True, {"workshop": 5, "booking": 4}),
        CallFacts("A001", "done", True, True, {"workshop": 2}),
        CallFacts("A002", "done", False, True),
        CallFacts("A002", "open", False, False),
    ]
    report = monthly(calls, ["parts", "workmanship", "parts"], 2)
    assert report["followup_rate"] == Decimal("75.0")
    assert report["reach_rate"] == Decimal("66.7")
    assert report["satisfaction_by_department"]["workshop"] == Decimal("3.50")
    assert report["satisfaction_by_department"]["reception"] is None
    assert report["satisfaction_by_advisor"] == {"A001": Decimal("3.67"), "A002": None}
    assert report["complaints_by_cause"] == {"parts": 2, "workmanship": 1}
    assert report["open_actions"] == 2
