"""The line's timers run off the kit's clock (kit/clock.py): the tests move the whole line's clock through its
TEST_CLOCK_FILE instead of waiting, and the timers tick every second (TEST_TIMER_SECONDS). Each test moves the
clock further forward than the one before (the line and its clock are shared by the module)."""

from datetime import UTC, datetime, timedelta

import pytest

from contracts import names
from services.booking.domain.slots import SlotRules, reception_slots
from tests.support.factories import SHANGHAI, make_booking
from tests.support.http import eventually
from tests.support.visit import Visit

pytestmark = pytest.mark.e2e
LINE_CLOCK = True


def seconds_until(at: datetime | str, after: timedelta) -> float:
    at = datetime.fromisoformat(at) if isinstance(at, str) else at
    return (at + after - datetime.now(UTC)).total_seconds()


def test_a_car_waiting_over_twenty_minutes_raises_the_alert_by_the_timer(client, line, line_clock):
    """R-RC-8: the 20-minute rule, watched by reception's timer, on the line's clock."""
    visit = Visit(line, client=client)
    visit.book()
    visited = visit.check_in()
    area = client.get(names.RECEPTION, "/api/pre-inspection")
    [waiting] = [w for w in area["waiting"] if w["visit_id"] == visited["visit_id"]]
    assert not waiting["over_limit"] and area["open_incident"] is None

    line_clock(seconds_until(waiting["checked_in_at"], timedelta(minutes=20, seconds=30)))
    incident = eventually(
        lambda: client.get(names.RECEPTION, "/api/pre-inspection")["open_incident"], 15, what="the 20-minute alert"
    )
    assert incident["trigger"] == "wait" and incident["longest_wait_seconds"] > 20 * 60
    area = client.get(names.RECEPTION, "/api/pre-inspection")
    assert [w["over_limit"] for w in area["waiting"] if w["visit_id"] == visited["visit_id"]] == [True]


def test_a_missed_promise_sends_the_delay_notice_by_the_timer(client, line, line_clock):
    """R-PN-1: the promised time passes with the car not ready; reception's timer tells the customer once."""
    visit = Visit(line, client=client)
    visit.book()
    visit.check_in()
    signed = visit.write_and_sign_order()
    promised = signed["versions"][-1]["signed"]["order"]["promised_at"]
    notices = f"/api/orders/{visit.order_id}/notices"
    assert [n for n in client.get(names.RECEPTION, notices)["notices"] if n["kind"] == "delay"] == []

    line_clock(seconds_until(promised, timedelta(minutes=1)))
    delay = eventually(
        lambda: [n for n in client.get(names.RECEPTION, notices)["notices"] if n["kind"] == "delay"],
        15,
        what="the delay notice",
    )
    assert len(delay) == 1


def test_an_unanswered_confirmation_is_escalated_by_the_timer(client, line, line_clock):
    """R-BK-7: the day-before confirmation call unanswered by its deadline goes to the service manager."""
    # five days ahead, past where the earlier tests moved the clock, so its day-before call is still to come;
    # advisor A002, whom the factories' slots (A001) never take
    day = (datetime.now(SHANGHAI) + timedelta(days=5)).date()
    starts_at = reception_slots(day, SlotRules(), SHANGHAI)[5]
    visit = Visit(line, client=client, booking=make_booking(starts_at=starts_at.isoformat(), advisor_id="A002"))
    visit.book()
    path = f"/api/confirmations?appointment_id={visit.appointment_id}"
    [day_before] = [t for t in client.get(names.BOOKING, path)["confirmations"] if t["kind"] == "day_before"]
    assert day_before["escalated_at"] is None

    line_clock(seconds_until(day_before["answer_by"], timedelta(seconds=30)))
    escalated = eventually(
        lambda: [t for t in client.get(names.BOOKING, path)["confirmations"] if t["escalated_at"]],
        15,
        what="the escalation",
    )
    assert [t["kind"] for t in escalated] == ["day_before"]
