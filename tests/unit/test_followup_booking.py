"""Booking the next visit from follow-up (R-CR-4, R-BL-4, R-FU-5): what goes to booking's book_visit, and its
refusals become follow-up's, naming the field."""

from __future__ import annotations

from datetime import date

import pytest

from kit.errors import DomainError
from kit.rpc import ServiceUnavailable
from services.followup.handlers.booking_rpc import book_visit


class Booking:
    """Booking's RPC as a test double: answers what it is given, records what it was asked."""

    def __init__(self, answer: dict):
        self.answer, self.asked = answer, []

    def call(self, method, *, field=None, **kwargs):
        self.asked.append((method, field, kwargs))
        return self.answer


CUSTOMER = {"name": "李四", "mobile": "13900139001"}
VEHICLE = {"vin": "LSVAM4187C2184847", "plate": "沪C12345", "model": "帕萨特"}


def test_the_visit_is_asked_of_booking_with_the_days_and_the_advisor():
    booking = Booking({"booked": True, "appointment_id": "a1", "starts_at": "2026-12-08T09:00:00+08:00"})
    answer = book_visit(booking, CUSTOMER, VEHICLE, "A002", "回访预约", "F001", [date(2026, 12, 7), date(2026, 12, 8)])
    assert answer["appointment_id"] == "a1"
    [(method, _, kwargs)] = booking.asked
    assert method == "book_visit" and kwargs["days"] == ["2026-12-07", "2026-12-08"]
    assert kwargs["booking"]["vin"] == VEHICLE["vin"] and kwargs["booking"]["advisor_id"] == "A002"


def test_bookings_refusal_is_raised_naming_its_field():
    booking = Booking({"booked": False, "msgid": "No free time on these days", "params": {}, "field": None})
    with pytest.raises(DomainError) as refused:
        book_visit(booking, CUSTOMER, VEHICLE, "A002", "", "F001", [date(2026, 12, 7)])
    assert refused.value.field == "starts_at" and refused.value.msgid == "No free time on these days"


def test_the_workshop_away_is_said_as_such():
    answer = {"booked": False, "msgid": "x", "params": {"service": "workshop"}, "code": "service_unavailable"}
    with pytest.raises(ServiceUnavailable):
        book_visit(Booking(answer), CUSTOMER, VEHICLE, "A002", "", "F001", [date(2026, 12, 7)])


def test_no_vin_or_no_advisor_is_refused_before_asking():
    booking = Booking({"booked": True})
    with pytest.raises(DomainError) as refused:
        book_visit(booking, CUSTOMER, {**VEHICLE, "vin": ""}, "A002", "", "F001", [date(2026, 12, 7)])
    assert refused.value.field == "vin"
    with pytest.raises(DomainError) as refused:
        book_visit(booking, CUSTOMER, VEHICLE, "", "", "F001", [date(2026, 12, 7)])
    assert refused.value.field == "advisor_id" and booking.asked == []


def test_the_complaint_causes_are_the_contracts_causes():
    from contracts.events import COMPLAINT_CAUSES
    from services.followup.domain.complaints import CAUSE_TITLES, CAUSES

    assert set(CAUSES) == set(COMPLAINT_CAUSES) == set(CAUSE_TITLES)
