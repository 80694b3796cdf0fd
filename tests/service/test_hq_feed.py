"""Issue 12, item 6: the group HQ's feed carries only what the services' relays published. A message published
straight to an exchange by anyone else (forged, unreadable, or with a made-up mark) still reaches no HQ queue,
while every consumer's own queue is guarded by its contract and signatures as before."""

import json

import pytest
from kombu import Connection, Producer, Queue

from contracts import names
from kit import bus, sessions
from tests.service.test_outbox_relay import relay_for
from tests.support.broker import queue_depth
from tests.support.db import service_work

pytestmark = pytest.mark.service


def test_the_hq_feed_takes_what_the_relay_published_and_nothing_published_around_it(tmp_path, amqp_uri, namespace):
    work = service_work(names.STAFF, tmp_path)
    with Connection(amqp_uri) as conn:
        # the feed as it was declared before: bound to every message of every exchange
        old = {"x-queue-type": "quorum", "x-max-length": bus.HQ_FEED_MAX_LENGTH, "x-overflow": "drop-head"}
        for svc in names.SERVICES:
            exchange = bus.events_exchange(namespace, svc)
            exchange(conn.default_channel).declare()
            Queue(f"{namespace}hq.feed", exchange=exchange, routing_key="#", queue_arguments=old)(
                conn.default_channel
            ).declare()
        bus.declare_topology(conn, namespace)  # drops those bindings
        bus.declare_topology(conn, namespace)  # and declaring again changes nothing
    work.run(sessions.revoke, "A001", "signed_out", "session-1", actor_id="A001")
    relay = relay_for(work, amqp_uri, namespace)
    assert relay.publish_pending() == 1
    relay.close()

    exchange = bus.events_exchange(namespace, names.STAFF).name
    with Connection(amqp_uri) as conn:
        producer = Producer(conn.channel())
        for body, headers in (
            ("{not json", {}),
            (json.dumps({"event_type": names.SESSIONS_REVOKED, "payload": {}}), {}),
            (json.dumps({"event_type": names.SESSIONS_REVOKED}), {bus.HQ_MARK_HEADER: "0" * 32}),
        ):
            producer.publish(body, exchange=exchange, routing_key=names.SESSIONS_REVOKED, headers=headers)

    assert queue_depth(amqp_uri, f"{namespace}hq.feed") == 1  # the relay's message only
    assert queue_depth(amqp_uri, f"{namespace}reception--{names.SESSIONS_REVOKED}") == 4  # consumers see all
    with Connection(amqp_uri) as conn:
        [hq_queue] = bus.hq_feed_queues(namespace)
        message = conn.SimpleQueue(hq_queue).get(timeout=5)
        assert json.loads(message.body)["payload"]["session_id"] == "session-1"
        message.ack()
