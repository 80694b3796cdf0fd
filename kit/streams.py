"""The group HQ's feed as a RabbitMQ stream: its topology, and a reader that starts at any offset.

On the HQ's vhost (`HQ_AMQP_URI`), declared alike by the stores' side (the shovels that deliver into it) and the HQ:

    <prefix>hq.ingress   topic exchange, durable: every store's events arrive here (routing key: the event type)
    <prefix>hq.events    stream queue bound with '#', kept 90 days and at most 20 GB (STREAM_ARGUMENTS)

A stream keeps what it holds after it is read: any reader starts from any offset ("first", "last", "next" or a
number), so HQ replays history without asking a store. Consuming a stream needs a prefetch (basic.qos) and acks;
`StreamReader` prepares each batch while the previous one is being stored, and acks a batch once stored (the
store commits the batch with the last offset it holds; a restart resumes after that offset).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from kombu import Connection

log = logging.getLogger(__name__)

INGRESS_EXCHANGE = "hq.ingress"
EVENTS_STREAM = "hq.events"
STREAM_ARGUMENTS = {"x-queue-type": "stream", "x-max-age": "90D", "x-max-length-bytes": 20_000_000_000}
OFFSET_HEADER = "x-stream-offset"
STREAM_PORT = 5552  # the broker's stream protocol (plugin rabbitmq_stream): HQ's faster reader
MAX_BATCH_DELAY = 0.5  # seconds a message waits for its batch to fill while messages keep trickling in
CONNECT_TIMEOUT = 20  # seconds for the handshake of a busy broker
HEARTBEAT_SECONDS = 30  # a connection gone silent is noticed (and read again from the stored offset)


def names(prefix: str = "") -> tuple[str, str]:
    """(exchange, stream) on the HQ's vhost; tests give each run its own prefix."""
    return f"{prefix}{INGRESS_EXCHANGE}", f"{prefix}{EVENTS_STREAM}"


def declare(channel, prefix: str = "") -> None:
    """The ingress exchange and the stream bound to it (idempotent; both sides declare the same)."""
    exchange, stream = names(prefix)
    channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)
    channel.queue_declare(stream, durable=True, auto_delete=False, arguments=dict(STREAM_ARGUMENTS))
    channel.queue_bind(stream, exchange, routing_key="#")


def delete(channel, prefix: str) -> None:
    """Tests and the bench remove what they declared (never the unprefixed production names)."""
    if not prefix:
        raise ValueError("refusing to delete the HQ's production stream (empty prefix)")
    exchange, stream = names(prefix)
    channel.queue_delete(stream)
    channel.exchange_delete(exchange)


@dataclass(frozen=True)
class StreamMessage:
    offset: int
    body: bytes
    headers: dict[str, Any]
    message_id: str | None
    content_type: str | None


def _as_stream_message(message) -> StreamMessage:
    headers = dict(message.headers or {})
    body = message.body if isinstance(message.body, bytes) else str(message.body).encode()
    props = message.properties or {}
    return StreamMessage(
        offset=int(headers.get(OFFSET_HEADER, -1)),
        body=body,
        headers={k: v.decode() if isinstance(v, bytes) else v for k, v in headers.items()},
        message_id=props.get("message_id"),
        content_type=props.get("content_type"),
    )


READ_CHUNK = 16_384  # bytes asked of the socket at once


def _read_in_chunks(conn) -> Callable[[], bool]:
    """py-amqp asks the socket for each frame's header, body and end separately (some ten system calls a
    message); asking for up to READ_CHUNK bytes at once keeps the rest in its own read buffer for the next frames.
    Returns a test "are bytes already buffered" (then the next read needs no timeout, hence no settimeout calls)."""
    transport = getattr(conn.connection, "transport", None)
    sock = getattr(transport, "sock", None)
    if transport is None or sock is None or not hasattr(transport, "_quick_recv") or not hasattr(sock, "recv"):
        return lambda: False
    recv = sock.recv
    transport._quick_recv = lambda n: recv(max(n, READ_CHUNK))
    return lambda: bool(transport._read_buffer)


class StreamReader:
    """Reads `<prefix>hq.events` from an offset in batches of at most `batch_size` messages.

    `run(start, prepare, store, stopping)`: each batch (a full one, or what came within `linger` seconds) is
    handed to `prepare(list[StreamMessage])` on the reading thread, and what that returns to `store(prepared)` on
    a writer thread, one batch at a time and in order, while the next batch is read and prepared; a batch is acked
    once stored. An exception from either closes the connection: the caller reads again from the offset its
    database holds (in a stream an ack is flow control only: nothing is removed, nothing is lost).
    """

    protocol = "amqp"

    def __init__(self, amqp_uri: str, prefix: str = "", batch_size: int = 2000, linger: float = 0.05):
        self.amqp_uri = amqp_uri
        self.prefix = prefix
        self.batch_size = batch_size
        self.linger = linger

    def run(
        self,
        start: int | str,
        prepare: Callable[[list[StreamMessage]], Any],
        store: Callable[[Any], None],
        stopping: Callable[[], bool],
        idle: Callable[[], None] | None = None,
    ) -> None:
        _exchange, stream = names(self.prefix)
        with (
            Connection(self.amqp_uri, heartbeat=HEARTBEAT_SECONDS, connect_timeout=CONNECT_TIMEOUT) as conn,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="stream-store") as writer,
        ):
            conn.ensure_connection(max_retries=3)
            channel = conn.channel()
            declare(channel, self.prefix)
            # the broker sends up to two batches ahead while one is prepared and another stored
            channel.basic_qos(0, self.batch_size * 3, False)
            pending: list = []
            channel.basic_consume(stream, callback=pending.append, arguments={OFFSET_HEADER: start}, no_ack=False)
            in_flight: tuple[Future, int] | None = None
            buffered = _read_in_chunks(conn)

            def settle() -> None:
                nonlocal in_flight
                if in_flight is not None:
                    future, tag = in_flight
                    in_flight = None
                    future.result()  # raises what the store raised
                    channel.basic_ack(tag, multiple=True)

            since = time.monotonic()
            while not stopping():
                timed_out = False
                try:
                    conn.drain_events(timeout=None if buffered() else self.linger)
                except TimeoutError:
                    timed_out = True
                if in_flight is not None and in_flight[0].done():
                    settle()
                if not pending:
                    since = time.monotonic()
                    if timed_out and idle is not None:
                        idle()
                    continue
                full = len(pending) >= self.batch_size
                if not (full or timed_out or time.monotonic() - since > MAX_BATCH_DELAY):
                    continue
                batch, pending[:] = list(pending), []
                prepared = prepare([_as_stream_message(m) for m in batch])
                settle()  # the previous batch stored before this one is handed over: in order
                in_flight = (writer.submit(store, prepared), batch[-1].delivery_tag)
                since = time.monotonic()
            settle()
