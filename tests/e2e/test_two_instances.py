"""Issue 12, item 7: two instances of every service on PostgreSQL (one database per service, shared by both
instances; the consumers compete for each queue, both relays poll each outbox). Visits driven through either
instance are published once (no event id twice in the group HQ's feed, which takes everything the relays
publish) and handled once (one work order, one invoice, one follow-up call per visit)."""

from collections import Counter
from decimal import Decimal

import pytest

from contracts import names
from tests.e2e.test_postgresql import service_databases  # noqa: F401 - the fixture
from tests.support.feed import read_stream
from tests.support.http import Client
from tests.support.infra import free_port
from tests.support.visit import Visit
from tools.line import Line

pytestmark = pytest.mark.e2e


def _hq_feed_event_ids(amqp_uri: str, namespace: str) -> list[str]:
    return [m.message_id or m.json()["event_id"] for m in read_stream(amqp_uri, f"{namespace}hq.feed", "first")]


def test_two_instances_of_every_service_publish_and_handle_each_event_once(service_databases, line_factory):  # noqa: F811
    first = line_factory(**service_databases)
    first.start()
    second = Line(env=dict(first.env), log_dir=first.log_dir / "second", ports={s: free_port() for s in names.SERVICES})
    try:
        second.start()
        visits = [Visit(line, timeout=60) for line in (first, second, first, second)]
        for visit in visits:
            visit.through_to_delivery()
        client = Client(first, minted=True)
        for visit in visits:
            invoice = client.get(names.BILLING, f"/api/invoices/by-order/{visit.order_id}")
            assert invoice["status"] == "paid" and Decimal(invoice["total"]) == Decimal("741.28")
            work_orders = client.get(names.WORKSHOP, "/api/work-orders")["work_orders"]
            assert [w["order_id"] for w in work_orders].count(visit.order_id) == 1
            calls = client.get(names.FOLLOWUP, f"/api/calls?order_id={visit.order_id}")["calls"]
            assert len(calls) == 1
        event_ids = _hq_feed_event_ids(first.env["AMQP_URI"], first.env["BUS_NAMESPACE"])
        assert len(event_ids) > 10 * len(visits)
        assert [event for event, count in Counter(event_ids).items() if count > 1] == []
    finally:
        second.stop()
