"""Booking's capacity hold over the workshop's RPC (R-BK-4): a busy workshop is asked again with the same
appointment id (a hold is idempotent by it); a stopped one refuses at once."""

from __future__ import annotations

import eventlet
import pytest
from nameko.exceptions import UnknownService

from kit.rpc import Client, ServiceUnavailable
from services.booking.handlers.workshop_capacity import HOLD_TRIES, hold_capacity

HELD = {"held": True, "appointment_id": "a1"}


class WorkshopProxy:
    """The nameko proxy under kit.rpc.Client as a test double: each `hold` takes the next outcome (an answer, or
    what the proxy raised: a timeout, the service unknown)."""

    def __init__(self, *outcomes):
        self.outcomes, self.asked = list(outcomes), []

    def hold(self, **kwargs):
        self.asked.append(("hold", "starts_at", kwargs))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


def Workshop(*outcomes) -> Client:  # noqa: N802 - reads as the workshop the tests talk to
    client = Client(WorkshopProxy(*outcomes), "workshop", timeout=5)
    client.asked = client._proxy.asked
    return client


def test_a_hold_the_busy_workshop_did_not_answer_in_time_is_asked_again_with_the_same_appointment():
    workshop = Workshop(eventlet.Timeout(), eventlet.Timeout(), HELD)
    assert hold_capacity(workshop, appointment_id="a1", starts_at="2026-12-08T09:00:00+08:00") == HELD
    assert (
        workshop.asked
        == [("hold", "starts_at", {"appointment_id": "a1", "starts_at": "2026-12-08T09:00:00+08:00"})] * 3
    )


def test_a_workshop_silent_every_time_is_refused_naming_starts_at():
    workshop = Workshop(*[eventlet.Timeout()] * HOLD_TRIES)
    with pytest.raises(ServiceUnavailable) as refused:
        hold_capacity(workshop, appointment_id="a1")
    assert refused.value.field == "starts_at" and len(workshop.asked) == HOLD_TRIES


def test_a_stopped_workshop_is_not_asked_again():
    workshop = Workshop(UnknownService("workshop"), HELD)
    with pytest.raises(ServiceUnavailable):
        hold_capacity(workshop, appointment_id="a1")
    assert len(workshop.asked) == 1
