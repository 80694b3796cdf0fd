"""Billing's Core paths (handlers/rows.py) against the entities they stand for: the records read as columns are the
entities' columns, and a bill written by Core statements is the bill whatever order its events come in."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from contracts import names
from services.billing import handlers as billing
from services.billing import models
from services.billing import seed as billing_seed
from services.billing.handlers import rows
from tests.support.amendments import verifier
from tests.support.db import service_work, wire_event

from .test_billing_settlement import CHECKS, SECRET, Desk, oil


@pytest.fixture
def desk(tmp_path):
    d = Desk(tmp_path)
    d.issued([oil()])
    return d


def _columns(thing, names) -> dict | None:
    return None if thing is None else {name: getattr(thing, name) for name in names}


def _same(records, entities, partial=()) -> None:
    """Each record holds the values of every column of its entity; those at the positions `partial`, of the columns
    they were read with."""
    assert len(records) == len(entities)
    for n, (record, entity) in enumerate(zip(records, entities, strict=True)):
        assert (record is None) == (entity is None)
        if entity is not None:
            names, columns = (
                getattr(record, "_fields", None) or list(vars(record)),
                {c.name for c in entity.__table__.c},
            )
            assert set(names) < columns if n in partial else set(names) == columns
            assert _columns(record, names) == _columns(entity, names)


def _compare(d: Desk) -> None:
    def read(session):
        invoice = models.invoice_for_order(session, d.order_id)
        # the delivery reads of the bill and the work what it uses; the cashier, whether the car was delivered
        _same(rows.delivery_rows(session, d.order_id), models.delivery_rows(session, d.order_id), partial=(0, 2))
        settled = rows.settlement_rows(session, invoice.invoice_id)
        _same(settled[:5], models.settlement_rows(session, invoice.invoice_id), partial=(1,))
        assert settled[5] == bool(models.corrections(session, invoice.invoice_id))
        _same([rows.locked_invoice(session, order_id=d.order_id)], [invoice])
        _same([rows.locked_invoice(session, invoice_id=invoice.invoice_id)], [invoice])
        _same([rows.locked_for_rebuild(session, d.order_id)], [invoice], partial=(0,))  # what a rebuild reads
        versions, work, moved = rows.versions_work_and_moved(session, d.order_id)
        quotes, done = models.versions_and_work(session, d.order_id)
        _same([*versions, work], [*quotes, done])
        assert moved == models.parts_moved(session, d.order_id)
        _same([rows.work_done(session, d.order_id)], [models.work_done(session, d.order_id)])
        _same(rows.quotes(session, d.order_id), models.quotes(session, d.order_id))
        payments = rows.payments(session, invoice.invoice_id)
        _same(payments, models.payments(session, invoice.invoice_id))

    d.work.read(read)


def test_the_records_read_by_core_are_the_entities_columns(desk):
    _compare(desk)
    desk.ready()
    _compare(desk)
    invoice_id = desk.view()["invoice_id"]
    desk.work.run(billing.assign_pay_types, invoice_id, {"2": "warranty"}, "E0101", actor_id="M001")
    _compare(desk)  # corrections and a warranty claim
    cmd = {"checks": CHECKS, "fates": {"2": "scrapped"}}
    desk.work.run(billing.deliver, desk.order_id, cmd, roles=["service_advisor"], secret=SECRET, actor_id="A001")
    _compare(desk)
    due = desk.view()["balance"]
    desk.work.run(billing.pay, invoice_id, amount=due, method="cash", secret=SECRET, actor_id="C1")
    _compare(desk)  # a payment and the gate pass
    assert desk.view()["status"] == "paid"


def test_parts_moved_touch_only_a_bill_that_waits(desk):
    waiting = desk.view()
    desk.issued([oil("1", line_no=9, part_no="P-FILTER-OIL")], request_id="r-2")
    assert desk.view()["updated_at"] > waiting["updated_at"]
    desk.ready()
    before = desk.view()
    assert before["status"] == "blocked"  # the filter is not on the quote
    later = before["updated_at"] + timedelta(hours=1)
    blocked = desk.work.read(lambda s: rows.touched_invoice(s, desk.order_id, later))
    assert blocked.updated_at == before["updated_at"] and blocked.status == "blocked"


def test_a_bill_is_the_same_whatever_order_its_events_come_in(tmp_path):
    """order_signed first inserts the bill once; arriving last it finds the bill the other events made."""
    (tmp_path / "first").mkdir()
    (tmp_path / "last").mkdir()
    first = Desk(tmp_path / "first")
    first.issued([oil()])
    first.ready()
    last = Desk.__new__(Desk)
    last.keys, last.signed, last.order_id = first.keys, first.signed, first.order_id
    last.work = service_work("billing", tmp_path / "last", consumer="billing.test")
    billing_seed.reference_data(last.work)
    last.issued([oil()])
    last.ready()
    assert last.view()["waiting_for"] == ["signed_order"]
    last.work.handle(wire_event(names.ORDER_SIGNED, last.signed), billing.record_signed_order, verifier(last.keys))
    skip = ("invoice_id", "updated_at", "visit_id")  # the bill's visit: the correlation of its first event
    assert {k: v for k, v in last.view().items() if k not in skip} == {
        k: v for k, v in first.view().items() if k not in skip
    }
    assert last.view()["status"] == "ready" and last.view()["total"] == Decimal("472.34")


def test_vehicle_ready_bills_the_parts_moved_before_it_as_a_rebuild_after_them_would(tmp_path):
    """vehicle_ready reads the versions, the work and the parts issued and returned in one statement: the bill is
    the one the parts' own events make when they come after it (each rebuild reading them as models.parts_moved)."""
    bills = []
    for name, work_first in (("before", False), ("after", True)):
        (tmp_path / name).mkdir()
        d = Desk(tmp_path / name)
        d.issued([oil()])
        if work_first:
            d.ready()
        d.issued([oil("2", line_no=9, part_no="P-FILTER-OIL")], request_id="r-0")  # listed before r-1 by its id
        d.returned([{"line_no": 9, "part_no": "P-FILTER-OIL", "quantity": "1"}])
        _compare(d)  # the parts moved as one statement reads them, against the entities
        if not work_first:
            d.ready()
        _compare(d)
        bills.append({k: v for k, v in d.view().items() if k in ("status", "lines", "variances", "problems", "total")})
    assert bills[0] == bills[1]
    assert bills[0]["status"] == "blocked" and bills[0]["variances"][0]["key"] == "part:9:P-FILTER-OIL"
