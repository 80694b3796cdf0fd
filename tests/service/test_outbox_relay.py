"""The relay publishes with confirms and marks a row sent only once the broker has it."""

import json

import pytest
import sqlalchemy as sa
from kombu import Connection

from contracts import names
from kit import bus
from kit.db import outbox_table
from services.booking import handlers as booking
from tests.integration.test_unit_of_work import command
from tests.support.broker import queue_depth
from tests.support.db import service_work

pytestmark = pytest.mark.service


def relay_for(work, amqp_uri, namespace):
    engine = work.session_factory.kw["bind"]
    return bus.OutboxRelay(engine, work.session_factory.kw["info"]["metadata"], amqp_uri=amqp_uri, namespace=namespace)


def pending(work):
    return work.read(
        lambda s: s.execute(
            sa.select(outbox_table(s.info["metadata"])).where(outbox_table(s.info["metadata"]).c.published_at.is_(None))
        ).all()
    )


def test_rows_are_published_to_every_subscriber_and_marked(tmp_path, amqp_uri, namespace):
    work = service_work(names.BOOKING, tmp_path)
    with Connection(amqp_uri) as conn:
        bus.declare_topology(conn, namespace)
    appointment = work.run(booking.book_appointment, command())
    relay = relay_for(work, amqp_uri, namespace)
    assert relay.publish_pending() == 1
    relay.close()
    assert pending(work) == []
    for consumer in (names.PARTS, names.RECEPTION):
        assert queue_depth(amqp_uri, f"{namespace}{consumer}--appointment_booked") == 1
    with Connection(amqp_uri) as conn:
        message = conn.SimpleQueue(bus.consumer_queue(namespace, names.PARTS, names.APPOINTMENT_BOOKED)).get(timeout=5)
        assert json.loads(message.body)["payload"]["appointment_id"] == appointment.appointment_id
        message.ack()


def test_an_unroutable_row_stays_pending_until_the_topology_exists(tmp_path, amqp_uri, namespace):
    work = service_work(names.BOOKING, tmp_path)
    work.run(booking.book_appointment, command())
    relay = relay_for(work, amqp_uri, namespace)
    assert relay.publish_pending() == 0  # no exchange yet: nothing is lost, nothing marked
    [row] = pending(work)
    assert row.attempts == 1 and row.last_error
    with Connection(amqp_uri) as conn:
        bus.declare_topology(conn, namespace)
    assert relay.publish_pending() == 1
    relay.close()
    assert pending(work) == []


def test_rows_stay_pending_while_the_broker_is_unreachable(tmp_path, namespace):
    work = service_work(names.BOOKING, tmp_path)
    work.run(booking.book_appointment, command())
    relay = relay_for(work, "amqp://guest:guest@127.0.0.1:1/", namespace)
    assert relay.publish_pending() == 0
    assert len(pending(work)) == 1


def test_in_one_batch_a_row_no_queue_takes_stays_pending_and_the_rows_around_it_are_marked(
    tmp_path, amqp_uri, namespace
):
    """The relay publishes a batch, then waits for its confirms (kit.confirms): a returned message (NO_ROUTE)
    keeps its own row pending with the reason, never the rows published before or after it."""
    work = service_work(names.BOOKING, tmp_path)
    with Connection(amqp_uri) as conn:
        bus.declare_topology(conn, namespace)
        channel = conn.default_channel
        for consumer in (names.RECEPTION, names.WORKSHOP, names.PARTS):  # nobody takes appointment_booked now
            channel.queue_delete(bus.consumer_queue(namespace, consumer, names.APPOINTMENT_BOOKED).name)
        channel.queue_delete(f"{namespace}hq.feed")
    first = work.run(booking.book_appointment, command())
    work.run(booking.cancel_appointment, first.appointment_id, reason="客户改期", by_dealership=False)
    work.run(booking.book_appointment, command())
    relay = relay_for(work, amqp_uri, namespace)
    assert relay.publish_pending() == 1  # the cancellation, between the two bookings
    relay.close()
    left = pending(work)
    assert [row.event_type for row in left] == [names.APPOINTMENT_BOOKED] * 2
    assert all(row.attempts == 1 and "NO_ROUTE" in row.last_error for row in left)
    for consumer in (names.PARTS, names.RECEPTION):
        assert queue_depth(amqp_uri, f"{namespace}{consumer}--appointment_cancelled") == 1


def test_an_event_no_service_subscribes_to_is_relayed_once_to_the_hq_feed(tmp_path, amqp_uri, namespace):
    """followup_scheduled has no consumer in the line (SUBSCRIPTIONS), only the HQ feed: its row is marked once
    the feed copy is confirmed, instead of coming back NO_ROUTE from the follow-up exchange and being published
    again on every pass of the relay."""
    work = service_work(names.FOLLOWUP, tmp_path)
    with Connection(amqp_uri) as conn:
        bus.declare_topology(conn, namespace)
    scheduled = {
        "call_id": "C-relay-1",
        "order_id": "O-relay-1",
        "assigned_to": None,
        "due_from": "2026-12-03T01:00:00+00:00",
        "due_by": "2026-12-07T09:00:00+00:00",
    }
    work.run(lambda uow: uow.emit(names.FOLLOWUP_SCHEDULED, scheduled, correlation_id="V-relay-1"))
    relay = relay_for(work, amqp_uri, namespace)
    assert relay.publish_pending() == 1
    assert relay.publish_pending() == 0  # nothing left to publish again
    relay.close()
    assert pending(work) == []
    assert queue_depth(amqp_uri, f"{namespace}hq.outbound") == 1
