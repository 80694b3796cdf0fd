"""Putting messages on the real broker as a producer would (or as a faulty one would)."""

from __future__ import annotations

import json

from kombu import Connection, Producer

from contracts import build_message, producer_of
from kit import bus


def envelope(event_type: str, payload: dict, correlation_id: str = "visit-test", **kwargs) -> dict:
    return build_message(
        event_type=event_type,
        payload=payload,
        producer=producer_of(event_type),
        dealer_id="demo-4s",
        correlation_id=correlation_id,
        **kwargs,
    )


def publish_raw(
    amqp_uri: str,
    namespace: str,
    source: str,
    routing_key: str,
    body: str | bytes,
    content_type: str = "application/json",
) -> None:
    with bus.confirming_connection(amqp_uri) as conn:
        Producer(conn.channel()).publish(
            body,
            exchange=bus.events_exchange(namespace, source).name,
            routing_key=routing_key,
            mandatory=True,
            delivery_mode=2,
            content_type=content_type,
            content_encoding="utf-8",
            retry=False,
        )


def publish(amqp_uri: str, namespace: str, message: dict) -> None:
    publish_raw(
        amqp_uri, namespace, message["producer"], message["event_type"], json.dumps(message, ensure_ascii=False)
    )


def queue_depth(amqp_uri: str, name: str) -> int:
    with Connection(amqp_uri) as conn:
        return conn.default_channel.queue_declare(name, passive=True).message_count
