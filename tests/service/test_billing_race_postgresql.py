"""A bill built from events handled at the same moment, on PostgreSQL (the per-dealership deployment): the signed
order, the parts issued and the car ready for each order, each event in its own consumer, all three at once. Every
bill ends ready: the one handled second waits for the first's lock on the bill and builds on what it committed,
instead of overwriting it with a bill that lacks it (found by `make chaos`: bills left waiting for parts or work
that billing had)."""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from contracts import names
from kit.uow import Work, session_factory_for
from services.billing import handlers as billing
from services.billing import seed as billing_seed
from services.billing.models import Base, Invoice
from tests.support.db import postgresql_database, wire_event
from tests.support.exactly_once import signed

pytestmark = pytest.mark.service

ORDERS = 12


@pytest.fixture
def billing_on_postgresql(pg_server_url):
    with postgresql_database(pg_server_url, "billing", Base.metadata, pool_size=8) as engine:
        yield engine


def _events(tmp_path):
    order, verify = signed(tmp_path)
    order_id = order["order"]["order_id"]
    issued = {
        "request_id": f"r-{order_id}",
        "order_id": order_id,
        "order_version": 1,
        "lines": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1", "from_location": "MAIN"}],
    }
    ready = {
        "order_id": order_id,
        "order_version": 1,
        "jobs_done": [{"line_no": 1, "code": "LAB-OIL", "hours": "0.5", "technician_id": "T001"}],
        "parts_used": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1"}],
        "inspector_id": "Q001",
        "ready_at": datetime.now(UTC),
    }
    return order_id, [
        ("billing.take_signed_quote", billing.record_signed_order, wire_event(names.ORDER_SIGNED, order), (verify,)),
        ("billing.take_parts_issued", billing.record_parts_issued, wire_event(names.PARTS_ISSUED, issued), ()),
        ("billing.take_vehicle_ready", billing.record_vehicle_ready, wire_event(names.VEHICLE_READY, ready), ()),
    ]


def test_three_events_of_one_bill_handled_at_once_leave_it_ready(billing_on_postgresql, tmp_path):
    factory = session_factory_for(billing_on_postgresql, Base.metadata)
    billing_seed.reference_data(Work(factory, service="billing", dealer_id="demo-4s"))
    errors = []
    for _ in range(ORDERS):
        order_id, events = _events(tmp_path)
        barrier = threading.Barrier(len(events), timeout=30)

        def handle(consumer, handler, event, extra, barrier=barrier):
            work = Work(factory, service="billing", dealer_id="demo-4s", consumer=consumer)
            barrier.wait()
            for _attempt in range(5):  # as the consumer requeues: the bill created twice at once fails once
                try:
                    work.handle(event, handler, *extra)
                    return
                except IntegrityError:
                    continue
            errors.append(f"{consumer}: five attempts failed")

        threads = [threading.Thread(target=handle, args=e) for e in events]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert errors == []
    reader = Work(factory, service="billing", dealer_id="demo-4s")
    bills = reader.read(lambda session: session.execute(sa.select(Invoice.status, Invoice.waiting_for)).all())
    assert len(bills) == ORDERS
    assert [(status, waiting) for status, waiting in bills if status != "ready"] == []
