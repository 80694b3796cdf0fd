"""Every event the line can carry, validated the same way on publish and on consume."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields

from .envelope import Envelope, load_envelope_fields, new_event_id
from .events import EVENTS, SUBSCRIPTIONS


class ContractError(Exception):
    """A message that breaks its contract: malformed, unknown type or unknown version.

    Never retried: it goes straight to the dead-letter queue with this text as its reason.
    """


def producer_of(event_type: str) -> str:
    for (etype, _version), (producer, _schema) in EVENTS.items():
        if etype == event_type:
            return producer
    raise ContractError(f"unknown event type {event_type!r}")


def latest_version(event_type: str) -> int:
    versions = [v for (etype, v) in EVENTS if etype == event_type]
    if not versions:
        raise ContractError(f"unknown event type {event_type!r}")
    return max(versions)


def payload_schema(event_type: str, version: int) -> Schema:
    """The payload schema of an event version: one instance, kept (building a marshmallow schema copies its
    fields; load, dump and validate keep no state in it)."""
    try:
        return _SCHEMAS[(event_type, version)]
    except KeyError:
        pass
    try:
        _producer, schema_cls = EVENTS[(event_type, version)]
    except KeyError:
        raise ContractError(f"unknown event {event_type!r} version {version}") from None
    return _SCHEMAS.setdefault((event_type, version), schema_cls())


_SCHEMAS: dict[tuple[str, int], Schema] = {}


def build_message(
    *,
    event_type: str,
    payload: dict[str, Any],
    producer: str,
    dealer_id: str,
    correlation_id: str,
    causation_id: str | None = None,
    actor_id: str | None = None,
    version: int | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """Validate a payload against its contract and wrap it in the envelope, ready for JSON.

    The payload may hold Python values (Decimal, datetime) or their JSON form (strings).
    """
    version = version or latest_version(event_type)
    expected_producer = producer_of(event_type)
    if producer != expected_producer:
        raise ContractError(f"{event_type} is produced by {expected_producer}, not {producer}")
    schema = payload_schema(event_type, version)
    try:
        dumped = schema.dump(payload)
    except (TypeError, AttributeError, ValueError, ArithmeticError):
        try:
            dumped = schema.dump(schema.load(payload))
        except ValidationError as exc:
            raise ContractError(f"{event_type} v{version} payload invalid: {exc.messages}") from None
        except ArithmeticError as exc:
            raise ContractError(f"{event_type} v{version} payload invalid: {exc!r}") from None
    errors = schema.validate(dumped)
    if errors:
        raise ContractError(f"{event_type} v{version} payload invalid: {errors}")
    envelope = Envelope(
        event_id=new_event_id(),
        event_type=event_type,
        schema_version=version,
        occurred_at=(occurred_at or datetime.now(UTC)).astimezone(UTC),
        dealer_id=dealer_id,
        correlation_id=str(correlation_id),
        causation_id=causation_id,
        producer=producer,
        actor_id=actor_id,
        payload=payload,
    )
    return envelope.as_message(dumped)


def load_message(body: Any, expected_type: str | None = None) -> Envelope:
    """Check envelope and payload; raise ContractError with the reason when either is wrong."""
    try:
        data = load_envelope_fields(body)
    except ValidationError as exc:
        raise ContractError(f"envelope invalid: {exc.messages}") from None
    if expected_type and data["event_type"] != expected_type:
        raise ContractError(f"expected {expected_type}, got {data['event_type']}")
    schema = payload_schema(data["event_type"], data["schema_version"])
    if data["producer"] != producer_of(data["event_type"]):
        raise ContractError(f"{data['event_type']} from unexpected producer {data['producer']!r}")
    try:
        payload = schema.load(data["payload"])
    except ValidationError as exc:
        raise ContractError(f"{data['event_type']} v{data['schema_version']} payload invalid: {exc.messages}") from None
    return Envelope(**{**data, "payload": payload, "raw_payload": body["payload"]})


def subscribers_of(event_type: str) -> list[str]:
    return [svc for svc, types in SUBSCRIPTIONS.items() if event_type in types]


# --- JSON Schema export (draft 2020-12) -------------------------------------------------

_SCALARS = {
    fields.String: {"type": "string"},
    fields.UUID: {"type": "string", "format": "uuid"},
    fields.Integer: {"type": "integer"},
    fields.Boolean: {"type": "boolean"},
    fields.Decimal: {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"},
    fields.AwareDateTime: {"type": "string", "format": "date-time"},
    fields.DateTime: {"type": "string", "format": "date-time"},
    fields.Date: {"type": "string", "format": "date"},
    fields.Dict: {"type": "object"},
}


def _field_json_schema(field: fields.Field) -> dict[str, Any]:
    if isinstance(field, fields.Nested):
        nested = field.nested() if callable(field.nested) else field.nested
        return _schema_json(nested if isinstance(nested, Schema) else nested())
    if isinstance(field, fields.List):
        return {"type": "array", "items": _field_json_schema(field.inner)}
    for cls in type(field).__mro__:
        if cls in _SCALARS:
            out = dict(_SCALARS[cls])
            if field.allow_none:
                out["type"] = [out["type"], "null"]
            return out
    raise TypeError(f"no JSON Schema mapping for {type(field).__name__}")


def _schema_json(schema: Schema) -> dict[str, Any]:
    props = {name: _field_json_schema(f) for name, f in schema.fields.items()}
    required = sorted(name for name, f in schema.fields.items() if f.required)
    return {"type": "object", "properties": props, "required": required}


def json_schema(event_type: str, version: int) -> dict[str, Any]:
    """The JSON Schema of the whole message (envelope with this event's payload)."""
    from .envelope import EnvelopeSchema

    envelope = _schema_json(EnvelopeSchema())
    envelope["properties"]["payload"] = _schema_json(payload_schema(event_type, version))
    envelope["properties"]["event_type"] = {"const": event_type}
    envelope["properties"]["schema_version"] = {"const": version}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:aftersales:event:{event_type}:v{version}",
        "title": f"{event_type} v{version}",
        **envelope,
    }


def all_json_schemas() -> dict[str, dict[str, Any]]:
    return {f"{etype}.v{version}": json_schema(etype, version) for (etype, version) in sorted(EVENTS)}
