"""What of an event leaves the store for the dealer group's HQ (issue 14, item 5): the feed copy's redaction.

By default (`FEED_PERSONAL_DATA=pseudonymous`) the copy carries no customer name, mobile or e-mail: every block
of the personal schemas (contracts' CustomerSchema), wherever an event's contract nests it, is replaced by
`{"customer_ref": ...}`, a keyed pseudonym (HMAC-SHA256 of the normalised mobile under a key derived from the
dealership's secret in the key directory), so HQ can count returning customers and cannot reverse it. A signed
order keeps verifying at HQ: its customer goes as the salted digest its signature covers (kit.signing, scheme
ed25519-redactable-1), its salt stays home and its `customer_ref` travels beside it in the signed envelope.

`FEED_PERSONAL_DATA=full` sends the event as the store's services see it (a group whose customers consented).

The personal fields are found from the contracts, not from a hand list: a new event that nests CustomerSchema is
redacted without a change here (tests/unit/test_feed_redaction.py fails if a personal-looking field escapes).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from marshmallow import Schema, fields

from contracts.events import EVENTS, CustomerSchema, SignedOrderSchema
from contracts.registry import payload_schema

from . import signing

PSEUDONYMOUS, FULL = "pseudonymous", "full"
MODES = (PSEUDONYMOUS, FULL)
PERSONAL_SCHEMAS: tuple[type[Schema], ...] = (CustomerSchema,)
# The fields of the personal schemas: what never leaves the store in the pseudonymous mode.
PERSONAL_FIELDS = frozenset(name for schema in PERSONAL_SCHEMAS for name in schema().fields)
LEGACY_SIGNATURE = "withheld: signed before the redactable scheme, cannot be verified without the customer"


def customer_ref_key(secret: str) -> bytes:
    """The pseudonym key, derived from the dealership's secret (kit.auth) for this one purpose."""
    return hmac.new(secret.encode(), b"hq-feed:customer-ref", hashlib.sha256).digest()


def normalise_mobile(mobile: str) -> str:
    """Digits only, without China's +86 / 0086: '+86 138-0013-8000' and '13800138000' are one customer."""
    digits = re.sub(r"\D", "", mobile or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            return digits[len(prefix) :]
    return digits


def customer_ref(customer: dict[str, Any] | None, key: bytes) -> str | None:
    """The keyed pseudonym of a customer, by their mobile (what identifies a customer at the desk)."""
    if not isinstance(customer, dict) or not customer.get("mobile"):
        return None
    mobile = normalise_mobile(str(customer["mobile"]))
    return "c-" + hmac.new(key, f"mobile:{mobile}".encode(), hashlib.sha256).hexdigest()[:32]


# --- where the personal blocks are, by contract ---------------------------------------------------------


def _schema_of(field: fields.Nested) -> Schema:
    nested = field.schema
    return nested if isinstance(nested, Schema) else nested()


def _holds_personal(schema: Schema, seen: frozenset = frozenset()) -> bool:
    if isinstance(schema, PERSONAL_SCHEMAS + (SignedOrderSchema,)):
        return True
    if type(schema) in seen:
        return False
    seen = seen | {type(schema)}
    for field in schema.fields.values():
        while isinstance(field, fields.List):
            field = field.inner
        if isinstance(field, fields.Nested) and _holds_personal(_schema_of(field), seen):
            return True
    return False


@cache
def has_personal_data(event_type: str, version: int) -> bool:
    """Whether the contract of this event nests a personal block (a customer, or a signed order)."""
    _producer, schema_cls = EVENTS[(event_type, version)]
    return _holds_personal(schema_cls())


# --- redaction --------------------------------------------------------------------------------------------


class Redactor:
    def __init__(self, key: bytes):
        self.key = key

    def payload(self, schema: Schema, data: Any) -> Any:
        """The payload with every personal block replaced, walking the contract. Keys the contract does not
        know are dropped (a field added to a payload but not to its contract never leaves by mistake)."""
        if isinstance(schema, SignedOrderSchema):
            return self.signed_order(data)
        if isinstance(schema, PERSONAL_SCHEMAS):
            return None if data is None else {"customer_ref": customer_ref(data, self.key)}
        if not isinstance(data, dict):
            return data
        out = {}
        for name, field in schema.fields.items():
            key = field.data_key or name
            if key in data:
                out[key] = self._field(field, data[key])
        return out

    def _field(self, field: fields.Field, value: Any) -> Any:
        if isinstance(field, fields.List) and isinstance(value, list):
            return [self._field(field.inner, item) for item in value]
        if isinstance(field, fields.Nested):
            return self.payload(_schema_of(field), value)
        return value

    def signed_order(self, signed: Any) -> Any:
        """A signed order as it leaves: the customer as the digest the signature covers, the salt kept home,
        the pseudonym beside the order (outside what is signed). An order signed before the redactable scheme
        cannot keep its signature without its customer: the signature is withheld."""
        if not isinstance(signed, dict) or not isinstance(signed.get("order"), dict):
            return signed
        order = signed["order"]
        ref = customer_ref(order.get("customer"), self.key)
        if signed.get("scheme") == signing.REDACTABLE:
            out = signing.redact(signed)
        else:
            out = {**signed, "order": {**order, "customer": {}}, "signature": LEGACY_SIGNATURE}
        out["customer_ref"] = ref
        return out


@cache
def _redactor(key: bytes) -> Redactor:
    return Redactor(key)


def redact_message(message: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The feed copy of one event envelope (a new dict; the store's own message is left as it is: the redactor
    builds new containers along the contract and changes nothing in place, so the payload is not copied first).
    An event of a type or version the contracts do not know leaves with an empty payload."""
    out = {k: v for k, v in message.items() if k != "payload"}
    entry = EVENTS.get((message.get("event_type"), message.get("schema_version")))
    if entry is None:
        out["payload"] = {}
        return out
    schema = payload_schema(message["event_type"], message["schema_version"])  # one instance per event version
    out["payload"] = _redactor(key).payload(schema, message.get("payload"))
    return out


def feed_body(body: str | bytes, message: dict[str, Any], key: bytes, mode: str) -> str | bytes:
    """The feed copy of an outbox row's JSON `body` (`message` is it parsed); an event whose contract holds no
    personal data leaves as it is."""
    if mode == FULL:
        return body
    kind = (message.get("event_type"), message.get("schema_version"))
    if kind in EVENTS and not has_personal_data(*kind):
        return body
    return json.dumps(redact_message(message, key), ensure_ascii=False, separators=(",", ":"))


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"FEED_PERSONAL_DATA must be one of {', '.join(MODES)}, not {mode!r}")
    return mode


def walk(schema: Schema, prefix: str, visit: Callable[[str, fields.Field], None], seen=frozenset()) -> None:
    """Every field of a schema and of the schemas it nests, by dotted path (tests look for personal fields)."""
    if type(schema) in seen:
        return
    for name, field in schema.fields.items():
        path = f"{prefix}.{name}"
        visit(path, field)
        inner = field
        while isinstance(inner, fields.List):
            inner = inner.inner
        if isinstance(inner, fields.Nested):
            walk(_schema_of(inner), path, visit, seen | {type(schema)})
