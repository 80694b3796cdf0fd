"""Issue 12, item 7: two instances of every service on PostgreSQL (one database per service, shared by both
instances; the consumers compete for each queue, both relays poll each outbox, FOR UPDATE SKIP LOCKED). Six visits,
three at a time, each driven through either instance: both instances of each department take part (each handles
events), every event is published once (no event id twice in the group HQ's feed, which takes everything the relays
publish) and handled once: each visit's trail in the services' databases holds what one visit holds (one work
order, one invoice, one payment, one follow-up call, the parts reserved and issued once; tools/chaos_audit.py), and
no hop is missing."""

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
import sqlalchemy as sa

from contracts import names
from tests.e2e.test_postgresql import service_databases  # noqa: F401 - the fixture
from tests.support.feed import read_stream
from tests.support.http import Client
from tests.support.infra import free_port
from tests.support.visit import Visit
from tools import chaos_audit
from tools.line import Line

pytestmark = pytest.mark.e2e

VISITS = 6
BUSY = (names.BOOKING, names.RECEPTION, names.WORKSHOP, names.PARTS, names.BILLING)  # events every visit


def _hq_feed_event_ids(amqp_uri: str, namespace: str) -> list[str]:
    return [m.message_id or m.json()["event_id"] for m in read_stream(amqp_uri, f"{namespace}hq.feed", "first")]


def _events_handled(line: Line, service: str) -> int:
    text = requests.get(line.url(service, "/metrics"), timeout=10).text
    pattern = rf'^aftersales_events_handled_total\{{[^}}]*service="{service}"[^}}]*\}} ([0-9.e+]+)$'
    return int(sum(float(n) for n in re.findall(pattern, text, flags=re.MULTILINE)))


def test_two_instances_of_every_service_publish_and_handle_each_event_once(service_databases, line_factory):  # noqa: F811
    first = line_factory(**service_databases)
    first.start()
    second = Line(env=dict(first.env), log_dir=first.log_dir / "second", ports={s: free_port() for s in names.SERVICES})
    engines = {}
    try:
        second.start()
        visits = [Visit(line, timeout=90) for line in (first, second) * (VISITS // 2)]
        with ThreadPoolExecutor(3) as pool:
            list(pool.map(Visit.through_to_delivery, visits))

        client = Client(first, minted=True)
        for visit in visits:
            invoice = client.get(names.BILLING, f"/api/invoices/by-order/{visit.order_id}")
            assert invoice["status"] == "paid" and Decimal(invoice["total"]) == Decimal("741.28")

        # both instances of each busy department handled some of the events (they compete for each queue)
        for service in BUSY:
            assert _events_handled(first, service) > 0 and _events_handled(second, service) > 0, service

        # handled once: each visit's trail is one visit's, hop by hop
        engines = {s: sa.create_engine(service_databases[f"{s.upper()}_DATABASE_URL"]) for s in names.SERVICES}
        trails = [
            chaos_audit.trail(
                engines.__getitem__,
                {"appointment_id": v.appointment_id, "order_id": v.order_id, "invoice_id": v.invoice_id},
            )
            for v in visits
        ]
        assert [t.missing() for t in trails] == [[]] * VISITS
        one_visit = trails[0].counts
        assert one_visit["work_orders"] == one_visit["invoices"] == one_visit["payments"] == 1
        assert one_visit["follow_up_calls"] == one_visit["service_history"] == 1
        assert one_visit["reservations"] == one_visit["parts_issued"] == 2  # the two part lines
        assert [t.counts for t in trails] == [one_visit] * VISITS

        # published once
        event_ids = _hq_feed_event_ids(first.env["AMQP_URI"], first.env["BUS_NAMESPACE"])
        assert len(event_ids) > 10 * VISITS
        assert [event for event, count in Counter(event_ids).items() if count > 1] == []
    finally:
        for engine in engines.values():
            engine.dispose()
        second.stop()
