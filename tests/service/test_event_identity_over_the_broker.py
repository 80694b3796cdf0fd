"""Issue 12, item 6, over the real broker (follow-up, one call per order): a delivery re-sent under a new event id is
absorbed by its business key (no dead letter, still one call); a message with an event id handled before but other
content is dead-lettered with that reason, and changes nothing."""

import json
import uuid

import pytest

from contracts import names
from tests.support.broker import envelope, publish
from tests.support.factories import make_delivered
from tests.support.http import Client, eventually

pytestmark = pytest.mark.service


def test_a_re_sent_fact_is_absorbed_and_a_reused_event_id_is_dead_lettered(line_factory, amqp_uri, namespace):
    line = line_factory()
    client = Client(line, minted=True)
    line.start([names.FOLLOWUP])
    order_id = f"o-{uuid.uuid4()}"
    first = envelope(names.VEHICLE_DELIVERED, make_delivered(order_id=order_id, invoice_id=f"i-{uuid.uuid4()}"))
    publish(amqp_uri, namespace, first)

    def calls():
        return client.get(names.FOLLOWUP, f"/api/calls?order_id={order_id}")["calls"]

    [call] = eventually(calls, 30, what="the follow-up call")
    again = {**first, "event_id": str(uuid.uuid4())}  # the same fact, published again under a new id
    forged = {**first, "payload": {**first["payload"], "total": "1.00"}}  # the first id, other content
    publish(amqp_uri, namespace, again)
    publish(amqp_uri, namespace, forged)

    [dead] = eventually(
        lambda: client.get(names.FOLLOWUP, "/api/dead-letters")["dead_letters"], 30, what="the forged message"
    )
    assert "handled before with other content" in dead["error"]
    assert json.loads(dead["body"])["payload"]["total"] == "1.00"
    # `again` was queued before `forged`, so it has been handled by now: absorbed, not dead-lettered, not doubled
    assert calls() == [call]
    assert client.get(names.FOLLOWUP, "/healthz")["status"] == "ok"
