"""Over the broker (R-RC-6, R-WS-3): an amended version whose total was edited after signing, or one that is
not signed, is refused by the workshop and by billing (dead letter with the reason); nothing is changed."""

import json

import pytest

from contracts import names
from tests.support.amendments import amended_payload, first_version, next_version
from tests.support.broker import envelope, publish
from tests.support.http import Client, eventually

pytestmark = pytest.mark.e2e

CONSUMERS = (names.WORKSHOP, names.BILLING)


def dead_letters(client, service, at_least):
    return eventually(
        lambda: (d := client.get(service, "/api/dead-letters")["dead_letters"]) and len(d) >= at_least and d,
        30,
        what=f"{service} dead letters",
    )


def test_an_amended_version_edited_after_signing_or_unsigned_is_refused_by_workshop_and_billing(
    line_factory, amqp_uri, namespace, tmp_path
):
    line = line_factory()
    client = Client(line, minted=True)
    keys = tmp_path / "var" / "keys"
    v1 = first_version(keys)
    line.start(list(CONSUMERS))
    publish(amqp_uri, namespace, envelope(names.ORDER_SIGNED, v1, correlation_id=v1["order"]["visit_id"]))
    order_id = v1["order"]["order_id"]
    eventually(lambda: client.get_if(names.WORKSHOP, f"/api/work-orders/{order_id}"), 30, what="v1 in the workshop")

    v2 = next_version(keys, v1)
    edited = amended_payload({**v2, "order": {**v2["order"], "total": "1.00"}}, v1)  # the total edited afterwards
    unsigned = amended_payload({**v2, "signature": ""}, v1)
    for payload in (edited, unsigned):
        publish(amqp_uri, namespace, envelope(names.ORDER_AMENDED, payload, correlation_id=v1["order"]["visit_id"]))

    for service in CONSUMERS:
        dead = dead_letters(client, service, 2)
        errors = sorted(d["error"] for d in dead)
        assert any("altered after signing" in e for e in errors) and any("not signed" in e for e in errors)
        assert {d["original_queue"] for d in dead} == {f"{namespace}{service}--order_amended"}
        totals = {json.loads(d["body"])["payload"]["signed_order"]["order"]["total"] for d in dead}
        assert "1.00" in totals
    assert client.get(names.WORKSHOP, f"/api/work-orders/{order_id}")["version"] == 1
    invoice = client.get(names.BILLING, f"/api/invoices/by-order/{order_id}")
    assert invoice["status"] == "waiting" and invoice["total"] is None
