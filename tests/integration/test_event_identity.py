"""Issue 12, item 6: a message whose event id was handled before but whose content differs is not that fact: it is
refused for good (PermanentError: the consumer dead-letters it with this reason), and nothing changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from contracts import names
from kit import sessions
from kit.errors import PermanentError
from tests.support.db import service_work, snapshot, wire_event


def _revoked(staff_id: str):
    payload = {"staff_id": staff_id, "session_id": None, "before": datetime(2026, 12, 7, tzinfo=UTC), "reason": "roles"}
    return wire_event(names.SESSIONS_REVOKED, payload, correlation_id=f"staff:{staff_id}")


def test_the_same_event_id_with_other_content_is_refused_for_good_and_changes_nothing(tmp_path):
    work = service_work(names.BOOKING, tmp_path, consumer="booking.end_sessions")
    event = _revoked("A001")
    assert work.handle(event, sessions.take_revocation) is True
    assert work.handle(event, sessions.take_revocation) is False  # a redelivery: absorbed quietly
    before = snapshot(work)
    forged_payload = {**event.raw_payload, "staff_id": "M001"}
    forged = replace(event, payload={**event.payload, "staff_id": "M001"}, raw_payload=forged_payload)
    with pytest.raises(PermanentError, match="other content"):
        work.handle(forged, sessions.take_revocation)
    assert snapshot(work) == before


def test_another_event_id_is_handled_as_its_own_fact(tmp_path):
    work = service_work(names.BOOKING, tmp_path, consumer="booking.end_sessions")
    assert work.handle(_revoked("A001"), sessions.take_revocation) is True
    assert work.handle(_revoked("A002"), sessions.take_revocation) is True


def test_a_delivery_re_sent_under_a_new_event_id_is_absorbed_by_its_order(tmp_path):
    """Booking's history: the business key is the order; a second event id for it changes nothing (no
    IntegrityError retried five times and dead-lettered)."""
    import sqlalchemy as sa

    from services.booking import handlers as booking
    from services.booking.models import ServiceRecord
    from tests.support.factories import make_delivered

    work = service_work(names.BOOKING, tmp_path, consumer="booking.service_history")
    delivered = make_delivered(mileage_km=35210, labour_codes=["LAB-OIL"])
    first, again = (wire_event(names.VEHICLE_DELIVERED, delivered) for _ in range(2))
    assert first.event_id != again.event_id
    assert work.handle(first, booking.record_service) is True
    assert work.handle(again, booking.record_service) is True
    assert work.read(lambda s: s.scalar(sa.select(sa.func.count()).select_from(ServiceRecord))) == 1
