"""The dashboard's reads: the events that feed the figures, the figures (domain.figures), and the state of the
intake (what is held, what was refused or unreadable, where the reader stands)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..domain import figures as rules
from ..models import StoreEvent, StreamPosition, UnreadableMessage

PROMISE_LOOKBACK_DAYS = 60  # order versions this far before the period give the promise of a car ready in it


def _utc(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)


def facts(session, first: date, last: date, tz: ZoneInfo, dealer_id: str | None = None) -> list[rules.Fact]:
    since = _utc(first - timedelta(days=PROMISE_LOOKBACK_DAYS), tz)
    until = _utc(last + timedelta(days=1), tz)
    query = sa.select(StoreEvent.dealer_id, StoreEvent.event_type, StoreEvent.occurred_at, StoreEvent.body).where(
        StoreEvent.event_type.in_(rules.FIGURE_TYPES),
        StoreEvent.status == "accepted",
        StoreEvent.occurred_at >= since,
        StoreEvent.occurred_at < until,
    )
    if dealer_id:
        query = query.where(StoreEvent.dealer_id == dealer_id)
    return [rules.Fact(d, t, at, json.loads(body).get("payload") or {}) for d, t, at, body in session.execute(query)]


def earlier_visits(session, first: date, tz: ZoneInfo, dealer_id: str | None = None) -> list[tuple[str, str, datetime]]:
    """(store, customer_ref, signed at) of the orders signed from RETURNING_DAYS before `first` up to the facts'
    window: the stored pseudonym column, no body read again."""
    query = sa.select(StoreEvent.dealer_id, StoreEvent.customer_ref, StoreEvent.occurred_at).where(
        StoreEvent.event_type == "order_signed",
        StoreEvent.status == "accepted",
        StoreEvent.customer_ref.is_not(None),
        StoreEvent.occurred_at >= _utc(first - timedelta(days=rules.RETURNING_DAYS), tz),
        StoreEvent.occurred_at < _utc(first - timedelta(days=PROMISE_LOOKBACK_DAYS), tz),
    )
    if dealer_id:
        query = query.where(StoreEvent.dealer_id == dealer_id)
    return [tuple(row) for row in session.execute(query)]


def figures(session, first: date, last: date, tz: ZoneInfo, dealer_id: str | None = None) -> dict:
    return rules.compute(
        facts(session, first, last, tz, dealer_id), tz, first, last, earlier_visits(session, first, tz, dealer_id)
    )


def stores(session) -> list[str]:
    """Every store HQ has heard from."""
    return list(session.execute(sa.select(StoreEvent.dealer_id).distinct().order_by(StoreEvent.dealer_id)).scalars())


def intake_state(session, limit: int = 20) -> dict:
    counts = dict(session.execute(sa.select(StoreEvent.status, sa.func.count()).group_by(StoreEvent.status)).all())
    refused = session.execute(
        sa.select(StoreEvent.event_id, StoreEvent.dealer_id, StoreEvent.event_type, StoreEvent.reason)
        .where(StoreEvent.status == "refused")
        .order_by(StoreEvent.stream_offset.desc())
        .limit(limit)
    ).all()
    unreadable = session.execute(
        sa.select(
            UnreadableMessage.stream_offset,
            UnreadableMessage.dealer_id,
            UnreadableMessage.reason,
            UnreadableMessage.received_at,
        )
        .order_by(UnreadableMessage.stream_offset.desc())
        .limit(limit)
    ).all()
    return {
        "accepted": counts.get("accepted", 0),
        "refused": counts.get("refused", 0),
        "unreadable": session.execute(sa.select(sa.func.count()).select_from(UnreadableMessage)).scalar_one(),
        "positions": {
            stream: {"last_offset": offset, "updated_at": at}
            for stream, offset, at in session.execute(
                sa.select(StreamPosition.stream, StreamPosition.last_offset, StreamPosition.updated_at)
            )
        },
        "refused_events": [dict(r._mapping) for r in refused],
        "unreadable_messages": [dict(r._mapping) for r in unreadable],
    }
