"""R-RC-8: the pre-inspection area alerts the service manager when it congests (controllable clock)."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from contracts import names
from kit.db import outbox_table
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


def alerts(work):
    def query(session):
        outbox = outbox_table(session.info["metadata"])
        return session.execute(
            sa.select(outbox.c.body).where(outbox.c.event_type == names.PRE_INSPECTION_CONGESTED)
        ).all()

    return work.read(query)
