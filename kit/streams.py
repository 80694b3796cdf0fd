"""The group HQ's feed as a RabbitMQ stream: its topology, and a reader that starts at any offset.

On the HQ's vhost (`HQ_AMQP_URI`), declared alike by the stores' side (the shovels that deliver into it) and the HQ:

    <prefix>hq.ingress   topic exchange, durable: every store's events arrive here (routing key: the event type)
    <prefix>hq.events    stream queue bound with '#', kept 90 days and at most 20 GB (STREAM_ARGUMENTS)

A stream keeps what it holds after it is read: any reader starts from any offset ("first", "last", "next" or a
number), so HQ replays history without asking a store. Consuming a stream needs a prefetch (basic.qos) and acks;
`StreamReader` hands each batch to its handler and acks it only after the handler returned (the handler commits
the batch and the last offset it holds; a restart resumes after that offset).
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kombu import Connection

log = logging.getLogger(__name__)

INGRESS_EXCHANGE = "hq.ingress"
EVENTS_STREAM = "hq.events"
STREAM_ARGUMENTS = {"x-queue-type": "stream", "x-max-age": "90D", "x-max-length-bytes": 20_000_000_000}
OFFSET_HEADER = "x-stream-offset"
MAX_BATCH_DELAY = 0.5  # seconds a message waits for its batch to fill while messages keep trickling in


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


class StreamReader:
    """Reads `<prefix>hq.events` from an offset in batches of at most `batch_size` messages.

    `run(start, handle, stopping)`: `handle(list[StreamMessage])` is called with each batch (a full one, or what
    came within `linger` seconds); the batch is acked when it returns. An exception from `handle` closes the
    connection without acking: the caller reconnects from the offset its database holds.
    """

    def __init__(self, amqp_uri: str, prefix: str = "", batch_size: int = 2000, linger: float = 0.05):
        self.amqp_uri = amqp_uri
        self.prefix = prefix
        self.batch_size = batch_size
        self.linger = linger

    def run(
        self,
        start: int | str,
        handle: Callable[[list[StreamMessage]], None],
        stopping: Callable[[], bool],
        idle: Callable[[], None] | None = None,
    ) -> None:
        _exchange, stream = names(self.prefix)
        with Connection(self.amqp_uri, heartbeat=0) as conn:
            conn.ensure_connection(max_retries=3)
            channel = conn.channel()
            declare(channel, self.prefix)
            # the broker sends up to two batches ahead while one is being stored
            channel.basic_qos(0, self.batch_size * 2, False)
            pending: list = []
            channel.basic_consume(
                stream, callback=pending.append, arguments={OFFSET_HEADER: start}, no_ack=False
            )
            since = time.monotonic()
            while not stopping():
                timed_out = False
                try:
                    conn.drain_events(timeout=self.linger)
                except (socket.timeout, TimeoutError):
                    timed_out = True
                if not pending:
                    since = time.monotonic()
                    if timed_out and idle is not None:
                        idle()
                    continue
                full = len(pending) >= self.batch_size
                if not (full or timed_out or time.monotonic() - since > MAX_BATCH_DELAY):
                    continue
                batch, pending[:] = list(pending), []
                handle([_as_stream_message(m) for m in batch])
                channel.basic_ack(batch[-1].delivery_tag, multiple=True)
                since = time.monotonic()
