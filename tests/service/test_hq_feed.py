"""The group HQ's feed (issue 12, item 6; issue 14, items 1 and 5).

It carries only what the services' relays published: a message published straight to an exchange by anyone else
(forged, unreadable, or with a made-up mark) reaches no HQ queue. It is a stream any reader replays from any
offset, and what it carries has no customer name, mobile or e-mail (kit.feed)."""

import json
from datetime import timedelta

import pytest
from kombu import Connection, Producer, Queue

from contracts import names
from kit import bus, clock, sessions
from services.booking import handlers as booking
from tests.integration.test_unit_of_work import command
from tests.service.test_outbox_relay import relay_for
from tests.support.broker import queue_depth
from tests.support.db import service_work
from tests.support.feed import read_stream

pytestmark = pytest.mark.service


def _declare_the_feed_of_before(conn, namespace):
    """hq.feed as issue 12 left it: a bounded quorum queue, bound to every message of every exchange, which in
    turn were bound to hq.relayed."""
    hq = bus.hq_exchange(namespace)(conn.default_channel)
    hq.declare()
    for svc in names.SERVICES:
        exchange = bus.events_exchange(namespace, svc)
        exchange(conn.default_channel).declare()
        hq.bind_to(exchange(conn.default_channel), routing_key="#")
        Queue(f"{namespace}hq.feed", exchange=exchange, routing_key="#", queue_arguments=bus.LEGACY_HQ_FEED_ARGS)(
            conn.default_channel
        ).declare()


def test_the_hq_feed_takes_what_the_relay_published_and_nothing_published_around_it(tmp_path, amqp_uri, namespace):
    work = service_work(names.STAFF, tmp_path)
    with Connection(amqp_uri) as conn:
        _declare_the_feed_of_before(conn, namespace)
        bus.declare_topology(conn, namespace)  # replaces the quorum queue by the stream (a redeclare is a 406)
        bus.declare_topology(conn, namespace)  # and declaring again changes nothing
    work.run(sessions.revoke, "A001", "signed_out", "session-1", actor_id="A001")
    relay = relay_for(work, amqp_uri, namespace)
    assert relay.publish_pending() == 1
    relay.close()

    with Connection(amqp_uri) as conn:
        producer = Producer(conn.channel())
        forged = json.dumps({"event_type": names.SESSIONS_REVOKED})
        for exchange, body, headers in (
            (bus.events_exchange(namespace, names.STAFF).name, "{not json", {}),
            (bus.events_exchange(namespace, names.STAFF).name, forged, {}),
            (bus.events_exchange(namespace, names.STAFF).name, forged, {bus.HQ_MARK_HEADER: "0" * 32}),
            (bus.hq_exchange(namespace).name, forged, {bus.HQ_MARK_HEADER: "0" * 32}),
            (bus.hq_exchange(namespace).name, forged, {}),
        ):
            producer.publish(body, exchange=exchange, routing_key=names.SESSIONS_REVOKED, headers=headers)

    assert queue_depth(amqp_uri, f"{namespace}reception--{names.SESSIONS_REVOKED}") == 4  # consumers see all
    assert queue_depth(amqp_uri, f"{namespace}hq.outbound") == 1  # the link's buffer: the relay's copy only
    [message] = read_stream(amqp_uri, f"{namespace}hq.feed", "first")  # the stream: the relay's copy only
    assert message.json()["payload"]["session_id"] == "session-1"
    assert message.headers["event_type"] == names.SESSIONS_REVOKED
    assert message.headers["dealer_id"] == "demo-4s"
    assert message.message_id == message.json()["event_id"]


