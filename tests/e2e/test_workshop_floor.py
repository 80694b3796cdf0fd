"""The workshop floor on the whole line (R-WS-2, R-WS-4, R-QC-1..4): a failed quality check goes back for rework
and the advisor hears of it, then passes; a stock-out waits for parts and resumes when they are issued; an expert
ticket answered late alerts the service manager (the line's clock is moved, never waited for)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from contracts import names
from tests.support.broker import envelope, publish
from tests.support.factories import SIGNATURE_PNG
from tests.support.http import eventually
from tests.support.visit import QC_INSPECTOR, TECHNICIAN, Visit, finish_body, inspection_body

pytestmark = pytest.mark.e2e
LINE_CLOCK = True
SHANGHAI = ZoneInfo("Asia/Shanghai")

BRAKES = [{"kind": "labour", "code": "LAB-BRAKE-DISC"}, {"kind": "part", "code": "P-DISC-F", "quantity": "200"}]


def notices(client, order_id):
    return [n["kind"] for n in client.get(names.RECEPTION, f"/api/orders/{order_id}/notices")["notices"]]


def repaired(line, client, lines=None) -> Visit:
    visit = Visit(line, client=client)
    visit.book()
    visit.check_in()
    if lines:
        visit.write_and_sign_order(lines)
    else:
        visit.write_and_sign_order()
    visit.dispatch()
    return visit


def test_qc_fail_goes_back_for_rework_tells_the_advisor_then_passes_and_the_car_is_ready(client, line):
    visit = repaired(line, client)
    visit.finish_jobs()
    work_order = visit.work_order()
    first_line = work_order["jobs"][0]["line_no"]
    failing = inspection_body(work_order, fail={"work_done": (first_line, "节气门未复位")})
    failed = eventually(
        lambda: client.post_if(
            names.WORKSHOP, f"/api/work-orders/{visit.order_id}/quality-check", failing, as_=QC_INSPECTOR, ok=200
        ),
        30,
        what="the quality check (after the parts are issued)",
    )
    assert failed["status"] == "in_progress" and failed["non_conformances"][0]["technician_id"] == TECHNICIAN
    back = next(j for j in failed["jobs"] if j["line_no"] == first_line)
    assert back["status"] == "in_progress" and back["reworks"] == 1
    eventually(lambda: "qc_failed" in notices(client, visit.order_id), 30, what="the advisor told of the fail")

    client.post(
        names.WORKSHOP,
        f"/api/work-orders/{visit.order_id}/jobs/{first_line}/finish",
        finish_body(back),
        as_=TECHNICIAN,
        expect=200,
    )
    passed = visit.pass_quality_check()
    assert passed["status"] == "ready" and passed["quality_checks"][-1]["finished_bay"] == "F1"
    eventually(lambda: "ready" in notices(client, visit.order_id), 30, what="the ready notice")


def test_a_stock_out_waits_for_parts_and_resumes_when_they_are_issued(client, line):
    """More front discs than the shelf holds: the parts counter refuses; the job waits with the expected date and
    the advisor hears of the delay; goods-in and the issue (put on the broker as the parts counter sends them)
    end the wait."""
    visit = repaired(line, client, BRAKES)
    waiting = eventually(lambda: (w := visit.work_order())["waiting_parts"] and w, 30, what="the job waiting for parts")
    assert [j["pause_reason"] for j in waiting["jobs"]] == ["waiting_parts"]
    part_line = next(line_no for r in waiting["parts_requested"] for line_no in [r["lines"][0]["line_no"]])
    expected = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    amqp, ns = line.env["AMQP_URI"], line.env["BUS_NAMESPACE"]
    backordered = {
        "backorder_id": "bo-" + visit.order_id[:8],
        "purchase_order_id": "po-1",
        "order_id": visit.order_id,
        "lines": [{"part_no": "P-DISC-F", "quantity": "200", "expected_on": expected, "line_no": part_line}],
    }
    publish(amqp, ns, envelope(names.PARTS_BACKORDERED, backordered, correlation_id=visit.visit_id))
    eventually(lambda: visit.work_order()["parts_expected_on"] == expected, 30, what="the expected date")
    eventually(lambda: "delay" in notices(client, visit.order_id), 30, what="the delay notice (order_at_risk)")

    issued_so_far = sum(float(p["quantity"]) for p in visit.work_order()["parts_received"])
    rest = str(int(200 - issued_so_far))
    issued = {
        "request_id": "goods-in-" + visit.order_id[:8],
        "order_id": visit.order_id,
        "order_version": 1,
        "lines": [{"line_no": part_line, "part_no": "P-DISC-F", "quantity": rest, "from_location": "MAIN"}],
    }
    publish(amqp, ns, envelope(names.PARTS_ISSUED, issued, correlation_id=visit.visit_id))
    resumed = eventually(lambda: (w := visit.work_order()) and not w["waiting_parts"] and w, 30, what="resumed")
    assert [j["pause_reason"] for j in resumed["jobs"]] == [None]
    started = client.post(
        names.WORKSHOP,
        f"/api/work-orders/{visit.order_id}/jobs/{resumed['jobs'][0]['line_no']}/start",
        {},
        as_=TECHNICIAN,
        expect=200,
    )
    assert started["jobs"][0]["clock"] == "running"


def test_an_expert_ticket_answered_late_alerts_the_service_manager(client, line, line_clock):
    """R-WS-4: past the 30-minute target the workshop's timer alerts the manager; the late answer is recorded."""
    visit = repaired(line, client)
    line_no = visit.work_order()["jobs"][0]["line_no"]
    photo = SIGNATURE_PNG  # any small PNG from the tablet's camera
    ticket = client.post(
        names.WORKSHOP,
        f"/api/work-orders/{visit.order_id}/jobs/{line_no}/help",
        {"question": "怠速抖动，已清洗节气门仍不好", "photos": [photo]},
        as_=TECHNICIAN,
        expect=201,
    )
    client.post(
        names.WORKSHOP,
        f"/api/work-orders/{visit.order_id}/jobs/{line_no}/help",
        {"question": "x"},
        as_="T002",
        expect=403,
    )
    line_clock(31 * 60)
    alert = eventually(
        lambda: [
            a
            for a in client.get(names.WORKSHOP, "/api/manager-alerts")["alerts"]
            if a["subject_id"] == ticket["ticket_id"]
        ],
        20,
        what="the service manager alerted",
    )
    assert alert[0]["kind"] == "expert_late"
    answered = client.post(
        names.WORKSHOP,
        f"/api/help-tickets/{ticket['ticket_id']}/answer",
        {"answer": "检查进气歧管是否漏气"},
        as_="E001",
        expect=200,
    )
    assert answered["late"] and answered["minutes_to_answer"] >= 30 and answered["manager_alerted_at"]
    numbers = client.get(names.WORKSHOP, "/api/numbers?period=week", as_="M001")
    assert [a for a in numbers["alerts"] if a["subject_id"] == ticket["ticket_id"]]


def test_the_dispatch_board_shows_the_timeline_of_the_day_asked_and_refuses_a_day_it_cannot_be(client, line):
    """Late in the day a job is planned for the next morning: the dispatcher asks the board for that day."""
    visit = repaired(line, client)
    job = visit.work_order()["jobs"][0]
    planned = datetime.fromisoformat(job["planned_start"])
    day = planned.astimezone(SHANGHAI).date()
    board = client.get(names.WORKSHOP, f"/api/dispatch-board?day={day.isoformat()}", as_="D001")
    assert board["day"] == day.isoformat()
    bars = next(r["bars"] for r in board["timeline"]["rows"] if r["id"] == job["technician_id"])
    assert bars  # the job on its technician's row of the day it is planned on
    for asked in ("2026-13-01", "tomorrow", (day + timedelta(days=400)).isoformat()):
        refused = client.request("GET", names.WORKSHOP, f"/api/dispatch-board?day={asked}", as_="D001")
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "day", refused.text
