"""Events as a store's feed carries them to HQ (customer replaced by a pseudonymous `customer_ref`), signed orders
signed with a store's own key, and publishing them into an HQ stream the way the shovels deliver them."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kit import signing

PRODUCERS = {
    "order_signed": "reception",
    "order_amended": "reception",
    "pre_inspection_congested": "reception",
    "vehicle_ready": "workshop",
    "qc_failed": "workshop",
    "vehicle_delivered": "billing",
    "followup_scheduled": "followup",
    "followup_call_recorded": "followup",
    "complaint_opened": "followup",
}


def envelope(dealer_id: str, event_type: str, payload: dict, at: datetime, version: int = 1, **extra) -> dict:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": version,
        "occurred_at": at.astimezone(UTC).isoformat(),
        "dealer_id": dealer_id,
        "correlation_id": extra.pop("correlation_id", str(uuid.uuid4())),
        "causation_id": None,
        "producer": PRODUCERS.get(event_type, "reception"),
        "actor_id": None,
        "payload": payload,
        **extra,
    }


@dataclass
class Store:
    """One dealership as HQ sees it: its id, its order-signing key (published under HQ_STORES_DIR)."""

    dealer_id: str
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    def publish_key(self, stores_dir: Path) -> None:
        folder = stores_dir / self.dealer_id
        folder.mkdir(parents=True, exist_ok=True)
        pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        (folder / f"order-signing-{signing.key_id(self.key.public_key())}.pub").write_bytes(pem)

    def order(
        self,
        at: datetime,
        *,
        booked: bool,
        promised_hours: float = 4,
        version: int = 1,
        order_id=None,
        customer_ref: str | None = None,
    ):
        body = {
            "order_id": order_id or f"O-{uuid.uuid4().hex[:10]}",
            "version": version,
            "visit_id": f"V-{uuid.uuid4().hex[:10]}",
            "dealer_id": self.dealer_id,
            "appointment_id": f"AP-{uuid.uuid4().hex[:8]}" if booked else None,
            "customer": {"name": "王先生", "mobile": f"139{uuid.uuid4().int % 10**8:08d}"},
            "promised_at": (at + timedelta(hours=promised_hours)).astimezone(UTC).isoformat(),
            "signed_at": at.astimezone(UTC).isoformat(),
        }
        # as the store's feed carries it (kit.feed): the customer in digest form under the signature, no salt,
        # and the pseudonymous reference beside the signed order
        ref = customer_ref or f"c-{uuid.uuid4().hex[:32]}"  # a new customer unless one is named
        signed = {**signing.redact(signing.sign(body, self.key)), "customer_ref": ref}
        if version == 1:
            return envelope(self.dealer_id, "order_signed", signed, at, correlation_id=body["visit_id"])
        payload = {
            "signed_order": signed,
            "version": version,
            "previous_version": version - 1,
            "previous_sha256": "0" * 64,
        }
        return envelope(self.dealer_id, "order_amended", payload, at, correlation_id=body["visit_id"])

    def ready(self, order: dict, at: datetime) -> dict:
        payload = {
            "order_id": order_id_of(order),
            "order_version": 1,
            "jobs_done": [],
            "parts_used": [],
            "inspector_id": "Q001",
            "ready_at": at.astimezone(UTC).isoformat(),
        }
        return envelope(self.dealer_id, "vehicle_ready", payload, at)

    def qc_failed(self, order: dict, at: datetime) -> dict:
        nc = [{"line_no": 1, "item": "brakes", "cause": "pad not seated", "technician_id": "T001"}]
        payload = {
            "order_id": order_id_of(order),
            "order_version": 1,
            "inspector_id": "Q001",
            "failed_at": at.astimezone(UTC).isoformat(),
            "non_conformances": nc,
        }
        return envelope(self.dealer_id, "qc_failed", payload, at)

    def delivered(self, order: dict, at: datetime) -> dict:
        payload = {
            "invoice_id": "I-1",
            "order_id": order_id_of(order),
            "advisor_id": "A001",
            "customer": {"customer_ref": f"c-{uuid.uuid4().hex[:32]}"},  # kit.feed's redaction
            "vehicle": {"plate": "沪A12345"},
            "total": "100.00",
            "delivered_at": at.astimezone(UTC).isoformat(),
        }
        return envelope(self.dealer_id, "vehicle_delivered", payload, at)

    def followup(self, order: dict, at: datetime) -> dict:
        payload = {
            "call_id": f"C-{uuid.uuid4().hex[:8]}",
            "order_id": order_id_of(order),
            "assigned_to": "F001",
            "due_from": at.isoformat(),
            "due_by": (at + timedelta(days=5)).isoformat(),
        }
        return envelope(self.dealer_id, "followup_scheduled", payload, at)

    def call_recorded(self, followup: dict, outcome: str, at: datetime, scores: dict | None = None) -> dict:
        """One attempt at the follow-up call of `followup` (a `followup_scheduled` message)."""
        payload = {
            "call_id": followup["payload"]["call_id"],
            "order_id": followup["payload"]["order_id"],
            "outcome": outcome,
            "scores": scores or {},
            "called_by": "F001",
            "recorded_at": at.astimezone(UTC).isoformat(),
        }
        return envelope(self.dealer_id, "followup_call_recorded", payload, at)

    def complaint(self, order: dict | None, cause: str, at: datetime) -> dict:
        payload = {
            "complaint_id": f"K-{uuid.uuid4().hex[:8]}",
            "order_id": order_id_of(order) if order else None,
            "cause": cause,
            "department": "workshop",
            "manager_id": "D001",
            "opened_at": at.isoformat(),
            "recontact_by": (at + timedelta(hours=24)).isoformat(),
        }
        return envelope(self.dealer_id, "complaint_opened", payload, at)

    def congestion(self, cause: str, at: datetime) -> dict:
        payload = {"incident_id": 1, "cause": cause, "waiting": 4, "longest_wait_seconds": 600, "actions": []}
        return envelope(self.dealer_id, "pre_inspection_congested", payload, at)


def order_id_of(message: dict) -> str:
    payload = message["payload"]
    signed = payload if message["event_type"] == "order_signed" else payload["signed_order"]
    return signed["order"]["order_id"]


def as_stream_message(message: dict | bytes, offset: int, dealer_id: str, message_id: str | None = None):
    """A message as kit.streams hands it over (for tests without the broker)."""
    from kit.streams import StreamMessage

    body = message if isinstance(message, bytes) else json.dumps(message, ensure_ascii=False).encode()
    if message_id is None and isinstance(message, dict):
        message_id = message.get("event_id")
    headers = {"dealer_id": dealer_id, "event_type": message.get("event_type") if isinstance(message, dict) else ""}
    return StreamMessage(offset, body, headers, message_id, "application/json")


def publish(channel, exchange: str, messages: list[dict | bytes], dealer_id: str) -> None:
    """Into the HQ's ingress exchange, as the shovels deliver: body, message id, dealer and type headers."""
    import amqp

    for message in messages:
        body = message if isinstance(message, bytes) else json.dumps(message, ensure_ascii=False).encode()
        event_type = message.get("event_type", "") if isinstance(message, dict) else "unknown"
        props: dict[str, Any] = {
            "content_type": "application/json",
            "application_headers": {"dealer_id": dealer_id, "event_type": event_type},
            "delivery_mode": 2,
        }
        if isinstance(message, dict) and message.get("event_id"):
            props["message_id"] = message["event_id"]
        channel.basic_publish(amqp.Message(body, **props), exchange=exchange, routing_key=event_type or "unknown")
