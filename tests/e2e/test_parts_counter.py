"""End to end at the parts counter, with the clerk issuing by hand (PARTS_AUTO_ISSUE=0): a shortage becomes a
backorder, goods-in allocates it and issues the waiting request, the job gets its parts and passes QC; a
return reverses the issue exactly and billing is told (events read off the broker)."""

import json
import uuid
from decimal import Decimal

import pytest
from kombu import Connection, Queue

from contracts import names
from kit.bus import events_exchange
from tests.support.http import eventually
from tests.support.visit import Visit

pytestmark = pytest.mark.e2e

LINE_SETTINGS = {"PARTS_AUTO_ISSUE": "0"}  # requests wait on the counter's queue for the clerk
CLERK, MANAGER = "P001", "M001"
BRAKES = [{"kind": "labour", "code": "LAB-BRAKE-DISC"}, {"kind": "part", "code": "P-DISC-F", "quantity": "2"}]


class PartsEvents:
    """A queue of our own bound to the parts exchange: every event parts publishes, as the broker carries it."""

    def __init__(self, line):
        self.conn = Connection(line.env["AMQP_URI"])
        ns = line.env["BUS_NAMESPACE"]
        self.queue = Queue(
            f"{ns}test.parts-{uuid.uuid4().hex[:6]}", exchange=events_exchange(ns, names.PARTS), routing_key="#"
        )
        self.queue.maybe_bind(self.conn)
        self.queue.declare()
        self.seen: list[dict] = []

    def of(self, event_type: str, **match) -> list[dict]:
        while (message := self.queue.get(no_ack=True)) is not None:
            self.seen.append(json.loads(message.body))
        return [
            m["payload"]
            for m in self.seen
            if m["event_type"] == event_type and all(m["payload"].get(k) == v for k, v in match.items())
        ]

    def close(self):
        self.queue.delete()
        self.conn.release()


@pytest.fixture
def parts_events(line):
    events = PartsEvents(line)
    yield events
    events.close()


def on_queue(client, order_id):
    return eventually(
        lambda: next((r for r in client.get(names.PARTS, "/api/queue")["requests"] if r["order_id"] == order_id), None),
        30,
        what="the request on the counter's queue",
    )


def main_store(client, part_no):
    return next(
        (
            Decimal(s["quantity"])
            for s in client.get(names.PARTS, "/api/stock")["stock"]
            if s["part_no"] == part_no and s["location"] == "MAIN"
        ),
        Decimal("0"),
    )


def test_shortage_backorder_goods_in_issue_and_the_job_passes_qc(client, line, parts_events):
    # the main store has run out of front discs (a count the manager approves)
    pending = [
        c
        for c in client.post(
            names.PARTS, "/api/counts", {"part_no": "P-DISC-F", "counted": "0"}, as_=CLERK, expect=201
        )["counts"]
        if c["status"] == "pending"
    ]
    for c in pending:
        client.post(names.PARTS, f"/api/counts/{c['count_id']}/approve", {}, as_=MANAGER, expect=200)
    assert main_store(client, "P-DISC-F") == 0

    visit = Visit(line, client=client)
    visit.booking.update(planned_labour=["LAB-BRAKE-DISC"], planned_parts=[])
    visit.book()
    visit.check_in()
    visit.write_and_sign_order(lines=BRAKES)
    visit.dispatch()
    request = on_queue(client, visit.order_id)
    assert [(line_["part_no"], Decimal(line_["due"])) for line_ in request["lines"]] == [("P-DISC-F", Decimal("2"))]

    # the clerk scans the disc: none in stock, refused in Chinese and nothing moves
    path = f"/api/issue-requests/{request['request_id']}"
    refused = client.request("POST", names.PARTS, path + "/issue", {"part_no": "P-DISC-F"}, as_=CLERK)
    assert refused.status_code == 422 and "库存不足" in refused.text
    [line_] = request["lines"]
    backorder = client.post(names.PARTS, f"{path}/lines/{line_['line_no']}/backorder", {}, as_=CLERK, expect=201)
    [backordered] = eventually(
        lambda: parts_events.of(names.PARTS_BACKORDERED, order_id=visit.order_id), 30, what="parts_backordered"
    )
    assert backordered["lines"][0]["quantity"] == "2" and backordered["lines"][0]["expected_on"]

    # goods-in against the purchase order: allocated to the waiting request and issued at once
    receipt = client.post(
        names.PARTS,
        "/api/receipts",
        {"purchase_order_ids": [backorder["purchase_order_id"]], "lines": [{"part_no": "P-DISC-F", "quantity": "2"}]},
        as_=CLERK,
        expect=201,
    )
    [received] = eventually(
        lambda: parts_events.of(names.PARTS_RECEIVED, receipt_id=receipt["receipt_id"]), 30, what="parts_received"
    )
    assert [(a["backorder_id"], a["request_id"], a["quantity"]) for a in received["allocated"]] == [
        (backorder["backorder_id"], request["request_id"], "2")
    ]
    [issued] = eventually(lambda: parts_events.of(names.PARTS_ISSUED, order_id=visit.order_id), 30, what="parts_issued")
    assert [(i["part_no"], i["quantity"]) for i in issued["lines"]] == [("P-DISC-F", "2")]

    # the job has its parts: finished and through QC (R-QC-1 waits for every requested part)
    visit.finish_jobs()
    assert visit.pass_quality_check()["status"] == "ready"
    assert main_store(client, "P-DISC-F") == 0


