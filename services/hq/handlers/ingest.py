"""Ingest: a batch of stream messages into HQ's database in one transaction, idempotent by event id.

- every message read by the tolerant reader (domain.intake): events of any type and version are kept;
  unreadable ones are kept with the reason (`unreadable_messages`), never dropped;
- signed orders (order_signed, order_amended) verified against the publishing store's keys
  (`HQ_STORES_DIR/<dealer_id>/order-signing-<key id>.pub`, its `revoked-keys.json`); one that does not verify is
  kept as refused with the reason and counted nowhere;
- PostgreSQL: the batch COPYed into a temporary table, then one INSERT … SELECT … ON CONFLICT (event_id) DO
  NOTHING; SQLite: executemany with the same conflict clause;
- the batch's last offset is stored in the same transaction: a restart resumes after it.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kit import signing
from kit.types import utcnow

from ..domain import intake
from ..models import StoreEvent, StreamPosition, UnreadableMessage

log = logging.getLogger(__name__)

EVENT_COLUMNS = (
    "event_id",
    "dealer_id",
    "event_type",
    "schema_version",
    "occurred_at",
    "correlation_id",
    "status",
    "reason",
    "body",
    "stream_offset",
    "customer_ref",
)


class StoreKeys:
    """Each store's published order-signing keys, read from `<stores dir>/<dealer_id>/` (read again when a key
    id is not known yet: a store's new key is a new file there, no restart)."""

    def __init__(self, stores_dir: Path):
        self.stores_dir = Path(stores_dir)
        self._keys: dict[str, tuple[dict, dict]] = {}

    def _load(self, dealer_id: str) -> tuple[dict, dict]:
        folder = self.stores_dir / dealer_id
        if dealer_id in {"", ".", ".."} or "/" in dealer_id or not folder.is_dir():
            return {}, {}
        return signing.load_trusted_keys(folder), signing.load_revoked(folder)

    def of(self, dealer_id: str, key_id: str | None = None) -> tuple[dict, dict]:
        if dealer_id not in self._keys or (key_id and key_id not in self._keys[dealer_id][0]):
            self._keys[dealer_id] = self._load(dealer_id)
        return self._keys[dealer_id]

    def check(self, event: intake.Event) -> intake.Event:
        """The event, or the event refused with why its signed order does not verify."""
        signed = intake.signed_order_of(event)
        if signed is None:
            return event
        trusted, revoked = self.of(event.dealer_id, signed.get("key_id") if isinstance(signed, dict) else None)
        if not trusted:
            return intake.refused(event, f"no published order-signing key for store {event.dealer_id!r}")
        try:
            signing.verify(signed, trusted, revoked)
        except signing.SignatureInvalid as exc:
            return intake.refused(event, str(exc))
        except Exception as exc:  # noqa: BLE001 - a malformed signed envelope is refused, never a crash
            return intake.refused(event, f"signed order unreadable: {exc.__class__.__name__}: {exc}")
        return event


def prepare(messages, keys: StoreKeys) -> intake.Batch:
    """Stream messages (kit.streams.StreamMessage) -> a batch of checked events and unreadable messages."""
    items = [intake.read(m.offset, m.body, m.headers, m.message_id) for m in messages]
    batch = intake.batch_of(items)
    batch.events = [keys.check(event) for event in batch.events]
    return batch


def _event_row(event: intake.Event) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "dealer_id": event.dealer_id[:64],
        "event_type": event.event_type,
        "schema_version": event.schema_version,
        "occurred_at": event.occurred_at,
        "correlation_id": event.correlation_id,
        "status": event.status,
        "reason": event.reason,
        "body": event.body,
        "stream_offset": event.offset,
        "customer_ref": event.customer_ref,
    }


