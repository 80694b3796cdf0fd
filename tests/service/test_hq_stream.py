"""HQ's ingest from a real RabbitMQ stream into a real PostgreSQL (issue 14, item 3): two stores' events through
the `hq.ingress` exchange into the `hq.events` stream, batch inserts idempotent by event id, the offset kept in the
database so a restart reads only what is new, a replay from the first offset doubling nothing, and nothing lost
(an unreadable message and an order that does not verify are kept with why)."""

import asyncio
import json
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from kombu import Connection

from kit import hq_reader, streams
from services.hq.handlers import ingest
from services.hq.models import Base, StoreEvent, UnreadableMessage
from tests.support.db import postgresql_database
from tests.support.hq import Store, publish

pytestmark = pytest.mark.service
NOW = datetime.now(UTC)
GIVE_UP_SECONDS = 60  # a failsafe against a hang only: the assertions below decide


@pytest.fixture
def hq_database(pg_server_url):
    with postgresql_database(pg_server_url, "hq", Base.metadata) as engine:
        yield engine


@pytest.fixture
def hq_stream(amqp_uri):
    prefix = f"t{uuid.uuid4().hex[:10]}."
    with Connection(amqp_uri, connect_timeout=streams.CONNECT_TIMEOUT) as conn:
        channel = conn.channel()
        streams.declare(channel, prefix)
        yield prefix, channel
        streams.delete(channel, prefix)


def read_until(amqp_uri, prefix, engine, keys, messages: int, protocol: str) -> list[int]:
    """Run HQ's reader from the stored offset until `messages` more are stored; the offsets it was handed (a
    stream's offsets rise, but need not be contiguous: what is checked is their number and order)."""
    stream = streams.names(prefix)[1]
    handed: list[int] = []
    stored = [0]

    def prepare(batch):
        handed.extend(m.offset for m in batch)
        return ingest.prepare(batch, keys), len(batch)

    def store(prepared):
        with engine.begin() as conn:
            ingest.store(conn, prepared[0], stream)
        stored[0] += prepared[1]

    with engine.connect() as conn:
        start = ingest.start_offset(conn, stream)
    give_up = time.monotonic() + GIVE_UP_SECONDS
    reader = hq_reader.reader(amqp_uri, prefix, batch_size=50, protocol=protocol, port=stream_port())
    assert reader.protocol == protocol
    reader.run(start, prepare, store, lambda: stored[0] >= messages or time.monotonic() > give_up)
    return handed


def held(engine) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(StoreEvent.dealer_id, StoreEvent.status, sa.func.count()).group_by(
                StoreEvent.dealer_id, StoreEvent.status
            )
        ).all()
        unreadable = conn.execute(sa.select(UnreadableMessage.reason)).scalars().all()
    return {"events": {(d, s): n for d, s, n in rows}, "unreadable": unreadable}


def stream_port() -> int:
    return int(os.environ.get("HQ_STREAM_PORT", streams.STREAM_PORT))