def test_the_feed_is_a_stream_any_reader_replays_from_the_start_an_offset_or_a_moment(tmp_path, amqp_uri, namespace):
    """Issue 14, item 1: HQ replays history without asking the dealership; reading takes nothing away."""
    work = service_work(names.STAFF, tmp_path)
    with Connection(amqp_uri) as conn:
        bus.declare_topology(conn, namespace)
    relay = relay_for(work, amqp_uri, namespace)
    for n in range(5):
        work.run(sessions.revoke, "A001", "signed_out", f"session-{n}", actor_id="A001")
    assert relay.publish_pending() == 5
    before_the_last = clock.now()
    work.run(sessions.revoke, "A001", "signed_out", "session-5", actor_id="A001")
    assert relay.publish_pending() == 1
    relay.close()

    def sessions_of(messages):
        return [m.json()["payload"]["session_id"] for m in messages]

    queue = f"{namespace}hq.feed"
    everything = read_stream(amqp_uri, queue, "first", until=6)
    assert sessions_of(everything) == [f"session-{n}" for n in range(6)]
    assert sessions_of(read_stream(amqp_uri, queue, "first", until=6)) == sessions_of(everything)  # again
    third = everything[2].offset
    assert sessions_of(read_stream(amqp_uri, queue, third, until=4)) == [f"session-{n}" for n in range(2, 6)]
    # a moment: the stream's chunks are timestamped to the second, so a reader from a moment gets at least
    # what came after it, and nothing of what came a second or more before it
    since = sessions_of(read_stream(amqp_uri, queue, before_the_last.replace(microsecond=0), idle=1))
    assert since[-1] == "session-5"
    hour_ago = sessions_of(read_stream(amqp_uri, queue, before_the_last - timedelta(hours=1), until=6))
    assert hour_ago == sessions_of(everything)


def test_a_copy_that_leaves_the_store_has_no_customer_name_or_mobile(tmp_path, amqp_uri, namespace):
    """Issue 14, item 5: the consumers in the store get the customer; the feed gets a keyed pseudonym."""
    work = service_work(names.BOOKING, tmp_path)
    with Connection(amqp_uri) as conn:
        bus.declare_topology(conn, namespace)
    booked = command()
    work.run(booking.book_appointment, booked)
    relay = relay_for(work, amqp_uri, namespace)
    assert relay.publish_pending() == 1
    relay.close()
    customer = booked["customer"]
    with Connection(amqp_uri) as conn:
        inside = conn.SimpleQueue(bus.consumer_queue(namespace, names.PARTS, names.APPOINTMENT_BOOKED)).get(timeout=5)
        assert json.loads(inside.body)["payload"]["customer"]["mobile"] == customer["mobile"]
        inside.ack()
    [copy] = read_stream(amqp_uri, f"{namespace}hq.feed", "first", until=1)
    assert customer["mobile"] not in copy.body.decode() and customer["name"] not in copy.body.decode()
    assert copy.json()["payload"]["customer"]["customer_ref"].startswith("c-")
    assert copy.json()["payload"]["vehicle"] == json.loads(inside.body)["payload"]["vehicle"]
    assert copy.headers["personal_data"] == "pseudonymous"


def test_a_store_that_allows_more_sends_its_customers_in_full(tmp_path, amqp_uri, namespace):
    """FEED_PERSONAL_DATA=full: the copy is the event as the store's services see it, and says so."""
    work = service_work(names.BOOKING, tmp_path)
    with Connection(amqp_uri) as conn:
        bus.declare_topology(conn, namespace)
    booked = command()
    work.run(booking.book_appointment, booked)
    engine = work.session_factory.kw["bind"]
    metadata = work.session_factory.kw["info"]["metadata"]
    relay = bus.OutboxRelay(
        engine, metadata, amqp_uri=amqp_uri, namespace=namespace, feed_key=b"k" * 32, feed_mode="full"
    )
    assert relay.publish_pending() == 1
    relay.close()
    [copy] = read_stream(amqp_uri, f"{namespace}hq.feed", "first", until=1)
    assert copy.json()["payload"]["customer"]["mobile"] == booked["customer"]["mobile"]
    assert copy.headers["personal_data"] == "full"
