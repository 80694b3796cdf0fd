"""The broker side of the kit: topology, the outbox relay and dead-lettering (kombu only).

Topology, all durable and declared at start-up by every service (idempotent), so that an
event is never dropped because its consumer had not started yet:

    <ns><source>.events        topic exchange per producing service (nameko's naming)
    <ns><consumer>--<event>    quorum queue per subscription in contracts.events.SUBSCRIPTIONS
    <ns>hq.relayed             headers exchange to which the relays publish, for each event, its feed copy (the
                               copy that may leave the store: kit.feed redacts the customer); bound to no
                               exchange, so nothing published to a service's exchange reaches it
    <ns>hq.feed                stream (issue 14): the dealer group's feed, retained by age and size
                               (FEED_MAX_AGE, FEED_MAX_BYTES); any reader starts at any offset. It takes from
                               hq.relayed only the messages carrying the relays' mark (issue 12: a message
                               published by anyone else, forged or unreadable, never reaches the HQ)
    <ns>hq.outbound            quorum queue, bound like hq.feed: the link to HQ's vhost (a shovel, deploy/hq)
                               takes it, so the feed copies wait here while HQ or the link is down
    <ns>aftersales.dead-letter direct exchange; <ns><service>.dead-letters quorum queue each

A feed copy: body = the event envelope's JSON with its personal fields redacted (kit.feed); message_id = the
event id; headers `dealer_id`, `event_type`, `personal_data` and the mark; routing key = the event type.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext

import sqlalchemy as sa
from amqp.exceptions import ChannelError
from amqp.exceptions import ConnectionError as AMQPConnectionError
from kombu import Connection, Exchange, Producer, Queue
from kombu.exceptions import OperationalError

from contracts import names, producer_of
from contracts.events import SUBSCRIPTIONS

from . import clock as kit_clock
from . import feed as kit_feed
from .confirms import ConfirmingChannel, Outgoing
from .db import outbox_table
from .hq_topology import (  # noqa: F401 - kit.bus is where the rest of the kit and the tests find them
    HQ_FEED_MAX_LENGTH,
    HQ_MARK_HEADER,
    LEGACY_HQ_FEED_ARGS,
    declare_feed_queue,
    feed_settings,
    hq_binding,
    hq_exchange,
    hq_feed_queues,
    hq_mark,
)

log = logging.getLogger(__name__)

# Safety net only: the consumer dead-letters with the error text after MAX_DELIVERY_ATTEMPTS;
# the broker's own limit catches a message whose handler kills the process every time.
# Fixed, because a queue redeclared with other arguments fails with 406 PRECONDITION_FAILED.
BROKER_DELIVERY_LIMIT = 20
CONFIRM_TIMEOUT_SECONDS = 30.0  # a batch the broker has not confirmed by then stays pending (published again)


SUBSCRIBED_EVENTS = frozenset(event_type for types in SUBSCRIPTIONS.values() for event_type in types)


def events_exchange(ns: str, source: str) -> Exchange:
    return Exchange(f"{ns}{source}.events", type="topic", durable=True)


def dead_letter_exchange(ns: str) -> Exchange:
    return Exchange(f"{ns}aftersales.dead-letter", type="direct", durable=True)


def dead_letter_queue(ns: str, service: str) -> Queue:
    return Queue(
        f"{ns}{service}.dead-letters",
        exchange=dead_letter_exchange(ns),
        routing_key=service,
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def consumer_queue(ns: str, service: str, event_type: str) -> Queue:
    return Queue(
        f"{ns}{service}--{event_type}",
        exchange=events_exchange(ns, producer_of(event_type)),
        routing_key=event_type,
        durable=True,
        queue_arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": BROKER_DELIVERY_LIMIT,
            "x-dead-letter-exchange": dead_letter_exchange(ns).name,
            "x-dead-letter-routing-key": service,
        },
    )


def all_queues(ns: str, mark: str | None = None, settings=None) -> list[Queue]:
    queues = [consumer_queue(ns, svc, et) for svc, types in SUBSCRIPTIONS.items() for et in types]
    queues += [dead_letter_queue(ns, svc) for svc in names.SERVICES]
    queues += hq_feed_queues(ns, mark, settings)
    return queues


def declare_topology(connection: Connection, ns: str, mark: str | None = None, settings=None) -> None:
    channel = connection.default_channel
    hq = hq_exchange(ns)(channel)
    hq.declare()
    for svc in names.SERVICES:
        events = events_exchange(ns, svc)(channel)
        events.declare()
        # before issue 14 every events exchange was bound to hq.relayed: the relays publish the feed copy now
        channel.exchange_unbind(hq.name, events.name, routing_key="#")
    dead_letter_exchange(ns)(channel).declare()
    feed_queues = hq_feed_queues(ns, mark, settings)
    for queue in all_queues(ns, mark, settings):
        if queue.name not in {q.name for q in feed_queues}:
            queue(channel).declare()
    for queue in feed_queues:
        declare_feed_queue(connection, queue)
    for svc in names.SERVICES:  # the feed's old bindings (every message of every exchange) go
        connection.default_channel.queue_unbind(f"{ns}hq.feed", exchange=events_exchange(ns, svc).name, routing_key="#")


_NAMES_ONLY = type("NamesOnly", (), {"feed_max_age": "", "feed_max_bytes": 0})()  # queue names need no settings


def delete_topology(connection: Connection, ns: str) -> None:
    """Remove a namespace's queues and exchanges (tests and benchmarks clean up with this)."""
    if not ns:
        raise ValueError("refusing to delete the production topology (empty namespace)")
    channel = connection.default_channel
    for name in {q.name for q in all_queues(ns, mark="-", settings=_NAMES_ONLY)}:
        channel.queue_delete(name)
    channel.exchange_delete(hq_exchange(ns).name)
    for svc in names.SERVICES:
        channel.exchange_delete(events_exchange(ns, svc).name)
    channel.exchange_delete(dead_letter_exchange(ns).name)