# both readers HQ has: the stream protocol (port 5552, the default) and AMQP 0.9.1 (where the plugin is off)
@pytest.mark.parametrize("protocol", ["stream", "amqp"])
def test_two_stores_into_postgresql_once_each_resumed_and_replayed(
    amqp_uri, hq_stream, hq_database, tmp_path, protocol
):
    prefix, channel = hq_stream
    exchange = streams.names(prefix)[0]
    a, b = Store("store-a"), Store("store-b")
    a.publish_key(tmp_path)
    b.publish_key(tmp_path)
    keys = ingest.StoreKeys(tmp_path)
    order_a, order_b = a.order(NOW, booked=True), b.order(NOW, booked=False)
    tampered = b.order(NOW, booked=True)
    tampered["payload"]["order"]["promised_at"] = "2031-01-01T00:00:00+00:00"
    newer = a.ready(order_a, NOW)
    newer["schema_version"], newer["payload"]["carbon_grams"] = 2, 900
    odd = a.complaint(order_a, "price", NOW)
    odd["payload"]["note"] = 'C:\\车间\t"投诉"\n'  # backslash, tab, quotes, a line break, Chinese
    store_a = [order_a, newer, a.congestion("queue", NOW), odd]
    store_b = [order_b, tampered, b.ready(order_b, NOW), {**b.congestion("wait", NOW), "event_type": "brand_new_event"}]
    publish(channel, exchange, store_a, "store-a")
    publish(channel, exchange, store_b, "store-b")
    publish(channel, exchange, [order_a], "store-a")  # redelivered by the shovels (at least once)
    publish(channel, exchange, [order_b], "store-b")
    publish(channel, exchange, [b"not json at all"], "store-b")
    # offsets 0..10: 4 + 4 + 2 + 1 messages
    first = read_until(amqp_uri, prefix, hq_database, keys, messages=11, protocol=protocol)
    assert len(first) == 11 and first == sorted(set(first))
    with hq_database.connect() as conn:  # kept exactly as it came (COPY's escapes: backslashes, Chinese)
        body = conn.execute(sa.select(StoreEvent.body).where(StoreEvent.event_id == store_a[3]["event_id"])).scalar()
    assert json.loads(body) == store_a[3] and "\\t" in body and "投诉" in body
    state = held(hq_database)
    assert state["events"] == {("store-a", "accepted"): 4, ("store-b", "accepted"): 3, ("store-b", "refused"): 1}
    assert len(state["unreadable"]) == 1 and "not JSON" in state["unreadable"][0]

    # a restart reads from after the stored offset: only what is new
    publish(channel, exchange, [a.congestion("wait", NOW)], "store-a")
    publish(channel, exchange, [b.complaint(order_b, "comeback", NOW)], "store-b")
    then = read_until(amqp_uri, prefix, hq_database, keys, messages=2, protocol=protocol)
    assert len(then) == 2 and first[-1] < then[0] < then[1]
    state = held(hq_database)
    assert state["events"][("store-a", "accepted")] == 5 and state["events"][("store-b", "accepted")] == 4

    # a replay from the first offset: every message read again, nothing doubled
    with hq_database.begin() as conn:
        ingest.forget_position(conn, streams.names(prefix)[1])
    assert read_until(amqp_uri, prefix, hq_database, keys, messages=13, protocol=protocol) == first + then
    assert held(hq_database) == state


def test_auto_reads_over_the_stream_port_when_it_answers_else_over_amqp(amqp_uri):
    assert hq_reader.reader(amqp_uri, protocol="auto", port=stream_port()).protocol == "stream"
    with socket.socket() as unused:  # a port nothing listens on: the plugin off
        unused.bind(("127.0.0.1", 0))
        closed = unused.getsockname()[1]
    assert hq_reader.reader(amqp_uri, protocol="auto", port=closed).protocol == "amqp"


def test_the_stream_reader_runs_where_an_event_loop_runs_already(amqp_uri, hq_stream, hq_database, tmp_path):
    """A caller whose thread runs an event loop (a test process with Playwright's) still reads: the reader's loop
    gets a thread of its own."""
    prefix, channel = hq_stream
    a = Store("store-a")
    a.publish_key(tmp_path)
    publish(channel, streams.names(prefix)[0], [a.congestion("queue", NOW)], "store-a")

    async def inside_a_loop():
        return read_until(amqp_uri, prefix, hq_database, ingest.StoreKeys(tmp_path), messages=1, protocol="stream")

    handed: list = []  # the test's own loop on a thread of its own: this thread may run Playwright's loop already
    thread = threading.Thread(target=lambda: handed.extend(asyncio.run(inside_a_loop())))
    thread.start()
    thread.join(GIVE_UP_SECONDS)
    assert len(handed) == 1
    assert held(hq_database)["events"] == {("store-a", "accepted"): 1}
