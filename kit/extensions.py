"""nameko extensions of the kit: the `Database` dependency, the `on_event` entrypoint, signed orders.

class Service(KitEndpoints):
    name = names.WORKSHOP
    db = Database(models.Base.metadata, seed=seed.reference_data)
    orders = SignedOrders()

    @on_event(names.ORDER_SIGNED)
    def take_signed_order(self, event):
        self.db.handle(event, handlers.take_signed_order, self.orders.verify)
"""

from __future__ import annotations

import logging
import threading
from functools import partial

import sqlalchemy as sa
from kombu import Connection
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer, QueueConsumer

from contracts import ContractError, load_message

from . import bus, notify
from .config import Settings
from .db import make_engine, migrate
from .errors import PermanentError
from .types import utcnow
from .uow import Work, session_factory_for

log = logging.getLogger(__name__)

RELAY_IDLE_POLL_SECONDS = 1.0


class Database(DependencyProvider):
    """The service's own database, its outbox relay and the broker topology it relies on.

    On setup: migrate the schema, declare the topology, seed reference data if asked.
    While running: a managed thread publishes outbox rows as soon as a unit of work commits
    (and every second anyway, which picks up rows left by a crash).
    """

    def __init__(self, metadata: sa.MetaData, *, seed=None):
        self.metadata = metadata
        self.seed = seed
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def setup(self):
        self.service = self.container.service_name
        self.settings = Settings.load(self.container.config)
        self.engine = make_engine(
            self.settings.database_url(self.service), pool_size=max(self.container.max_workers + 2, 5)
        )
        migrate(self.service, self.engine, self.metadata)
        self.session_factory = session_factory_for(self.engine, self.metadata)
        with bus.confirming_connection(self.settings.amqp_uri) as conn:
            bus.declare_topology(conn, self.settings.bus_namespace)
        self.channel = notify.channel_from_settings(self.settings.raw)
        self.relay = bus.OutboxRelay(
            self.engine, self.metadata, amqp_uri=self.settings.amqp_uri, namespace=self.settings.bus_namespace
        )
        if self.seed and self.settings.seed in ("reference", "demo"):
            self.seed(self.work(), demo=self.settings.seed == "demo")

    def start(self):
        self._stopping.clear()
        self.container.spawn_managed_thread(self._relay_forever, identifier="outbox-relay")

    def stop(self):
        self._stopping.set()
        self._wake.set()
        self.relay.close()
        self.engine.dispose()

    kill = stop

    def _relay_forever(self):
        while not self._stopping.is_set():
            self._wake.wait(RELAY_IDLE_POLL_SECONDS)
            self._wake.clear()
            try:
                while self.relay.publish_pending() and not self._stopping.is_set():
                    pass
                notify.send_pending(self.engine, self.metadata, self.channel, utcnow)
            except Exception:  # noqa: BLE001 - the relay must outlive any one bad round
                log.exception("outbox relay round failed; rows stay pending")
                self._stopping.wait(RELAY_IDLE_POLL_SECONDS)

    def work(self, consumer: str | None = None) -> Work:
        return Work(
            self.session_factory,
            service=self.service,
            dealer_id=self.settings.dealer_id,
            consumer=consumer,
            after_commit=self._wake.set,
        )

    def get_dependency(self, worker_ctx):
        work = self.work(consumer=f"{self.service}.{worker_ctx.entrypoint.method_name}")
        work.health = self.health
        return work

    # health --------------------------------------------------------------------------
    def health(self) -> dict:
        state = {"database": "ok", "broker": "ok", "outbox_pending": None}
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            state["outbox_pending"] = self.relay.pending_count()
        except Exception as exc:  # noqa: BLE001
            state["database"] = f"error: {exc.__class__.__name__}: {exc}"[:300]
        try:
            with Connection(self.settings.amqp_uri, connect_timeout=3) as conn:
                conn.ensure_connection(max_retries=1)
        except Exception as exc:  # noqa: BLE001
            state["broker"] = f"error: {exc.__class__.__name__}: {exc}"[:300]
        return state


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
            self.queue_consumer.ack_message(message)
            return
        exc = exc_info[1]
        attempt = delivery_attempt(message)
        if isinstance(exc, PermanentError):
            self.dead_letter_now(message, f"refused: {exc}", attempt)
            self.queue_consumer.ack_message(message)
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