def confirming_connection(amqp_uri: str) -> Connection:
    return Connection(amqp_uri, transport_options={"confirm_publish": True}, connect_timeout=5, heartbeat=0)


# --- outbox relay ---------------------------------------------------------------------------


class OutboxRelay:
    """Publishes committed outbox rows with publisher confirms; marks a row sent only after its confirm.

    A row that cannot be routed (no queue bound) or published stays pending and is retried;
    consumers' inboxes absorb the duplicates a crash between confirm and mark may cause.
    """

    def __init__(
        self,
        engine: sa.Engine,
        metadata: sa.MetaData,
        *,
        amqp_uri: str,
        namespace: str,
        sleep: Callable[[float], None] = time.sleep,
        feed_key: bytes | None = None,
        feed_mode: str | None = None,
    ):
        self.engine = engine
        self.outbox = outbox_table(metadata)
        self._pending_statements: dict[int, sa.Select] = {}
        # built once: built per round, the statement cost more than the update it runs
        self._mark_published = (
            self.outbox.update()
            .where(self.outbox.c.id.in_(sa.bindparam("ids", expanding=True)))
            .values(published_at=sa.bindparam("published_at"))
        )
        self.amqp_uri = amqp_uri
        self.namespace = namespace
        self.mark = hq_mark(namespace)
        self.feed_key, self.feed_mode = feed_settings(feed_key, feed_mode)
        self.sleep = sleep
        self._channel: ConfirmingChannel | None = None

    def _ensure_channel(self) -> ConfirmingChannel:
        if self._channel is None:
            self._channel = ConfirmingChannel(self.amqp_uri, timeout=CONFIRM_TIMEOUT_SECONDS)
        return self._channel

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
        self._channel = None

    def pending_count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(self.outbox).where(self.outbox.c.published_at.is_(None))
            ).scalar_one()

    def publish_pending(self, batch: int = 200) -> int:
        """Publish up to `batch` pending rows in commit order; returns how many were confirmed.

        On PostgreSQL the rows are claimed `FOR UPDATE SKIP LOCKED` until they are marked (one transaction), so
        that several instances of a service relay each row once: another instance skips the rows this one holds.
        SQLite has one writer and one instance: rows are read, published, then marked in a transaction of its own."""
        pending = self._pending(batch)
        if self.engine.dialect.name != "postgresql":
            with self.engine.connect() as conn:
                rows = conn.execute(pending).all()
            return self._relay(rows, self.engine.begin)
        with self.engine.begin() as conn:
            rows = conn.execute(pending.with_for_update(skip_locked=True)).all()
            return self._relay(rows, lambda: nullcontext(conn))

    def _pending(self, batch: int) -> sa.Select:
        """The pending rows' statement, built once per batch size (built per round, it costs more than it runs)."""
        if batch not in self._pending_statements:
            self._pending_statements[batch] = (
                sa.select(self.outbox.c.id, self.outbox.c.event_type, self.outbox.c.body)
                .where(self.outbox.c.published_at.is_(None))
                .order_by(self.outbox.c.id)
                .limit(batch)
            )
        return self._pending_statements[batch]

    def _relay(self, rows, marking) -> int:
        if not rows:
            return 0
        confirmed: list[int] = []
        failed: dict[int, str] = {}
        try:
            self._publish(rows, confirmed, failed)
        finally:
            if confirmed or failed:
                with marking() as conn:
                    self._mark(conn, confirmed, failed)
        return len(confirmed)

    def messages(self, row) -> list[Outgoing]:
        """What one outbox row is published as. A row counts as published once the broker confirmed every one of
        its messages and returned none: an extra copy of a row, to another exchange, is one more entry here."""
        message = json.loads(row.body)
        headers = {"event_type": row.event_type, "correlation_id": message["correlation_id"]}
        exchange = events_exchange(self.namespace, message["producer"]).name
        feed_body, feed_headers = self.feed_copy(row, message)  # issue 14: what leaves the store, with the mark
        # Mandatory where the contracts name a consumer: a missing consumer queue keeps the row pending (NO_ROUTE).
        # An event no service subscribes to (followup_scheduled, complaint_opened, ...) is for the HQ feed only:
        # its feed copy, always mandatory, is what must be routed.
        subscribed = row.event_type in SUBSCRIBED_EVENTS
        return [
            Outgoing(row.id, exchange, row.event_type, row.body, headers, message["event_id"], mandatory=subscribed),
            Outgoing(
                row.id, hq_exchange(self.namespace).name, row.event_type, feed_body, feed_headers, message["event_id"]
            ),
        ]

    def _publish(self, rows, confirmed: list[int], failed: dict[int, str]) -> None:
        """Every message of every row published, then the confirms waited for (kit.confirms). A channel error
        (an exchange missing closes the channel) leaves the rows not yet confirmed to a second pass, one row at
        a time, which tells the row at fault from the others."""
        try:
            try:
                self._publish_batch(rows, confirmed, failed)
            except ChannelError:
                self.close()
                for row in [r for r in rows if r.id not in confirmed and r.id not in failed]:
                    try:
                        self._publish_batch([row], confirmed, failed)
                    except ChannelError as exc:
                        # NO_ROUTE for a mandatory message, or the exchange is missing (404): keep the row and
                        # try again later; the channel is closed, so reconnect.
                        failed[row.id] = str(exc)
                        self.close()
        except (OSError, ConnectionError, AMQPConnectionError, OperationalError) as exc:
            log.warning("outbox relay: broker unavailable (%s); %d rows stay pending", exc, len(rows) - len(confirmed))
            self.close()

    def _publish_batch(self, rows, confirmed: list[int], failed: dict[int, str]) -> None:
        ok, refused = self._ensure_channel().publish([m for row in rows for m in self.messages(row)])
        confirmed.extend(row.id for row in rows if row.id in ok)
        failed.update(refused)

    def feed_copy(self, row, message: dict | None = None) -> tuple[str | bytes, dict]:
        """The copy of an outbox row for the dealer group's feed: the envelope with the customer redacted
        (kit.feed, FEED_PERSONAL_DATA) and the relays' mark, which alone lets it into hq.feed and hq.outbound."""
        message = json.loads(row.body) if message is None else message
        body = kit_feed.feed_body(row.body, message, self.feed_key, self.feed_mode)
        headers = {
            "dealer_id": message["dealer_id"],
            "event_type": row.event_type,
            "personal_data": self.feed_mode,
            HQ_MARK_HEADER: self.mark,
        }
        return body, headers

    def _mark(self, conn, confirmed: list[int], failed: dict[int, str]) -> None:
        if confirmed:
            conn.execute(self._mark_published, {"ids": confirmed, "published_at": kit_clock.now()})
        for row_id, error in failed.items():
            log.warning("outbox relay: row %s not routed: %s", row_id, error)
            conn.execute(
                self.outbox.update()
                .where(self.outbox.c.id == row_id)
                .values(attempts=self.outbox.c.attempts + 1, last_error=error[:500])
            )


