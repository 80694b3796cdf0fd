"""What HQ keeps of each message of the stream (plain rules, no framework).

A tolerant reader: HQ keeps every event whose envelope it can read (event id, type, version, time, store), of
any type and version, with its payload as it came (a newer version's additional fields included): the figures
read the fields they know and ignore the rest (issue 14, item 6). What it cannot read is kept with the reason
(a dead letter), never dropped. Signed orders are checked against the store's published keys by the caller
(`signed_order_of` finds the signed envelope).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ORDER_SIGNED = "order_signed"
ORDER_AMENDED = "order_amended"
SIGNED_TYPES = (ORDER_SIGNED, ORDER_AMENDED)
MAX_BODY_BYTES = 1_000_000
MAX_VERSION = 1_000_000  # a schema version beyond it is not one (and would not fit the column)
MAX_CUSTOMER_REF = 80  # kit.feed's pseudonyms are "c-" and 32 hex digits; a longer one is not kept
CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Event:
    """An event as HQ keeps it (`status` "accepted", or "refused" with its reason: a signed order that does not
    verify is kept, flagged and left out of every figure)."""

    event_id: str
    dealer_id: str
    event_type: str
    schema_version: int
    occurred_at: datetime
    correlation_id: str
    payload: dict[str, Any]
    offset: int
    body: str = ""  # the message as it came (the envelope JSON), kept as HQ's copy
    status: str = "accepted"
    reason: str | None = None
    customer_ref: str | None = None  # a signed order's pseudonymous customer (kit.feed), kept for the figures


@dataclass(frozen=True)
class Unreadable:
    """A message HQ cannot read as an event: kept as it came, with why."""

    offset: int
    reason: str
    body: str
    dealer_id: str | None = None
    message_id: str | None = None


@dataclass
class Batch:
    events: list[Event] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    last_offset: int = -1


def read(offset: int, body: bytes, headers: dict[str, Any], message_id: str | None) -> Event | Unreadable:
    """One stream message -> an Event, or Unreadable with the reason in words."""
    dealer = headers.get("dealer_id")
    try:
        text = body.decode("utf-8")
        undecodable = None
    except UnicodeDecodeError as exc:
        text, undecodable = body.decode("utf-8", errors="replace"), exc

    def refuse(reason: str) -> Unreadable:
        kept = text[:MAX_BODY_BYTES].replace("\x00", "\ufffd")  # as it came (not UTF-8, NUL: shown as U+FFFD)
        return Unreadable(offset, reason, kept, dealer if isinstance(dealer, str) else None, message_id)

    if len(body) > MAX_BODY_BYTES:
        return refuse(f"body larger than {MAX_BODY_BYTES} bytes")
    if not isinstance(dealer, str) or not dealer:
        return refuse("no dealer_id header")
    if undecodable is not None:
        return refuse(f"body is not JSON: not UTF-8 ({undecodable.reason} at byte {undecodable.start})")
    try:
        envelope = json.loads(text)
    except ValueError as exc:
        return refuse(f"body is not JSON: {exc}")
    except RecursionError:  # arrays or objects nested thousands deep: refused, never a crash of the reader
        return refuse("body is not JSON HQ reads: nested too deeply")
    if not isinstance(envelope, dict):
        return refuse("body is not a JSON object")
    event_id = envelope.get("event_id")
    if not (isinstance(event_id, str) and CANONICAL_UUID.fullmatch(event_id)):  # as the stores write it: kept
        try:
            event_id = str(uuid.UUID(str(event_id)))  # any other spelling of a UUID in its canonical form
        except ValueError:
            return refuse(f"event_id {event_id!r} is not a UUID")
    if message_id and message_id != event_id:
        return refuse(f"message_id {message_id!r} differs from event_id {event_id}")
    event_type, version = envelope.get("event_type"), envelope.get("schema_version", 1)
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 80:
        return refuse("event_type missing or not a short string")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        return refuse(f"schema_version {version!r} is not a positive integer")
    try:
        occurred_at = datetime.fromisoformat(str(envelope.get("occurred_at")))
    except ValueError:
        return refuse(f"occurred_at {envelope.get('occurred_at')!r} is not an ISO time")
    if occurred_at.tzinfo is None:
        return refuse("occurred_at has no time zone")
    payload = envelope.get("payload")
    if not isinstance(payload, dict):
        return refuse("payload is not a JSON object")
    in_envelope = envelope.get("dealer_id")
    if in_envelope is not None and in_envelope != dealer:
        return refuse(f"dealer_id header {dealer!r} differs from the envelope's {in_envelope!r}")
    correlation = envelope.get("correlation_id")
    return Event(
        event_id=event_id,
        dealer_id=dealer,
        event_type=event_type,
        schema_version=version,
        occurred_at=occurred_at,
        correlation_id=str(correlation)[:64] if correlation is not None else "",
        payload=payload,
        offset=offset,
        body=text,
        customer_ref=customer_ref_of(event_type, payload),
    )


def customer_ref_of(event_type: str, payload: dict[str, Any]) -> str | None:
    """A signed order's pseudonymous customer (kit.feed puts it beside the signed order), else None: kept with the
    event at ingest and read by the returning-customer figure, by this one rule."""
    ref = payload.get("customer_ref") if event_type == ORDER_SIGNED else None
    return ref if isinstance(ref, str) and 0 < len(ref) <= MAX_CUSTOMER_REF else None


def signed_order_of(event: Event) -> dict[str, Any] | None:
    """The signed envelope {"order", "signature", "key_id"} an order event carries, else None."""
    if event.event_type == ORDER_SIGNED:
        return event.payload
    if event.event_type == ORDER_AMENDED:
        signed = event.payload.get("signed_order")
        return signed if isinstance(signed, dict) else {}
    return None


def refused(event: Event, reason: str) -> Event:
    return Event(**{**event.__dict__, "status": "refused", "reason": reason[:500]})


def batch_of(items: list[Event | Unreadable]) -> Batch:
    """Events once each (the first of an event id within the batch: the database ignores the ones it holds)."""
    out, seen = Batch(), set()
    for item in items:
        out.last_offset = max(out.last_offset, item.offset)
        if isinstance(item, Unreadable):
            out.unreadable.append(item)
        elif item.event_id not in seen:
            seen.add(item.event_id)
            out.events.append(item)
    return out
