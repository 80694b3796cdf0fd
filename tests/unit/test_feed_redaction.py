"""Issue 14, item 5: what leaves the store for HQ has no customer name, mobile or e-mail (kit.feed).

Driven by the contracts: every event whose schema nests a personal block (CustomerSchema, or a signed order that
holds one) is redacted, and a personal-looking field added anywhere outside such a block fails here until it is
either put in the personal schema or declared not a customer's."""

from __future__ import annotations

import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from marshmallow import Schema, fields

from contracts import names
from contracts.events import EVENTS, CustomerSchema, OrderSchema, SignedOrderSchema
from kit import feed, signing
from tests.support.factories import make_order_body

KEY = feed.customer_ref_key("the dealership's secret")
NAME, MOBILE, EMAIL = "欧阳娜娜", "13912345678", "nana.ouyang@example.cn"
CUSTOMER = {"name": NAME, "mobile": MOBILE, "email": EMAIL}
SIGNING_KEY = Ed25519PrivateKey.generate()
TRUSTED = {signing.key_id(SIGNING_KEY.public_key()): SIGNING_KEY.public_key()}

# Fields whose names look personal but are not a customer's: each says why.
NOT_A_CUSTOMER = {
    "price_list_published.labour_operations.name": "a labour operation's name",
    "price_list_published.parts.name": "a part's name",
    "staff_registered.name": "a staff member of the dealership, as the staff directory publishes them",
    "staff_changed.name": "a staff member of the dealership, as the staff directory publishes them",
}
PERSONAL_LOOKING = re.compile(r"(^|_)(name|mobile|phone|tel|e?mail|wechat|id_card|address|contact|birthday)($|_)")


def _schema(field: fields.Nested) -> Schema:
    return field.schema if isinstance(field.schema, Schema) else field.schema()


def _sample(schema: Schema) -> dict:
    """A payload of the schema's shape with the test customer in every personal block (values need not be valid:
    the redaction walks the contract, it does not validate)."""
    if isinstance(schema, CustomerSchema):
        return dict(CUSTOMER)
    if isinstance(schema, SignedOrderSchema):
        return signing.sign(make_order_body(customer=dict(CUSTOMER)), SIGNING_KEY)
    return {name: _sample_value(field) for name, field in schema.fields.items()}


def _sample_value(field: fields.Field):
    if isinstance(field, fields.Nested):
        return _sample(_schema(field))
    if isinstance(field, fields.List):
        return [_sample_value(field.inner)]
    if isinstance(field, fields.Dict):
        return {}
    if isinstance(field, fields.Integer | fields.Boolean):
        return 1
    return "x"


def _personal_paths(schema: Schema, prefix: str) -> tuple[set[str], set[str]]:
    """(the paths of personal blocks, every field's path) in a schema, signed orders' bodies included."""
    blocks, every = set(), set()

    def visit(path, field):
        every.add(path)
        inner = field
        while isinstance(inner, fields.List):
            inner = inner.inner
        if isinstance(inner, fields.Nested):
            nested = _schema(inner)
            if isinstance(nested, feed.PERSONAL_SCHEMAS):
                blocks.add(path)
            if isinstance(nested, SignedOrderSchema):
                feed.walk(OrderSchema(), f"{path}.order", visit)

    if isinstance(schema, SignedOrderSchema):
        feed.walk(OrderSchema(), f"{prefix}.order", visit)
    feed.walk(schema, prefix, visit)
    return blocks, every


def _redacted(event_type: str, version: int) -> tuple[dict, str]:
    payload = _sample(EVENTS[(event_type, version)][1]())
    message = {"event_id": "e-1", "event_type": event_type, "schema_version": version, "payload": payload}
    before = json.dumps(message, ensure_ascii=False, sort_keys=True)
    out = feed.redact_message(message, KEY)
    # the store's own message is left as it was: the redaction builds its copy, it changes nothing in place
    assert json.dumps(message, ensure_ascii=False, sort_keys=True) == before
    return out, json.dumps(out, ensure_ascii=False)


PERSONAL_EVENTS = sorted(kind for kind in EVENTS if feed.has_personal_data(*kind))


def test_the_events_with_a_customer_are_found_from_the_contracts():
    """A new event nesting CustomerSchema (or a signed order) joins this list without a change to kit.feed."""
    assert {etype for etype, _ in PERSONAL_EVENTS} >= {
        names.APPOINTMENT_BOOKED,
        names.ORDER_SIGNED,
        names.ORDER_AMENDED,
        names.PARTS_REQUESTED,
        names.VEHICLE_DELIVERED,
    }
    for kind in EVENTS:
        blocks, _ = _personal_paths(EVENTS[kind][1](), kind[0])
        holds_signed = issubclass(EVENTS[kind][1], SignedOrderSchema) or any("signed_order" in b for b in blocks)
        assert feed.has_personal_data(*kind) == bool(blocks or holds_signed), kind


