"""The kit's nameko dependency providers, one job each. A service declares the ones it uses:

class Service(KitEndpoints):
    name = names.BOOKING
    db = Database(Base.metadata)                   # engine, sessions, migrations, health
    relay = OutboxRelay(db)                        # publishes the outbox after each commit
    notifications = Notifications(db)              # sends queued customer notifications (kit.notify)
    seeding = Seeding(db, seed.demo_data)          # reference (and demo) data when SEED asks for it

nameko sets providers up side by side and starts them only when every one is set up. The set-up steps
run as one provider ran them before: the migrations (Database) first, then the broker topology
(OutboxRelay) and the seed data (Seeding), one at a time; so the schema is migrated, the topology declared
and the data seeded before any entrypoint starts or the first event is published.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

import eventlet.event
import eventlet.semaphore
import sqlalchemy as sa
from eventlet.green import threading  # green with or without monkey-patching (nameko run patches)
from kombu import Connection
from nameko.extensions import DependencyProvider

from . import bus, notify
from .config import Settings
from .db import make_engine, migrate, migrate_in_child, migrated_at_start, outbox_table
from .health import CachedCheck
from .types import utcnow
from .uow import Work, session_factory_for

log = logging.getLogger(__name__)

IDLE_POLL_SECONDS = 1.0
RELAY_BATCH = 200  # outbox rows a relay round reads at most


class Database(DependencyProvider):
    """The service's own database: engine, migrations, a unit of work per worker, and health.

    Workers get a `kit.uow.Work`; after a commit that emitted events or queued notifications it wakes
    whoever asked (`on_commit`): the relay and the notification sender.
    """

    def __init__(self, metadata: sa.MetaData):
        self.metadata = metadata
        self._listeners: list = []
        self._ready = eventlet.event.Event()
        self._turn = eventlet.semaphore.Semaphore(1)

    def setup(self):
        self.service = self.container.service_name
        self.settings = Settings.load(self.container.config)
        self.broker_check = CachedCheck(self._probe_broker)  # /healthz: a broker connection every 5 s at most
        try:
            url = self.settings.database_url(self.service)
            self.engine = make_engine(url, pool_size=max(self.container.max_workers + 2, 5))
            if not migrated_at_start(url):  # kit.serve migrates in a child first (migrate_before_start)
                migrate(self.service, self.engine, self.metadata)
            self.session_factory = session_factory_for(self.engine, self.metadata)
        except BaseException as exc:
            self._ready.send_exception(exc)
            raise
        self._ready.send(True)

    @contextmanager
    def after_migrations(self):
        """For providers whose setup needs the migrated schema. nameko sets providers up side by side; this
        runs their steps one at a time after the migrations (as one provider did before), so that a slow step
        cannot starve another's broker handshake."""
        self._ready.wait()
        with self._turn:
            yield

    def on_commit(self, callback) -> None:
        self._listeners.append(callback)

    def _committed(self) -> None:
        for callback in self._listeners:
            callback()

    def stop(self):
        if hasattr(self, "engine"):
            self.engine.dispose()

    kill = stop

    def work(self, consumer: str | None = None) -> Work:
        return Work(
            self.session_factory,
            service=self.service,
            dealer_id=self.settings.dealer_id,
            consumer=consumer,
            after_commit=self._committed,
        )

    def get_dependency(self, worker_ctx):
        work = self.work(consumer=f"{self.service}.{worker_ctx.entrypoint.method_name}")
        work.health = self.health
        return work

    def health(self) -> dict:
        state = {"database": "ok", "broker": "ok", "outbox_pending": None}
        outbox = outbox_table(self.metadata)
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
                state["outbox_pending"] = conn.execute(
                    sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
                ).scalar_one()
        except Exception as exc:  # noqa: BLE001
            state["database"] = f"error: {exc.__class__.__name__}: {exc}"[:300]
        state["broker"] = self.broker_check()
        return state

    def _probe_broker(self) -> str:
        try:
            with Connection(self.settings.amqp_uri, connect_timeout=3) as conn:
                conn.ensure_connection(max_retries=1)
        except Exception as exc:  # noqa: BLE001
            return f"error: {exc.__class__.__name__}: {exc}"[:300]
        return "ok"


