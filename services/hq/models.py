"""HQ's own tables: every store's events as received (idempotent by event id), what could not be read, and the
stream offset stored with each batch (a restart resumes after it; a replay starts from the first)."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import service_base
from kit.types import UtcDateTime

Base = service_base()


class StoreEvent(Base):
    """One event of one store, once (the primary key refuses a second copy: ON CONFLICT DO NOTHING).

    `body` is the message as the store's feed carried it (the envelope JSON, a newer version's fields included);
    `status` "refused" with `reason` for a signed order that does not verify against the store's keys."""

    __tablename__ = "store_events"
    event_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    dealer_id: Mapped[str] = mapped_column(sa.String(64))
    event_type: Mapped[str] = mapped_column(sa.String(80))
    schema_version: Mapped[int] = mapped_column(sa.Integer)
    occurred_at = mapped_column(UtcDateTime, nullable=False)
    correlation_id: Mapped[str] = mapped_column(sa.String(64))
    status: Mapped[str] = mapped_column(sa.String(12))
    reason: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    body: Mapped[str] = mapped_column(sa.Text)
    stream_offset: Mapped[int] = mapped_column(sa.BigInteger)
    # a signed order's pseudonymous customer (kit.feed; none when the store sends its customers in full): which
    # visits are a returning customer's, without reading every order's body again
    customer_ref: Mapped[str | None] = mapped_column(sa.String(80), nullable=True)
    __table_args__ = (
        sa.Index("ix_store_events_type_time", "event_type", "occurred_at"),
        sa.Index("ix_store_events_dealer", "dealer_id"),
        sa.Index("ix_store_events_customer", "dealer_id", "customer_ref"),
    )


class UnreadableMessage(Base):
    """A message of the stream HQ could not read as an event, kept as it came with why (HQ's dead letters)."""

    __tablename__ = "unreadable_messages"
    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    stream_offset: Mapped[int] = mapped_column(sa.BigInteger, unique=True)
    dealer_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    message_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    received_at = mapped_column(UtcDateTime, nullable=False)


class StreamPosition(Base):
    """The last offset of a stream whose batch is committed (in the same transaction as the batch)."""

    __tablename__ = "stream_positions"
    stream: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    last_offset: Mapped[int] = mapped_column(sa.BigInteger)
    updated_at = mapped_column(UtcDateTime, nullable=False)