def store(conn: sa.Connection, batch: intake.Batch, stream: str) -> int:
    """Write the batch and the stream's position (the caller's transaction); returns the events new to HQ."""
    now = utcnow()
    inserted = 0
    if batch.events and conn.dialect.name == "postgresql":
        inserted = _copy_in_postgresql(conn, batch.events)
    elif batch.events:
        statement = sqlite_insert(StoreEvent.__table__).on_conflict_do_nothing(index_elements=["event_id"])
        inserted = conn.execute(statement, [_event_row(e) for e in batch.events]).rowcount
    if batch.unreadable:
        insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
        conn.execute(
            insert(UnreadableMessage.__table__).on_conflict_do_nothing(index_elements=["stream_offset"]),
            [
                {
                    "stream_offset": u.offset,
                    "dealer_id": (u.dealer_id or "")[:64] or None,
                    "message_id": (u.message_id or "")[:64] or None,
                    "reason": u.reason,
                    "body": u.body,
                    "received_at": now,
                }
                for u in batch.unreadable
            ],
        )
        for u in batch.unreadable:
            log.warning("HQ ingest: offset %s kept as unreadable: %s", u.offset, u.reason)
    if batch.last_offset >= 0:
        save_position(conn, stream, batch.last_offset)
    return inserted


def _esc(text: str) -> str:
    """COPY's text format: backslash, tab and line breaks escaped (str.replace: C speed, also for Chinese)."""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_line(e: intake.Event) -> str:
    """One row of COPY's text format (tab-separated; backslash, tab and line breaks escaped; NULL as \\N)."""
    reason = "\\N" if e.reason is None else _esc(e.reason)
    ref = "\\N" if e.customer_ref is None else _esc(e.customer_ref)
    return (
        f"{e.event_id}\t{_esc(e.dealer_id[:64])}\t{_esc(e.event_type)}\t{e.schema_version}\t"
        f"{e.occurred_at.isoformat()}\t{_esc(e.correlation_id)}\t{e.status}\t{reason}\t{_esc(e.body)}\t{e.offset}\t"
        f"{ref}\n"
    )


def _copy_in_postgresql(conn: sa.Connection, events: list[intake.Event]) -> int:
    """COPY the batch into a temporary table, then one INSERT … SELECT … ON CONFLICT DO NOTHING."""
    columns = ", ".join(EVENT_COLUMNS)
    text = "".join(map(_copy_line, events))
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS incoming_events (LIKE store_events INCLUDING DEFAULTS) "
            "ON COMMIT DELETE ROWS"
        )
        cursor.copy_expert(f"COPY incoming_events ({columns}) FROM STDIN", io.StringIO(text))
        cursor.execute(
            f"INSERT INTO store_events ({columns}) SELECT {columns} FROM incoming_events "
            "ON CONFLICT (event_id) DO NOTHING"
        )
        return cursor.rowcount
    finally:
        cursor.close()


def save_position(conn: sa.Connection, stream: str, offset: int) -> None:
    table = StreamPosition.__table__
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(stream=stream, last_offset=offset, updated_at=utcnow())
    highest = sa.func.greatest if conn.dialect.name == "postgresql" else sa.func.max  # never moves back
    later = highest(table.c.last_offset, statement.excluded.last_offset)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["stream"], set_={"last_offset": later, "updated_at": statement.excluded.updated_at}
        )
    )


def position(conn: sa.Connection, stream: str) -> int | None:
    return conn.execute(sa.select(StreamPosition.last_offset).where(StreamPosition.stream == stream)).scalar()


def start_offset(conn: sa.Connection, stream: str) -> int | str:
    """Where a reader starts: after the stored offset, or "first" (nothing stored: the whole retained history)."""
    last = position(conn, stream)
    return "first" if last is None else last + 1


def forget_position(conn: sa.Connection, stream: str) -> None:
    """A replay: the next start reads the stream from its first retained message (events already held are
    ignored by their id)."""
    conn.execute(sa.delete(StreamPosition.__table__).where(StreamPosition.stream == stream))
