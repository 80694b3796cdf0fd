"""At-least-once delivery, exactly-once effect: the same event twice over the real broker changes nothing."""

import pytest

from contracts import names
from tests.support.broker import envelope, publish
from tests.support.factories import make_delivered, make_mobile
from tests.support.http import Client, eventually

pytestmark = pytest.mark.service


def test_a_redelivered_vehicle_delivered_schedules_one_call(line_factory, amqp_uri, namespace):
    line = line_factory()
    client = Client(line, minted=True)
    line.start([names.FOLLOWUP])
    delivered = envelope(
        names.VEHICLE_DELIVERED, make_delivered(order_id="o-dup", customer={"name": "李女士", "mobile": make_mobile()})
    )
    publish(amqp_uri, namespace, delivered)
    publish(amqp_uri, namespace, delivered)
    marker = envelope(names.VEHICLE_DELIVERED, {**delivered["payload"], "order_id": "o-after"})
    publish(amqp_uri, namespace, marker)

    calls = eventually(
        lambda: (
            (c := client.get(names.FOLLOWUP, "/api/calls")["calls"])
            and any(x["order_id"] == "o-after" for x in c)
            and c
        ),
        30,
        what="calls",
    )
    assert [c["order_id"] for c in calls].count("o-dup") == 1
