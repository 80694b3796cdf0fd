"""HQ's tolerant reader (services/hq/domain/intake.py) and the signed-order check against a store's published
keys (handlers.ingest.StoreKeys): newer versions and unknown types are kept, unreadable messages kept with why,
an order that does not verify refused with why (issue 14, items 3 and 6)."""

import json
from datetime import UTC, datetime

import pytest

from services.hq.domain import intake
from services.hq.handlers.ingest import StoreKeys, prepare
from tests.support.hq import Store, as_stream_message

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


def read(message, offset=0, dealer="store-a", message_id=None):
    m = as_stream_message(message, offset, dealer, message_id)
    return intake.read(m.offset, m.body, m.headers, m.message_id)


def test_an_event_of_the_current_schema_is_kept_with_its_store_and_offset():
    message = Store("store-a").congestion("queue", NOW)
    event = read(message, offset=7)
    assert isinstance(event, intake.Event)
    assert (event.event_id, event.dealer_id, event.event_type, event.offset) == (
        message["event_id"],
        "store-a",
        "pre_inspection_congested",
        7,
    )
    assert event.payload == message["payload"] and event.status == "accepted"


def test_a_newer_version_with_an_additional_field_and_an_unknown_type_are_kept_as_they_came():
    newer = Store("store-a").congestion("queue", NOW)
    newer["schema_version"], newer["payload"]["bay_camera"] = 2, "cam-3"
    unknown = dict(Store("store-a").congestion("queue", NOW), event_type="ev_charging_session", payload={"kwh": "30"})
    kept_newer, kept_unknown = read(newer), read(unknown)
    assert kept_newer.schema_version == 2 and kept_newer.payload["bay_camera"] == "cam-3"
    assert kept_unknown.event_type == "ev_charging_session" and kept_unknown.payload == {"kwh": "30"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda m: b"{not json", "not JSON"),
        (lambda m: b"[1, 2]", "not a JSON object"),
        (lambda m: {**m, "event_id": "42"}, "not a UUID"),
        (lambda m: {**m, "event_type": ""}, "event_type"),
        (lambda m: {**m, "schema_version": "2"}, "schema_version"),
        (lambda m: {**m, "schema_version": 2**40}, "schema_version"),
        (lambda m: {**m, "occurred_at": "yesterday"}, "occurred_at"),
        (lambda m: {**m, "occurred_at": "2026-12-01T10:00:00"}, "time zone"),
        (lambda m: {**m, "payload": "x"}, "payload"),
        (lambda m: {**m, "dealer_id": "store-b"}, "differs from the envelope"),
    ],
)
def test_an_unreadable_message_is_kept_with_the_reason(change, reason):
    message = change(Store("store-a").congestion("queue", NOW))
    kept = read(message, offset=3, message_id=None if isinstance(message, bytes) else message.get("event_id"))
    assert isinstance(kept, intake.Unreadable) and reason in kept.reason
    assert kept.offset == 3 and kept.body


def test_a_body_nested_thousands_deep_is_kept_as_unreadable_not_a_crash_of_the_reader():
    kept = read(b"[" * 100_000 + b"]" * 100_000, offset=5)
    assert isinstance(kept, intake.Unreadable) and "nested too deeply" in kept.reason and kept.offset == 5


@pytest.mark.parametrize("spelling", [str.upper, lambda u: u.replace("-", ""), lambda u: "{" + u + "}"])
def test_any_spelling_of_the_event_id_is_kept_in_its_canonical_form(spelling):
    message = Store("store-a").congestion("queue", NOW)
    canonical = message["event_id"]
    spelled = as_stream_message({**message, "event_id": spelling(canonical)}, 0, "store-a", message_id=canonical)
    assert intake.read(spelled.offset, spelled.body, spelled.headers, spelled.message_id).event_id == canonical
    assert read(message).event_id == canonical


def test_a_body_with_a_nul_byte_is_kept_without_it():
    kept = read(b'{"event_id": "\x00"}')
    assert isinstance(kept, intake.Unreadable) and "\x00" not in kept.body


def test_a_message_without_its_store_or_with_another_message_id_is_unreadable():
    message = Store("store-a").congestion("queue", NOW)
    assert "dealer_id" in read(message, dealer="").reason
    assert "differs from event_id" in read(message, message_id="00000000-0000-0000-0000-000000000000").reason


def test_a_batch_holds_each_event_once_and_its_last_offset():
    message = Store("store-a").congestion("queue", NOW)
    items = [read(message, 1), read(message, 2), read(b"junk", 3), read(Store("store-a").congestion("wait", NOW), 4)]
    batch = intake.batch_of(items)
    assert [e.offset for e in batch.events] == [1, 4] and [u.offset for u in batch.unreadable] == [3]
    assert batch.last_offset == 4


def test_signed_orders_verify_against_their_own_stores_key_only(tmp_path):
    a, b = Store("store-a"), Store("store-b")
    a.publish_key(tmp_path)
    b.publish_key(tmp_path)
    good = a.order(NOW, booked=True)
    tampered = a.order(NOW, booked=True)
    tampered["payload"]["order"]["promised_at"] = "2030-01-01T00:00:00+00:00"
    foreign = a.order(NOW, booked=False)  # store-a's order arriving under store-b's header
    amended = a.order(NOW, booked=True, version=2)
    unknown_store = Store("store-c").order(NOW, booked=True)
    messages = [
        as_stream_message(good, 0, "store-a"),
        as_stream_message(tampered, 1, "store-a"),
        as_stream_message({**foreign, "dealer_id": "store-b"}, 2, "store-b"),
        as_stream_message(amended, 3, "store-a"),
        as_stream_message(unknown_store, 4, "store-c"),
    ]
    events = {e.offset: e for e in prepare(messages, StoreKeys(tmp_path)).events}
    assert events[0].status == "accepted" and events[3].status == "accepted"
    assert events[1].status == "refused" and "altered" in events[1].reason
    assert events[2].status == "refused" and "unknown key" in events[2].reason
    assert events[4].status == "refused" and "no published order-signing key" in events[4].reason


def test_a_store_key_published_later_is_read_without_a_restart(tmp_path):
    a = Store("store-a")
    keys = StoreKeys(tmp_path)
    order = as_stream_message(a.order(NOW, booked=True), 0, "store-a")
    assert prepare([order], keys).events[0].status == "refused"
    a.publish_key(tmp_path)
    assert prepare([order], keys).events[0].status == "accepted"


def test_a_signed_envelope_of_the_wrong_shape_is_refused_not_a_crash(tmp_path):
    a = Store("store-a")
    a.publish_key(tmp_path)
    broken = a.order(NOW, booked=True)
    broken["payload"] = {"order": "x", "signature": 5, "key_id": []}
    event = prepare([as_stream_message(json.loads(json.dumps(broken)), 0, "store-a")], StoreKeys(tmp_path)).events[0]
    assert event.status == "refused"


def test_a_signed_orders_pseudonymous_customer_is_kept_for_the_figures():
    store = Store("store-a")
    order = store.order(NOW, booked=True, customer_ref="c-" + "a" * 32)
    assert read(order).customer_ref == "c-" + "a" * 32
    assert read({**order, "payload": {**order["payload"], "customer_ref": "x" * 81}}).customer_ref is None
    assert read({**order, "payload": {**order["payload"], "customer_ref": 42}}).customer_ref is None
    assert read(store.congestion("queue", NOW)).customer_ref is None
