"""Dead letters: what cannot be handled is kept with its reason, and the rest flows on."""

import json

import pytest

from contracts import names
from contracts.events import OrderSchema
from kit.orders import OrderSigner
from tests.support.broker import envelope, publish, publish_raw
from tests.support.factories import make_delivered, make_order_body
from tests.support.http import Client, eventually
from tests.support.visit import Visit

pytestmark = pytest.mark.service


def dead_letters(client, service, at_least=1):
    return eventually(
        lambda: (d := client.get(service, "/api/dead-letters")["dead_letters"]) and len(d) >= at_least and d,
        30,
        what=f"{service} dead letters",
    )


def test_an_order_altered_after_signing_is_refused_by_workshop_and_billing(line_factory, amqp_uri, namespace, tmp_path):
    """Architecture: workshop and billing verify the signature before acting; R-BL-1."""
    line = line_factory()
    client = Client(line, minted=True)
    signer = OrderSigner(tmp_path / "var" / "keys")
    line.start([names.WORKSHOP, names.BILLING])
    signed = signer.sign(OrderSchema().load(make_order_body()))
    signed["order"]["lines"][1]["unit_price"] = "168.00"  # one price altered after signing
    publish(amqp_uri, namespace, envelope(names.ORDER_SIGNED, signed))

    for service in (names.WORKSHOP, names.BILLING):
        [dead] = dead_letters(client, service)
        assert "altered after signing" in dead["error"]
        assert dead["original_queue"] == f"{namespace}{service}--order_signed"
        assert json.loads(dead["body"])["payload"]["order"]["lines"][1]["unit_price"] == "168.00"
    order_id = signed["order"]["order_id"]
    assert client.get(names.WORKSHOP, f"/api/work-orders/{order_id}", expect=404)
    assert client.get(names.BILLING, f"/api/invoices/by-order/{order_id}", expect=404)


def test_an_unsigned_order_is_refused(line_factory, amqp_uri, namespace, tmp_path):
    line = line_factory()
    client = Client(line, minted=True)
    OrderSigner(tmp_path / "var" / "keys")
    line.start([names.WORKSHOP])
    body = make_order_body()
    unsigned = {"order": body, "signature": "", "key_id": "x"}
    publish(amqp_uri, namespace, envelope(names.ORDER_SIGNED, unsigned))
    [dead] = dead_letters(client, names.WORKSHOP)
    assert "not signed" in dead["error"]


def test_a_handler_that_keeps_failing_dead_letters_after_the_retry_bound_and_the_next_visit_flows(
    client, line, amqp_uri
):
    # parts_issued for an order the workshop never received: its handler fails on every delivery.
    poison = envelope(
        names.PARTS_ISSUED,
        {
            "request_id": "r-1",
            "order_id": "no-such-order",
            "order_version": 1,
            "lines": [{"line_no": 1, "part_no": "P-DOT4", "quantity": "1", "from_location": "MAIN"}],
        },
    )
    publish(amqp_uri, line.env["BUS_NAMESPACE"], poison)  # into the module line's own namespace
    [dead] = eventually(
        lambda: [
            d
            for d in client.get(names.WORKSHOP, "/api/dead-letters")["dead_letters"]
            if json.loads(d["body"])["event_id"] == poison["event_id"]
        ],
        30,
        what="the poison message among the workshop's dead letters",
    )
    assert dead["attempts"] == 3  # MAX_DELIVERY_ATTEMPTS for the test line
    assert "failed 3 times" in dead["error"] and "NotFound" in dead["error"]
    assert json.loads(dead["body"])["event_id"] == poison["event_id"]

    follow_up = Visit(line).through_to_delivery()
    assert follow_up["status"] == "scheduled"


def test_messages_that_break_their_contract_are_dead_lettered_at_once(line_factory, amqp_uri, namespace):
    line = line_factory()
    client = Client(line, minted=True)
    line.start([names.FOLLOWUP])
    delivered = make_delivered(total="100.00")
    future_version = envelope(names.VEHICLE_DELIVERED, delivered)
    future_version["schema_version"] = 99
    missing_field = envelope(names.VEHICLE_DELIVERED, delivered)
    del missing_field["payload"]["advisor_id"]
    publish(amqp_uri, namespace, future_version)
    publish(amqp_uri, namespace, missing_field)
    publish_raw(amqp_uri, namespace, names.BILLING, names.VEHICLE_DELIVERED, b"{not json", "application/json")

    dead = dead_letters(client, names.FOLLOWUP, at_least=3)
    errors = sorted(d["error"] for d in dead)
    assert any("version 99" in e for e in errors)
    assert any("advisor_id" in e for e in errors)
    assert any("undecodable" in e for e in errors)

    # The consumer survived all three: a valid event is still handled.
    publish(amqp_uri, namespace, envelope(names.VEHICLE_DELIVERED, {**delivered, "order_id": "o-2"}))
    eventually(
        lambda: [c for c in client.get(names.FOLLOWUP, "/api/calls")["calls"] if c["order_id"] == "o-2"],
        30,
        what="valid event handled",
    )
    assert client.get(names.FOLLOWUP, "/healthz")["status"] == "ok"
