"""Reading a RabbitMQ stream as the group HQ does (issue 14): AMQP 0-9-1 with a prefetch and `x-stream-offset`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kombu import Connection


@dataclass(frozen=True)
class StreamMessage:
    offset: int
    body: bytes
    headers: dict
    message_id: str | None
    routing_key: str
    user_id: str | None = None  # the publisher's user, checked by the broker (a shovel's: its user at HQ)

    def json(self) -> Any:
        return json.loads(self.body)


def read_stream(
    amqp_uri: str,
    queue: str,
    offset: str | int | datetime = "first",
    *,
    until: int | None = None,
    idle: float = 2.0,
    prefetch: int = 200,
) -> list[StreamMessage]:
    """The stream's messages from `offset` ("first", "last", "next", an offset or a moment): until `until`
    messages are read, or none came for `idle` seconds (the end of what the stream holds)."""
    out: list[StreamMessage] = []
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        channel.basic_qos(0, prefetch, False)  # a stream is read with a prefetch and acknowledgements

        def take(message):
            out.append(
                StreamMessage(
                    offset=message.headers.get("x-stream-offset"),
                    body=message.body if isinstance(message.body, bytes) else message.body.encode(),
                    headers=dict(message.headers or {}),
                    message_id=message.properties.get("message_id"),
                    routing_key=message.delivery_info.get("routing_key"),
                    user_id=message.properties.get("user_id"),
                )
            )
            channel.basic_ack(message.delivery_tag)

        channel.basic_consume(queue, callback=take, arguments={"x-stream-offset": offset})
        while until is None or len(out) < until:
            try:
                conn.drain_events(timeout=idle)
            except TimeoutError:
                break
        channel.close()
    return out
