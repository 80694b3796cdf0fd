"""The counter's automatic issue (PARTS_AUTO_ISSUE, the line's default) on a real migrated schema: what a
parts_requested writes when everything is read first and written together - the visit's shelf drawn first, then
the warehouse; first-time fill and the request's status set as it is inserted; a line stock cannot fill refused
and ordered once (with the visit's shelf backorder attached to it); the request re-sent changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contracts import names
from services.parts import handlers as parts
from services.parts import seed as parts_seed
from services.parts.models import IssueRequest, RequestLine, StockLevel
from tests.support.db import service_work, snapshot, wire_event
from tests.support.factories import make_mobile, make_plate, make_vin

D = Decimal


@pytest.fixture
def work(tmp_path):
    work = service_work("parts", tmp_path, consumer="parts.test")
    parts_seed.reference_data(work)
    return work


def set_stock(work, part_no, quantity):
    count = work.run(parts.record_count, part_no, "MAIN", quantity, actor_id="P001")
    work.run(parts.decide_count, count.count_id, True, actor_id="M001")


def book(work, appointment_id, planned):
    payload = {
        "appointment_id": appointment_id,
        "visit_id": f"visit-{appointment_id}",
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
        "advisor_id": "A001",
        "starts_at": datetime.now(UTC) + timedelta(days=1),
        "planned_parts": [{"part_no": p, "quantity": q} for p, q in planned],
    }
    work.handle(wire_event(names.APPOINTMENT_BOOKED, payload, f"visit-{appointment_id}"), parts.reserve_for_appointment)


def request(work, request_id, order, lines):
    payload = {
        "request_id": request_id,
        "technician_id": "T001",
        "signed_order": {"order": order, "signature": "signed", "key_id": "k1"},
        "lines": [{"line_no": n, "quantity": q} for n, q in lines],
    }
    event = wire_event(names.PARTS_REQUESTED, payload, order["visit_id"])
    return work.handle(event, parts.issue_against_order, lambda signed: order, True)


def level(work, part_no, location="MAIN"):
    row = work.read(lambda s: s.get(StockLevel, (part_no, location)))
    return row.quantity if row else None


def outbox(work, event_type):
    rows = work.read(lambda s: s.execute(sa.text("SELECT body FROM outbox ORDER BY id")).all())
    return [json.loads(r[0])["payload"] for r in rows if json.loads(r[0])["event_type"] == event_type]


def request_rows(work, request_id):
    def read(session):
        req = session.get(IssueRequest, request_id)
        lines = session.scalars(sa.select(RequestLine).filter_by(request_id=request_id).order_by(RequestLine.line_no))
        return req.status, [(r.line_no, r.part_no, r.requested, r.first_time_full) for r in lines]

    return work.read(read)


ORDER = {
    "order_id": "ro-1",
    "version": 1,
    "visit_id": "visit-ap-1",
    "lines": [
        {"line_no": 1, "kind": "labour", "code": "LAB-OIL", "quantity": "0.6"},
        {"line_no": 2, "kind": "part", "code": "P-OIL-5W30", "quantity": "1"},
        {"line_no": 3, "kind": "part", "code": "P-PAD-F", "quantity": "4"},
        {"line_no": 4, "kind": "part", "code": "P-DISC-F", "quantity": "2"},
    ],
}


def test_the_shelf_is_drawn_first_then_the_warehouse_and_the_request_is_done(work):
    book(work, "ap-1", (("P-OIL-5W30", "1"), ("P-PAD-F", "2")))
    main_pads = level(work, "P-PAD-F")
    request(work, "r-1", ORDER, ((2, "1"), (3, "4")))
    [issued] = outbox(work, names.PARTS_ISSUED)
    assert [(n["line_no"], n["quantity"], n["from_location"]) for n in issued["lines"]] == [
        (2, "1", "APPT-SHELF"),
        (3, "2", "APPT-SHELF"),
        (3, "2", "MAIN"),
    ]
    assert (level(work, "P-PAD-F"), level(work, "P-PAD-F", "APPT-SHELF")) == (main_pads - 2, D("0"))
    assert request_rows(work, "r-1") == ("done", [(2, "P-OIL-5W30", D("1"), True), (3, "P-PAD-F", D("4"), True)])
    assert [r["status"] for r in work.read(parts.reservations, "ap-1")] == ["issued", "issued"]
    moves = work.read(parts.stock_moves, reference="ro-1#3")
    assert sorted((m["from_location"], m["quantity"]) for m in moves) == [("APPT-SHELF", D("2")), ("MAIN", D("2"))]
    state = snapshot(work)
    assert request(work, "r-1", ORDER, ((2, "1"), (3, "4"))) is True  # re-sent under a new event id
    assert snapshot(work, skip=("inbox", "audit_log")) == {k: v for k, v in state.items() if k != "audit_log"}


def test_a_line_stock_cannot_fill_is_refused_and_ordered_once_with_the_shelfs_backorder(work):
    set_stock(work, "P-DISC-F", "1")
    book(work, "ap-1", (("P-DISC-F", "2"),))  # one on the shelf, one on order for the visit
    [shelf_order] = work.read(parts.backorders, "ap-1")
    request(work, "r-1", ORDER, ((4, "2"), (2, "1"), (1, "1")))
    [refused] = outbox(work, names.PARTS_ISSUE_REFUSED)
    assert [n["line_no"] for n in refused["lines"]] == [4, 1]  # stock short; not a part line
    [issued] = outbox(work, names.PARTS_ISSUED)
    assert [(n["line_no"], n["from_location"]) for n in issued["lines"]] == [(2, "MAIN")]
    assert request_rows(work, "r-1") == (
        "open",
        [(2, "P-OIL-5W30", D("1"), True), (4, "P-DISC-F", D("2"), False)],
    )
    on_order = work.read(parts.backorders, None, "ro-1")
    assert shelf_order["backorder_id"] in {b["backorder_id"] for b in on_order}
    assert sorted((b["quantity"], b["request_id"], b["line_no"]) for b in on_order) == [
        (D("1"), "r-1", 4),  # the shelf's backorder now serves the line
        (D("1"), "r-1", 4),  # and the one unit the shelf holds but the line cannot take from stock
    ]
    request(work, "r-2", ORDER, ((4, "2"),))  # asked again: nothing ordered twice
    assert len(work.read(parts.backorders, None, "ro-1")) == 2


def test_a_booking_reserves_what_stock_holds_of_the_parts_the_master_knows_and_orders_the_rest_once(work):
    """The stock rows are locked and read with the parts' lead times in one statement; a planned part without a
    stock row (an old number) or not in the master is read apart: the first is short and ordered, the second
    reserves nothing; the booking re-sent changes nothing."""
    oil = level(work, "P-OIL-5W30")
    book(work, "ap-7", (("P-OIL-5W30", "1"), ("P-PAD-F-OLD", "2"), ("P-NOPE", "1")))
    [short] = outbox(work, names.PARTS_SHORT)
    assert short["reserved"] == [{"part_no": "P-OIL-5W30", "quantity": "1"}]
    assert [(s["part_no"], s["quantity_short"]) for s in short["short"]] == [("P-PAD-F-OLD", "2")]
    assert (level(work, "P-OIL-5W30"), level(work, "P-OIL-5W30", "APPT-SHELF")) == (oil - 1, D("1"))
    assert [(r["part_no"], r["status"]) for r in work.read(parts.reservations, "ap-7")] == [("P-OIL-5W30", "reserved")]
    [backorder] = work.read(parts.backorders, "ap-7")
    assert (backorder["part_no"], backorder["quantity"]) == ("P-PAD-F-OLD", D("2"))
    state = snapshot(work)
    book(work, "ap-7", (("P-OIL-5W30", "1"), ("P-PAD-F-OLD", "2"), ("P-NOPE", "1")))  # re-sent under a new event id
    assert snapshot(work, skip=("inbox", "audit_log")) == {k: v for k, v in state.items() if k != "audit_log"}
    book(work, "ap-8", (("P-NOPE", "1"),))  # nothing the master knows: nothing reserved, nothing ordered
    assert work.read(parts.reservations, "ap-8") == [] and work.read(parts.backorders, "ap-8") == []