# --- dead letters -----------------------------------------------------------------------------


def dead_letter(
    connection: Connection,
    ns: str,
    service: str,
    *,
    body: bytes | str,
    content_type: str,
    headers: dict,
    reason: str,
    source_queue: str,
    attempts: int,
) -> None:
    """Keep a message that cannot be handled, with why, in the service's dead-letter queue."""
    producer = Producer(connection.default_channel)
    producer.publish(
        body,
        exchange=dead_letter_exchange(ns).name,
        routing_key=service,
        mandatory=True,
        delivery_mode=2,
        content_type=content_type or "application/octet-stream",
        content_encoding="utf-8" if content_type else "binary",
        headers={
            **{k: v for k, v in (headers or {}).items() if not k.startswith("x-")},
            "x-error": reason[:2000],
            "x-original-queue": source_queue,
            "x-attempts": attempts,
            "x-dead-lettered-at": kit_clock.now().isoformat(),
        },
        retry=True,
        retry_policy={"max_retries": 3},
    )


def peek_dead_letters(amqp_uri: str, ns: str, service: str, limit: int = 50) -> list[dict]:
    """Read the dead-letter queue without consuming it (messages are returned to the queue)."""
    out = []
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        queue = dead_letter_queue(ns, service)(channel)
        taken = []
        for _ in range(limit):
            message = queue.get(
                no_ack=False, accept=["json", "application/json", "text/plain", "application/octet-stream"]
            )
            if message is None:
                break
            taken.append(message)
            headers = dict(message.headers or {})
            out.append(
                {
                    "error": headers.get("x-error") or _first_death_reason(headers),
                    "original_queue": headers.get("x-original-queue") or _first_death_queue(headers),
                    "attempts": headers.get("x-attempts"),
                    "dead_lettered_at": headers.get("x-dead-lettered-at"),
                    "body": message.body.decode("utf-8", "replace")
                    if isinstance(message.body, bytes)
                    else message.body,
                }
            )
        for message in taken:
            message.requeue()
        channel.close()
    return out


def _first_death_reason(headers: dict) -> str | None:
    reason = headers.get("x-first-death-reason")
    return f"broker: {reason}" if reason else None


def _first_death_queue(headers: dict) -> str | None:
    return headers.get("x-first-death-queue")
