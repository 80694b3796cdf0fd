"""The event catalogue: an AsyncAPI 3.0 document generated from contracts/ (`make asyncapi`).

    python -m tools.asyncapi            # writes contracts/asyncapi.yaml and validates it
    python -m tools.asyncapi --check    # exits 1 when the committed document differs from the contracts

Every event version of contracts.events.EVENTS is one message (its payload: the JSON Schema `make schemas` writes,
the whole envelope); each event type is one channel on its producer's topic exchange `<producer>.events` (the
routing key is the event type), and the group HQ's stream `hq.events` on the HQ's vhost carries all of them with
the `dealer_id` and `event_type` headers. Validated against the official AsyncAPI 3.0.0 JSON Schema, vendored in
tools/schemas/asyncapi-3.0.0.json (github.com/asyncapi/spec-json-schemas, Apache-2.0).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

from contracts.events import EVENTS
from contracts.registry import json_schema

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "contracts" / "asyncapi.yaml"
SPEC_SCHEMA = ROOT / "tools" / "schemas" / "asyncapi-3.0.0.json"
AMQP_BINDING = "0.3.0"
HEADER = "# Generated from contracts/ by `make asyncapi` (tools/asyncapi.py): do not edit by hand.\n"


def _message_key(event_type: str, version: int) -> str:
    return f"{event_type}.v{version}"


def _payload(event_type: str, version: int) -> dict[str, Any]:
    schema = json_schema(event_type, version)
    # AsyncAPI's default schema format is its own superset of JSON Schema draft-07: no 2020-12 markers
    return {k: v for k, v in schema.items() if k not in ("$schema", "$id")}


def document() -> dict[str, Any]:
    events = sorted(EVENTS)
    latest: dict[str, int] = {}
    for event_type, version in events:
        latest[event_type] = max(version, latest.get(event_type, 0))
    messages = {
        _message_key(event_type, version): {
            "name": event_type,
            "title": f"{event_type} v{version}",
            "summary": (EVENTS[(event_type, version)][1].__doc__ or "").strip().split("\n")[0] or event_type,
            "contentType": "application/json",
            "correlationId": {"location": "$message.payload#/correlation_id"},
            "payload": _payload(event_type, version),
            "bindings": {"amqp": {"messageType": event_type, "bindingVersion": AMQP_BINDING}},
        }
        for event_type, version in events
    }
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for event_type in sorted(latest):
        producer = EVENTS[(event_type, latest[event_type])][0]
        refs = {
            _message_key(event_type, v): {"$ref": f"#/components/messages/{_message_key(event_type, v)}"}
            for (etype, v) in events
            if etype == event_type
        }
        channels[event_type] = {
            "address": event_type,
            "description": f"`{event_type}` on the `{producer}.events` topic exchange (routing key: the event type)",
            "servers": [{"$ref": "#/servers/store"}],
            "messages": refs,
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {"name": f"{producer}.events", "type": "topic", "durable": True, "autoDelete": False},
                    "bindingVersion": AMQP_BINDING,
                }
            },
        }
        operations[f"publish_{event_type}"] = {
            "action": "send",
            "summary": f"{producer} publishes {event_type} (through its outbox, with publisher confirms)",
            "channel": {"$ref": f"#/channels/{event_type}"},
            "messages": [{"$ref": f"#/channels/{event_type}/messages/{key}"} for key in refs],
        }
    channels["hq.events"] = {
        "address": "hq.events",
        "title": "The group HQ's stream",
        "description": (
            "Every store's events, shovelled from each store into the HQ's `hq.ingress` topic exchange and kept in "
            "the stream `hq.events` (90 days, at most 20 GB). Customer name, mobile and e-mail are replaced by a "
            "pseudonymous `customer_ref`. Headers: `dealer_id` (the store), `event_type`; message id = event id."
        ),
        "servers": [{"$ref": "#/servers/hq"}],
        "messages": {key: {"$ref": f"#/components/messages/{key}"} for key in messages},
        "bindings": {
            "amqp": {
                "is": "queue",
                "queue": {"name": "hq.events", "durable": True, "exclusive": False, "autoDelete": False},
                "bindingVersion": AMQP_BINDING,
            }
        },
    }
    operations["hq_ingest"] = {
        "action": "receive",
        "summary": "The group HQ reads the stream from its stored offset (or the first) into its database",
        "channel": {"$ref": "#/channels/hq.events"},
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "After-sales line events",
            "version": "1.0.0",
            "description": (
                "The events of a 4S dealership's after-sales line (booking, reception, workshop, parts, billing, "
                "follow-up, staff) and the group HQ's stream, generated from contracts/. Each message is the "
                "envelope (event_id, event_type, schema_version, occurred_at, dealer_id, correlation_id, "
                "causation_id, producer, actor_id) with the event's payload. Changes are additive; a breaking "
                "change is a new schema version beside the old one."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "store": {
                "host": "localhost:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "A dealership's RabbitMQ (its vhost RABBITMQ_VHOST)",
            },
            "hq": {
                "host": "hq.example:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "The group HQ's RabbitMQ vhost (HQ_AMQP_URI)",
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render() -> str:
    return HEADER + yaml.safe_dump(document(), allow_unicode=True, sort_keys=False, width=120)


def validate(doc: dict[str, Any]) -> list[str]:
    """Errors of `doc` against the AsyncAPI 3.0.0 JSON Schema (empty: valid)."""
    import jsonschema

    schema = json.loads(SPEC_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def main(argv: list[str]) -> int:
    text = render()
    errors = validate(yaml.safe_load(text))
    if errors:
        print("\n".join(["the generated AsyncAPI document is invalid:", *errors[:20]]), file=sys.stderr)
        return 1
    if "--check" in argv:
        same = DOCUMENT.exists() and DOCUMENT.read_text(encoding="utf-8") == text
        print(f"{DOCUMENT.relative_to(ROOT)} {'matches' if same else 'differs from'} the contracts")
        return 0 if same else 1
    DOCUMENT.write_text(text, encoding="utf-8")
    print(f"{DOCUMENT.relative_to(ROOT)}: {len(document()['components']['messages'])} messages, valid AsyncAPI 3.0.0")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