def test_the_clerk_issues_by_scan_and_a_return_reverses_it_exactly(client, line, parts_events):
    visit = Visit(line, client=client)
    visit.book()
    visit.wait_parts_reserved()
    visit.check_in()
    visit.write_and_sign_order()
    before = main_store(client, "P-FILTER-OIL")
    visit.dispatch()
    request = on_queue(client, visit.order_id)
    path = f"/api/issue-requests/{request['request_id']}/issue"
    over = client.request("POST", names.PARTS, path, {"part_no": "P-OIL-5W30", "quantity": "2"}, as_=CLERK)
    assert over.status_code == 422 and over.json()["error"]["field"] == "quantity"
    unsigned = client.request("POST", names.PARTS, path, {"part_no": "P-DISC-F"}, as_=CLERK)
    assert unsigned.status_code == 422 and unsigned.json()["error"]["field"] == "part_no"
    for part_no in ("P-OIL-5W30", "P-FILTER-OIL"):
        client.post(names.PARTS, path, {"part_no": part_no}, as_=CLERK, expect=201)
    assert all(r["order_id"] != visit.order_id for r in client.get(names.PARTS, "/api/queue")["requests"])
    issues = client.get(names.PARTS, f"/api/issues?order_id={visit.order_id}")["issues"]
    assert {(i["part_no"], i["from_location"], i["issued_by"]) for i in issues} == {
        ("P-OIL-5W30", "APPT-SHELF", CLERK),
        ("P-FILTER-OIL", "APPT-SHELF", CLERK),
    }
    filter_line = next(i["line_no"] for i in issues if i["part_no"] == "P-FILTER-OIL")

    # the filter was not needed after all: back to the main store, billing hears of it
    back = {"order_id": visit.order_id, "lines": [{"line_no": filter_line, "quantity": "1"}]}
    client.post(names.PARTS, "/api/returns", back, as_=CLERK, expect=201)
    assert main_store(client, "P-FILTER-OIL") == before + 1
    again = client.request("POST", names.PARTS, "/api/returns", back, as_=CLERK)
    assert again.status_code == 422 and main_store(client, "P-FILTER-OIL") == before + 1
    [returned] = eventually(
        lambda: parts_events.of(names.PARTS_RETURNED, order_id=visit.order_id), 30, what="parts_returned"
    )
    assert returned["lines"] == [{"line_no": filter_line, "part_no": "P-FILTER-OIL", "quantity": "1"}]
    moves = client.get(names.PARTS, f"/api/stock-moves?part_no=P-FILTER-OIL&reference={visit.order_id}")["moves"]
    assert sorted((m["reason"], m["quantity"]) for m in moves) == [("issue", "1"), ("return", "1")]


def test_every_parts_page_opens_for_the_clerk_and_figures_for_the_manager(client, line):
    for path in ("/", "/counter", "/pick-list", "/goods-in", "/returns", "/parts?q=jy", "/counts", "/figures"):
        response = client.request("GET", names.PARTS, path, as_=CLERK)
        assert response.status_code == 200 and "备件" in response.text, path
    assert "机油滤清器" in client.request("GET", names.PARTS, "/parts?q=jylqq", as_=CLERK).text
    figures = client.get(names.PARTS, "/api/figures", as_=MANAGER)
    assert Decimal(figures["stock_value"]) > 0
    assert client.request("POST", names.PARTS, "/api/counts/1/approve", {}, as_=CLERK).status_code == 403
