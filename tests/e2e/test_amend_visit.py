"""End to end (R-WS-3, R-BL-1): the workshop finds more work, the customer consents to one line and declines
another by phone, reception signs version 2, parts issues the consented part, billing settles with the
consented line and not the declined one; version 1 stays readable and verifiable."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from contracts import names
from tests.e2e.test_postgresql import service_databases  # noqa: F401 - the fixture
from tests.support.http import Client, eventually
from tests.support.visit import TECHNICIAN, Visit

pytestmark = pytest.mark.e2e

FOUND = {
    "job_line_no": 1,  # found while on the first job
    "reason": "拆检发现前刹车片磨损至极限，四轮定位偏差",
    "lines": [{"kind": "part", "code": "P-PAD-F", "quantity": "1"}, {"kind": "labour", "code": "LAB-ALIGN"}],
}


def test_additional_work_consented_in_part_travels_to_parts_and_billing(client, line):
    consented_in_part(client, line)


def test_the_same_amended_visit_on_postgresql(service_databases, line_factory):  # noqa: F811 - the fixture
    """Every service on its own PostgreSQL database (the per-dealership deployment)."""
    line = line_factory(**service_databases)
    line.start()
    consented_in_part(Client(line), line)


def consented_in_part(client, line):
    visit = Visit(line)
    visit.book()
    visit.wait_parts_reserved()
    visit.check_in()
    visit.write_and_sign_order()
    visit.dispatch()
    advisor = visit.advisor

    # R-WS-3: the technician reports the found work; nothing on the order changes yet
    reported = client.post(
        names.WORKSHOP, f"/api/work-orders/{visit.order_id}/additional-work", FOUND, as_=TECHNICIAN, expect=201
    )
    assert [job["line_no"] for job in reported["jobs"]] == [1, 2]
    assert reported["additional_work"][0]["status"] == "requested"

    # reception shows it to the advisor
    [request] = eventually(
        lambda: client.get(names.RECEPTION, f"/api/additional-work?order_id={visit.order_id}")["additional_work"],
        visit.timeout,
        what="additional work at reception",
    )
    assert request["reason"] == FOUND["reason"] and request["reported_by"] == TECHNICIAN
    assert request["job_line_no"] == 1
    page = client.request("GET", names.RECEPTION, "/additional-work", as_=advisor).text
    assert "P-PAD-F" in page

    # the advisor prices it (from reception's copy of the list) and re-estimates the delivery time
    amendment = client.post(
        names.RECEPTION,
        f"/api/orders/{visit.order_id}/amendments",
        {"request_id": request["request_id"]},
        as_=advisor,
        expect=201,
    )
    pad, align = amendment["lines"]
    assert (pad["code"], pad["amount"], align["code"], align["amount"]) == ("P-PAD-F", "380.00", "LAB-ALIGN", "300.00")

    # without consent: refused in Chinese, the order is still version 1
    refused = client.post(
        names.RECEPTION,
        f"/api/amendments/{amendment['amendment_id']}/sign",
        {"accepted_lines": [pad["line_no"]]},
        as_=advisor,
        expect=422,
    )
    assert refused["error"]["message"] == "客户尚未同意变更，委托书未作改动"
    assert client.get(names.RECEPTION, f"/api/orders/{visit.order_id}")["signed_version"] == 1

    # the customer consents by phone to the pads and declines the alignment
    consent = {
        "method": "phone",
        "at": datetime.now(UTC).isoformat(),
        "staff_id": advisor,
        "customer_words": "刹车片换吧，四轮定位这次不做",
    }
    signed = client.post(
        names.RECEPTION,
        f"/api/amendments/{amendment['amendment_id']}/sign",
        {"accepted_lines": [pad["line_no"]], "consent": consent},
        as_=advisor,
        expect=200,
    )
    assert signed["status"] == "signed" and signed["new_version"] == 2
    assert signed["declined"] == [align["line_no"]]

    versions = client.get(names.RECEPTION, f"/api/orders/{visit.order_id}/versions")["versions"]
    assert [(v["version"], v["verification"]["valid"]) for v in versions] == [(1, True), (2, True)]
    v1 = client.get(names.RECEPTION, f"/api/orders/{visit.order_id}/versions/1")
    assert v1["verification"]["valid"] and v1["signed"]["order"]["version"] == 1  # still readable
    v2 = client.get(names.RECEPTION, f"/api/orders/{visit.order_id}/versions/2")["signed"]["order"]
    assert v2["amends"] == {"version": 1, "sha256": versions[0]["sha256"]}
    assert [d["code"] for d in v2["declined_lines"]] == ["LAB-ALIGN"]
    assert "LAB-ALIGN" not in {line["code"] for line in v2["lines"]}

    # workshop: version 2 with the technician told; parts: the consented pad issued against version 2
    work_order = eventually(
        lambda: (w := visit.work_order())["version"] == 2 and w["notices"] and w,
        visit.timeout,
        what="workshop on version 2",
    )
    assert work_order["notices"][0]["technician_id"] == TECHNICIAN
    assert [d["code"] for d in work_order["notices"][0]["declined"]] == ["LAB-ALIGN"]
    told = client.request("GET", names.WORKSHOP, f"/work-orders/{visit.order_id}/additional-work", as_=TECHNICIAN)
    assert told.status_code == 200 and "LAB-ALIGN" in told.text and "P-PAD-F" in told.text
    consent_page = client.request("GET", names.RECEPTION, f"/amendments/{amendment['amendment_id']}", as_=advisor)
    assert consent_page.status_code == 200 and "刹车片换吧" not in consent_page.text  # words are in the version
    issues = eventually(
        lambda: [
            i
            for i in client.get(names.PARTS, f"/api/issues?order_id={visit.order_id}")["issues"]
            if i["part_no"] == "P-PAD-F"
        ],  # fmt: skip
        visit.timeout,
        what="the pads issued",
    )
    assert [(i["line_no"], i["order_version"], Decimal(i["quantity"])) for i in issues] == [
        (pad["line_no"], 2, Decimal("1"))
    ]

    visit.finish_jobs()
    visit.pass_quality_check()
    invoice = visit.invoice()
    assert invoice["problems"] == []
    codes = [line["code"] for line in invoice["lines"]]
    assert "P-PAD-F" in codes and "LAB-ALIGN" not in codes
    assert Decimal(invoice["total"]) == Decimal(v2["total"])
    assert invoice["order_version"] == 2
    visit.deliver()
    paid = visit.pay(invoice["total"])
    assert paid["status"] == "paid"

    page = client.request("GET", names.RECEPTION, f"/orders/{visit.order_id}/versions", as_=advisor).text
    assert "v1" in page and "v2" in page and "四轮定位" in page