def migrate_before_start(service_cls: type, config: dict) -> None:
    """Each `Database` the service declares, migrated in a forked child before the container starts
    (kit.db.migrate_in_child: the migration tool's memory goes with the child)."""
    settings = Settings.load(config)
    declared = {id(value): value for value in (getattr(service_cls, name) for name in dir(service_cls))}
    for db in declared.values():
        if isinstance(db, Database):
            migrate_in_child(service_cls.name, settings.database_url(service_cls.name), db.metadata)


class _UsesDatabase(DependencyProvider):
    """A provider built on the service's `Database` (declared on the same class)."""

    def __init__(self, db: Database):
        # Kept in a tuple: an extension held as an attribute would be bound again as a sub-extension
        # (a second engine); the container's bound copy is looked up instead.
        self._declared = (db,)

    def database(self) -> Database:
        declared = self._declared[0]
        for dependency in self.container.dependencies:
            if isinstance(dependency, Database) and dependency.attr_name == declared.attr_name:
                return dependency
        raise LookupError(f"{type(self).__name__}: declare its Database on the service class")


class _Sender(_UsesDatabase):
    """A managed thread that sends what committed units of work left behind: at once when woken after a
    commit, and every second anyway (which picks up rows left by a crash or a failed round)."""

    thread_name = "sender"

    def __init__(self, db: Database):
        super().__init__(db)
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def setup(self):
        self.db = self.database()
        self.settings = Settings.load(self.container.config)
        self.db.on_commit(self._wake.set)

    def start(self):
        self._stopping.clear()
        self.container.spawn_managed_thread(self._forever, identifier=self.thread_name)

    def stop(self):
        self._stopping.set()
        self._wake.set()

    kill = stop

    def _forever(self):
        while not self._stopping.is_set():
            self._wake.wait(IDLE_POLL_SECONDS)
            self._wake.clear()
            try:
                self.send_round()
            except Exception:  # noqa: BLE001 - the sender must outlive any one bad round
                log.exception("%s round failed; rows stay pending", self.thread_name)
                self._stopping.wait(IDLE_POLL_SECONDS)

    def send_round(self) -> None:
        raise NotImplementedError


class OutboxRelay(_Sender):
    """Publishes committed outbox rows with publisher confirms, mandatory, in commit order (kit.bus)."""

    thread_name = "outbox-relay"

    def setup(self):
        super().setup()
        # Every queue an event goes to exists before the first publish (mandatory) and before any consumer
        # starts, whichever service starts first; declaring is idempotent.
        with self.db.after_migrations():
            with bus.confirming_connection(self.settings.amqp_uri) as conn:
                bus.declare_topology(conn, self.settings.bus_namespace)

    def start(self):
        self.relay = bus.OutboxRelay(
            self.db.engine, self.db.metadata, amqp_uri=self.settings.amqp_uri, namespace=self.settings.bus_namespace
        )
        super().start()

    def stop(self):
        super().stop()
        if hasattr(self, "relay"):
            self.relay.close()

    kill = stop

    def send_round(self) -> None:
        # Another round only after a full batch: a commit during this one wakes the sender again, so reading the
        # outbox once more to find it empty (a statement per wake) is not needed to miss nothing.
        while self.relay.publish_pending(RELAY_BATCH) >= RELAY_BATCH and not self._stopping.is_set():
            pass


class Notifications(_Sender):
    """Sends queued customer notifications (kit.notify) on the channel the settings configure."""

    thread_name = "notification-sender"

    def setup(self):
        super().setup()
        self.channel = notify.channel_from_settings(self.settings.raw)

    def send_round(self) -> None:
        notify.send_pending(self.db.engine, self.db.metadata, self.channel, utcnow)


class Seeding(_UsesDatabase):
    """Reference data (SEED=reference) or reference and demo data (SEED=demo), before the service starts.

    `seed(work, demo=...)` must be idempotent: every start runs it again.
    """

    def __init__(self, db: Database, seed):
        super().__init__(db)
        self.seed = seed

    def setup(self):
        setting = Settings.load(self.container.config).seed
        if setting in ("reference", "demo"):
            db = self.database()
            with db.after_migrations():
                self.seed(db.work(), demo=setting == "demo")
