"""The one envelope every message travels in.

{"event_id": "7d0c…", "event_type": "order_signed", "schema_version": 1,
 "occurred_at": "2026-11-28T02:00:00+00:00", "dealer_id": "demo-4s",
 "correlation_id": "<visit id>", "causation_id": "<event id that caused it>",
 "producer": "reception", "actor_id": "A001", "payload": {...}}
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate


class EnvelopeSchema(Schema):
    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True, validate=validate.Length(min=1, max=80))
    schema_version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True, format="iso")
    dealer_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    correlation_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    causation_id = fields.String(load_default=None, allow_none=True)
    producer = fields.String(required=True)
    actor_id = fields.String(load_default=None, allow_none=True)
    payload = fields.Dict(required=True)


ENVELOPE = EnvelopeSchema()


@dataclass(frozen=True)
class Envelope:
    event_id: str
    event_type: str
    schema_version: int
    occurred_at: datetime
    dealer_id: str
    correlation_id: str
    producer: str
    payload: dict[str, Any]
    causation_id: str | None = None
    actor_id: str | None = None
    # The payload exactly as received: signatures are checked against this, never a re-dump.
    raw_payload: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def as_message(self, payload_json: dict[str, Any]) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "schema_version": self.schema_version,
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "dealer_id": self.dealer_id,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "producer": self.producer,
            "actor_id": self.actor_id,
            "payload": payload_json,
        }


def new_event_id() -> str:
    return str(uuid.uuid4())


def load_envelope_fields(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValidationError({"_envelope": ["message body is not a JSON object"]})
    data = ENVELOPE.load(body)
    if data["occurred_at"].utcoffset().total_seconds() != 0:
        raise ValidationError({"occurred_at": ["must be UTC"]})
    data["event_id"] = str(data["event_id"])
    return data
