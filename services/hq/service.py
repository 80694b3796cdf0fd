"""The dealer group's HQ 集团总部: every store's events from the `hq.events` stream on the HQ's vhost into its own
database, and the group dashboard. Not a department of a line: `python -m kit.serve hq`.

The nameko class and the stream reader only: the use cases are in handlers/, the pages in web/."""

from __future__ import annotations

import logging
from pathlib import Path

from eventlet.green import threading

from contracts import names
from kit import hq_reader, streams
from kit.config import Settings
from kit.providers import Database, _UsesDatabase
from kit.service import KitEndpoints

from .handlers import ingest
from .models import Base
from .permissions import PERMISSIONS
from .web.dashboard import DashboardEndpoints

log = logging.getLogger(__name__)

RETRY_SECONDS = 2.0


class StreamIngest(_UsesDatabase):
    """Reads `<HQ_STREAM_PREFIX>hq.events` on `HQ_AMQP_URI` (default AMQP_URI) from after the offset its
    database holds ("first" on a new database or after a replay), batch by batch (handlers.ingest), over the
    stream protocol when the broker's stream port answers (`HQ_STREAM_PROTOCOL`: auto, stream or amqp)."""

    def setup(self):
        self.db = self.database()
        settings = Settings.load(self.container.config)
        raw = settings.raw or {}
        self.amqp_uri = raw.get("HQ_AMQP_URI") or settings.amqp_uri
        self.prefix = raw.get("HQ_STREAM_PREFIX", "")
        self.stream = streams.names(self.prefix)[1]
        self.keys = ingest.StoreKeys(Path(raw.get("HQ_STORES_DIR") or settings.var_dir / "hq-stores"))
        self.batch_size = int(raw.get("HQ_INGEST_BATCH", 2000))
        self.protocol = raw.get("HQ_STREAM_PROTOCOL", "auto")
        self.stream_port = int(raw.get("HQ_STREAM_PORT", streams.STREAM_PORT))
        self._stopping = threading.Event()
        self._replay = threading.Event()
        if raw.get("HQ_REPLAY") == "1":
            self._replay.set()

    def start(self):
        self._stopping.clear()
        self.container.spawn_managed_thread(self._forever, identifier="hq-stream-ingest")

    def stop(self):
        self._stopping.set()

    kill = stop

    def get_dependency(self, worker_ctx):
        return self

    def replay(self) -> None:
        """Read the whole retained stream again (what is held already is ignored by its event id)."""
        self._replay.set()

    def _interrupted(self) -> bool:
        return self._stopping.is_set() or self._replay.is_set()

    def _forever(self):
        while not self._stopping.is_set():
            try:
                with self.db.engine.begin() as conn:
                    if self._replay.is_set():
                        ingest.forget_position(conn, self.stream)
                        self._replay.clear()
                    start = ingest.start_offset(conn, self.stream)
                reader = hq_reader.reader(self.amqp_uri, self.prefix, self.batch_size, self.protocol, self.stream_port)
                log.info("HQ ingest: reading %s from %s over %s", self.stream, start, reader.protocol)
                reader.run(start, self._prepare, self._store, self._interrupted)
            except Exception:  # noqa: BLE001 - the broker or database away: read again from the stored offset
                log.exception("HQ ingest interrupted; resuming from the stored offset")
                self._stopping.wait(RETRY_SECONDS)

    def _prepare(self, messages):
        return ingest.prepare(messages, self.keys)

    def _store(self, batch) -> None:
        with self.db.engine.begin() as conn:
            ingest.store(conn, batch, self.stream)


class Service(DashboardEndpoints, KitEndpoints):
    name = names.HQ
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    intake = StreamIngest(db)

    # HQ is not on a store's bus: it hears no `sessions_revoked` (a session signed by the group's staff service
    # lasts its SESSION_HOURS), so the kit's handler is replaced by a plain method (no queue on any line).
    def end_sessions(self, event):  # noqa: D102
        return None