@pytest.mark.parametrize("kind", PERSONAL_EVENTS, ids=lambda k: f"{k[0]}.v{k[1]}")
def test_every_event_with_a_customer_leaves_without_name_mobile_or_email(kind):
    out, text = _redacted(*kind)
    for value in (NAME, MOBILE, EMAIL):
        assert value not in text
    assert feed.customer_ref(CUSTOMER, KEY) in text  # HQ can still count the customer


def test_a_signed_order_leaves_with_its_customer_as_a_digest_and_still_verifies():
    out, _ = _redacted(names.ORDER_SIGNED, 1)
    signed = out["payload"]
    assert set(signed["order"]["customer"]) == {"digest"} and "customer_salt" not in signed
    assert signed["customer_ref"] == feed.customer_ref(CUSTOMER, KEY)
    assert signing.verify(signed, TRUSTED)["order_id"] == signed["order"]["order_id"]
    amended, _ = _redacted(names.ORDER_AMENDED, 1)
    assert signing.verify(amended["payload"]["signed_order"], TRUSTED)


def test_an_order_signed_before_the_redactable_scheme_leaves_without_its_customer_and_its_signature():
    old = signing.sign_plain(make_order_body(customer=dict(CUSTOMER)), SIGNING_KEY)
    message = {"event_type": names.ORDER_SIGNED, "schema_version": 1, "payload": old}
    out = feed.redact_message(message, KEY)["payload"]
    assert out["order"]["customer"] == {} and out["signature"] == feed.LEGACY_SIGNATURE
    assert MOBILE not in json.dumps(out, ensure_ascii=False)
    with pytest.raises(signing.SignatureInvalid):
        signing.verify(out, TRUSTED)


def test_a_personal_looking_field_outside_the_personal_schemas_fails_here():
    """A new `driver_mobile` on an event (or in the signed order's body) would leave the store unredacted: put it
    in a personal schema (a nested CustomerSchema) or say here why it is not a customer's."""
    escaped = []
    for event_type, version in sorted(EVENTS):
        blocks, every = _personal_paths(EVENTS[(event_type, version)][1](), event_type)
        for path in sorted(every):
            leaf = path.rsplit(".", 1)[-1]
            inside = any(path.startswith(f"{block}.") for block in blocks)
            if PERSONAL_LOOKING.search(leaf) and not inside and path not in NOT_A_CUSTOMER:
                escaped.append(path)
    assert escaped == []


def test_an_e_mail_field_anywhere_but_a_personal_schema_fails_here():
    escaped = []
    for event_type, version in sorted(EVENTS):
        schema = EVENTS[(event_type, version)][1]()
        blocks, _ = _personal_paths(schema, event_type)

        def visit(path, field, blocks=blocks):
            if isinstance(field, fields.Email) and not any(path.startswith(f"{b}.") for b in blocks):
                escaped.append(path)

        feed.walk(schema, event_type, visit)
    assert escaped == []


def test_the_same_customer_gets_the_same_ref_however_the_mobile_is_written_and_another_store_another():
    refs = {feed.customer_ref({"mobile": m}, KEY) for m in ("13912345678", "+86 139-1234-5678", "0086 13912345678")}
    assert len(refs) == 1
    assert feed.customer_ref({"mobile": MOBILE}, feed.customer_ref_key("another store")) not in refs
    assert feed.customer_ref({"mobile": "13912345679"}, KEY) not in refs


def test_the_full_mode_sends_the_event_as_it_is():
    body = json.dumps({"event_type": names.VEHICLE_DELIVERED, "schema_version": 1, "payload": {"customer": CUSTOMER}})
    assert feed.feed_body(body, json.loads(body), KEY, feed.FULL) is body
    with pytest.raises(ValueError, match="FEED_PERSONAL_DATA"):
        feed.check_mode("everything")


def test_an_event_without_personal_data_leaves_as_it_is_and_an_unknown_one_empty():
    body = json.dumps({"event_type": names.SESSIONS_REVOKED, "schema_version": 1, "payload": {"session_id": "s"}})
    assert feed.feed_body(body, json.loads(body), KEY, feed.PSEUDONYMOUS) is body
    unknown = {"event_type": "customer_called", "schema_version": 1, "payload": {"mobile": MOBILE}}
    assert feed.redact_message(unknown, KEY)["payload"] == {}


def test_a_payload_key_the_contract_does_not_know_is_dropped():
    payload = {**_sample(EVENTS[(names.APPOINTMENT_BOOKED, 1)][1]()), "customer_mobile": MOBILE}
    message = {"event_type": names.APPOINTMENT_BOOKED, "schema_version": 1, "payload": payload}
    out = feed.redact_message(message, KEY)
    assert "customer_mobile" not in out["payload"] and payload["customer_mobile"] == MOBILE  # the input is kept
