"""nameko extensions of the kit: the `on_event` entrypoint and signed orders (the database, relay,
notification and seeding providers are in kit.providers).

class Service(KitEndpoints):
    name = names.WORKSHOP
    db = Database(models.Base.metadata)
    orders = SignedOrders()

    @on_event(names.ORDER_SIGNED)
    def take_signed_order(self, event):
        self.db.handle(event, handlers.take_signed_order, self.orders.verify)
"""

from __future__ import annotations

import logging
import threading
from functools import partial

import eventlet
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer, QueueConsumer
from sqlalchemy import exc as sa_exc

from contracts import ContractError, load_message

from . import bus, metrics
from .config import Settings
from .errors import PermanentError

log = logging.getLogger(__name__)
try:  # a statement cancelled by its timeout is an OperationalError too, but no outage
    from psycopg2.errors import QueryCanceled as _QUERY_CANCELED
except ImportError:  # pragma: no cover - psycopg2 is a dependency
    _QUERY_CANCELED = ()


class DeadLetteringQueueConsumer(QueueConsumer):
    """nameko's queue consumer, except that a body that cannot even be decoded is dead-lettered
    instead of killing the consumer thread (and with it the service)."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for consumer in consumers:
            consumer.on_decode_error = partial(self._on_decode_error, consumer)
        return consumers

    def _on_decode_error(self, consumer, message, exc):
        provider = next((p for p in self._providers if any(q.name == p.queue.name for q in consumer.queues)), None)
        if provider is None:  # pragma: no cover - every consumer belongs to a provider
            message.reject(requeue=False)
            return
        provider.dead_letter_now(message, f"undecodable body: {exc}")
        self.ack_message(message)


def refused_for_good(exc: BaseException) -> bool:
    """A refusal (PermanentError) or a broken contract found by the handler: no retry can help, so the message is
    dead-lettered at once with its reason."""
    return isinstance(exc, PermanentError | ContractError)


class EventConsumer(Consumer):
    """Consume one event type: check its contract, hand a valid envelope to the worker, and route failures.

    - contract broken (malformed, unknown type or version) or PermanentError: dead-letter at once;
    - any other error: requeue, up to MAX_DELIVERY_ATTEMPTS deliveries, then dead-letter with the error;
    - success: ack (after the unit of work committed, since the worker returns only then).
    """

    queue_consumer = DeadLetteringQueueConsumer()

    def __init__(self, event_type: str, **kwargs):
        self.event_type = event_type
        super().__init__(queue=None, requeue_on_error=True, **kwargs)

    def setup(self):
        self.settings = Settings.load(self.container.config)
        self.queue = bus.consumer_queue(self.settings.bus_namespace, self.container.service_name, self.event_type)
        self._dead_letter_connection = None
        self._dead_letter_lock = threading.Lock()
        super().setup()

    def stop(self):
        super().stop()
        if self._dead_letter_connection is not None:
            self._dead_letter_connection.release()

    def handle_message(self, body, message):
        try:
            event = load_message(body, expected_type=self.event_type)
        except ContractError as exc:
            self.dead_letter_now(message, f"contract: {exc}")
            self.queue_consumer.ack_message(message)
            return
        context_data = self.unpack_message_headers(message)
        try:
            self.container.spawn_worker(
                self, (event,), {}, context_data=context_data, handle_result=partial(self.handle_result, message)
            )
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def handle_message_processed(self, message, result=None, exc_info=None):
        if exc_info is None:
            metrics.EVENTS_HANDLED.labels(self.container.service_name, self.event_type).inc()
            self.queue_consumer.ack_message(message)
            return
        metrics.EVENTS_FAILED.labels(self.container.service_name, self.event_type).inc()
        exc = exc_info[1]
        attempt = delivery_attempt(message)
        if refused_for_good(exc):
            self.dead_letter_now(message, f"refused: {exc}", attempt)
            self.queue_consumer.ack_message(message)
        elif infrastructure_away(exc) and attempt < OUTAGE_ATTEMPTS:
            # the database (restarting, failing over) is away, not this message: wait before the next attempt, and
            # give it the attempts of an outage of a minute or two rather than five in a few milliseconds
            log.warning("%s: attempt %d: the database is away (%s); requeued", self.queue.name, attempt, exc)
            eventlet.sleep(outage_pause(attempt))
            self.queue_consumer.requeue_message(message)
        elif attempt >= self.settings.max_delivery_attempts:
            self.dead_letter_now(
                message, f"failed {attempt} times, last error: {exc.__class__.__name__}: {exc}", attempt
            )
            self.queue_consumer.ack_message(message)
        else:
            log.warning("%s: attempt %d failed (%s); requeued", self.queue.name, attempt, exc)
            self.queue_consumer.requeue_message(message)

    def dead_letter_now(self, message, reason: str, attempt: int | None = None):
        log.error("%s: dead-lettering message: %s", self.queue.name, reason)
        metrics.EVENTS_DEAD_LETTERED.labels(self.container.service_name, self.event_type).inc()
        with self._dead_letter_lock:
            if self._dead_letter_connection is None:
                self._dead_letter_connection = bus.confirming_connection(self.settings.amqp_uri)
            self._publish_dead_letter(message, reason, attempt)

    def _publish_dead_letter(self, message, reason, attempt):
        bus.dead_letter(
            self._dead_letter_connection,
            self.settings.bus_namespace,
            self.container.service_name,
            body=message.body,
            content_type=message.content_type,
            headers=message.headers,
            reason=reason,
            source_queue=self.queue.name,
            attempts=attempt or delivery_attempt(message),
        )


# With outage_pause, about a minute and a half; below the quorum queues' own delivery limit, which would otherwise
# dead-letter the message (reason delivery_limit) before this consumer had its last try.
OUTAGE_ATTEMPTS = bus.BROKER_DELIVERY_LIMIT - 1


def infrastructure_away(exc: BaseException) -> bool:
    """The database could not be reached or dropped the connection (a restart, a failover): the message may well
    go through on a later attempt. A statement the database refused (a constraint, a bad value) is not this."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) and not isinstance(
        exc.orig, _QUERY_CANCELED
    )


def outage_pause(attempt: int) -> float:
    return min(0.5 * attempt, 10.0)


def delivery_attempt(message) -> int:
    """1 on first delivery; quorum queues count redeliveries in `x-delivery-count`."""
    return int((message.headers or {}).get("x-delivery-count", 0)) + 1


on_event = EventConsumer.decorator


class SignedOrders(DependencyProvider):
    """`self.orders.verify(signed)` in workshop, parts and billing; `self.orders.sign(body)` in reception."""

    def __init__(self, *, signer: bool = False):
        self.signer = signer

    def setup(self):
        from .orders import OrderSigner, OrderVerifier

        key_dir = Settings.load(self.container.config).signing_key_dir
        self.impl = OrderSigner(key_dir) if self.signer else OrderVerifier(key_dir)

    def get_dependency(self, worker_ctx):
        return self.impl
