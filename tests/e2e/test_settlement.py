"""End to end, settlement and delivery (R-BL-1..6): a blocked invoice put right by the manager and settled by
two payment methods, the gate pass accepted once then refused; a warranty and customer split with declined
safety work signed off as a waiver and the next service booked through booking."""

from decimal import Decimal

import pytest

from contracts import names
from tests.support.broker import envelope, publish
from tests.support.factories import SIGNATURE_PNG, make_booking
from tests.support.http import eventually
from tests.support.visit import DELIVERY_CHECKS, Visit

pytestmark = pytest.mark.e2e

MANAGER, CASHIER, GUARD = "M001", "C001", "G001"


def emit(line, event_type, payload, correlation_id):
    """An event as its producer would put it on the line's broker (the parts counter, the workshop)."""
    publish(line.env["AMQP_URI"], line.env["BUS_NAMESPACE"], envelope(event_type, payload, correlation_id))


def up_to_quality_check(line) -> Visit:
    visit = Visit(line)
    visit.book()
    visit.wait_parts_reserved()
    visit.check_in()
    visit.write_and_sign_order()
    visit.dispatch()
    visit.finish_jobs()
    visit.pass_quality_check()
    return visit


def test_a_blocked_invoice_is_adjusted_settled_by_two_methods_and_its_gate_pass_used_once(client, line):
    visit = up_to_quality_check(line)
    invoice = visit.invoice()
    # the parts counter issues a filter that is not on the signed quote: the invoice is blocked (R-BL-1)
    extra = {"line_no": 9, "part_no": "P-FILTER-OIL", "quantity": "1", "from_location": "MAIN"}
    issue = {
        "request_id": f"extra-{visit.order_id[:8]}",
        "order_id": visit.order_id,
        "order_version": 1,
        "lines": [extra],
    }
    emit(line, names.PARTS_ISSUED, issue, visit.visit_id)
    blocked = visit.invoice("blocked")
    assert blocked["variances"][0]["key"] == "part:9:P-FILTER-OIL"
    path = f"/api/invoices/{invoice['invoice_id']}"

    too_much = client.request(
        "POST", names.BILLING, path + "/adjust", {"discount": "500.00", "reason": "x"}, as_=MANAGER
    )
    assert too_much.status_code == 422 and too_much.json()["error"]["field"] == "discount"
    adjusted = client.post(
        names.BILLING, path + "/adjust", {"waive": ["part:9:P-FILTER-OIL"], "reason": "多领机滤，店内承担"}, as_=MANAGER
    )
    assert adjusted["status"] == "ready" and Decimal(adjusted["total"]) == Decimal("741.28")
    assert [c["kind"] for c in adjusted["corrections"]] == ["adjustment", "re_audit"]

    refused = client.request("POST", names.BILLING, path + "/pay", {"amount": "741.28", "method": "cash"}, as_=CASHIER)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_delivered"
    visit.deliver()
    fractional = client.request(
        "POST", names.BILLING, path + "/pay", {"amount": "741.284", "method": "cash"}, as_=CASHIER
    )
    assert fractional.status_code == 422 and fractional.json()["error"]["field"] == "amount"
    part = client.post(names.BILLING, path + "/pay", {"amount": "300.00", "method": "cash"}, as_=CASHIER)
    assert part["status"] == "ready" and Decimal(part["balance"]) == Decimal("441.28")
    paid = client.post(names.BILLING, path + "/pay", {"amount": "441.28", "method": "wechat"}, as_=CASHIER)
    assert paid["status"] == "paid" and [p["method"] for p in paid["payments"]] == ["cash", "wechat"]
    visit.follow_up_call()

    gate = {"token": paid["gate_pass"]["token"], "plate": visit.booking["vehicle"]["plate"]}
    assert client.post(names.BILLING, "/api/gate/check", gate, as_=GUARD)["may_leave"] is True
    again = client.request("POST", names.BILLING, "/api/gate/check", gate, as_=GUARD)
    assert again.status_code == 422 and again.json()["error"]["code"] == "used"
    forged = client.request("POST", names.BILLING, "/api/gate/check", {**gate, "token": "GP1.沪A1.xx"}, as_=GUARD)
    assert forged.status_code == 422 and forged.json()["error"]["code"] == "forged"
    alerts = client.get(names.BILLING, "/api/gate/alerts", as_=MANAGER)["alerts"]
    assert {"used", "forged"} <= {a["cause"] for a in alerts}

    pdf = client.request("GET", names.BILLING, f"/invoices/{invoice['invoice_id']}/settlement.pdf", as_=CASHIER)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    for page in (f"/invoices/{invoice['invoice_id']}", "/prices", "/numbers", "/"):
        assert client.request("GET", names.BILLING, page, as_=MANAGER).status_code == 200, page
    assert Decimal(client.get(names.BILLING, "/api/numbers", as_=MANAGER)["discounts"]["M001"]) >= Decimal("58.00")


def test_warranty_and_customer_split_with_a_waiver_and_the_next_service_booked(client, line):
    visit = up_to_quality_check(line)
    invoice = visit.invoice()
    # the quality check's findings (R-QC-3) as the workshop reports them with vehicle_ready
    work_order = client.get(names.WORKSHOP, f"/api/work-orders/{visit.order_id}")
    ready = {
        "order_id": visit.order_id,
        "order_version": 1,
        "jobs_done": [
            {"line_no": j["line_no"], "code": j["code"], "hours": str(j.get("hours") or "0.5"), "technician_id": "T001"}
            for j in work_order["jobs"]
        ],
        "parts_used": [
            {"line_no": 3, "part_no": "P-OIL-5W30", "quantity": "1"},
            {"line_no": 4, "part_no": "P-FILTER-OIL", "quantity": "1"},
        ],
        "inspector_id": "Q001",
        "ready_at": "2026-12-01T08:00:00+00:00",
        "deferred_work": [{"description": "后制动片剩余2mm，建议立即更换", "urgency": "safety"}],
        "wear": [{"item": "pad_rear", "measured_mm": "2", "limit_mm": "3"}],
    }
    emit(line, names.VEHICLE_READY, ready, visit.visit_id)
    delivery_path = f"/api/deliveries/{visit.order_id}"
    view = eventually(
        lambda: (v := client.get(names.BILLING, delivery_path, as_=visit.advisor))["safety_declined"] and v,
        30,
        what="the QC findings at delivery",
    )
    assert view["wear"][0]["item"] == "pad_rear"

    path = f"/api/invoices/{invoice['invoice_id']}"
    split = client.post(
        names.BILLING, path + "/pay-types", {"pay_types": {"1": "warranty"}, "failure_code": "P0171"}, as_=MANAGER
    )
    assert set(split["bills"]) == {"customer", "warranty"}
    assert split["warranty_claim"]["failure_code"] == "P0171"
    assert Decimal(split["customer_total"]) + Decimal(split["bills"]["warranty"]["total"]) == Decimal("741.28")

    # the next service, booked on the spot through booking's own API (R-BL-4)
    booking = make_booking(
        customer=visit.booking["customer"], vehicle=visit.booking["vehicle"], vin=visit.booking["vin"]
    )
    next_booking = client.post(names.BOOKING, "/api/appointments", booking, as_=visit.advisor, expect=201)

    body = {"checks": dict.fromkeys(DELIVERY_CHECKS, True), "fates": {"3": "returned_to_customer", "4": "scrapped"}}
    unsigned = client.request("POST", names.BILLING, delivery_path, body, as_=visit.advisor)
    assert unsigned.status_code == 422 and unsigned.json()["error"]["field"] == "waiver_signature"
    other = client.request(
        "POST", names.BILLING, delivery_path, {**body, "waiver_signature": SIGNATURE_PNG}, as_="A002"
    )
    assert other.status_code in (403, 422)
    next_service = {"km": 40210, "appointment_id": next_booking["appointment_id"]}
    done = client.post(
        names.BILLING,
        delivery_path,
        {**body, "waiver_signature": SIGNATURE_PNG, "next_service": next_service},
        as_=visit.advisor,
        expect=201,
    )
    assert done["delivered"]["waiver_signature"] and done["delivered"]["next_service"]["appointment_id"]
    paid = client.post(names.BILLING, path + "/pay", {"amount": split["customer_total"], "method": "card"}, as_=CASHIER)
    assert paid["status"] == "paid"
    assert client.get(names.BOOKING, f"/api/appointments/{next_booking['appointment_id']}")["status"] == "booked"


def test_the_guard_records_an_arriving_car_and_guides_it_to_a_free_bay(client, line):
    """R-RC-8a: the guard's gate-in page (reception) reuses the check-in and the pre-inspection area."""
    visit = Visit(line)
    visit.book()
    eventually(
        lambda: client.get(names.RECEPTION, f"/api/expected-arrivals?appointment_id={visit.appointment_id}")[
            "expected_arrivals"
        ],
        30,
        what="reception to expect the car",
    )
    short = client.request("POST", names.RECEPTION, "/api/gate-in", {"plate": "x"}, as_=GUARD)
    assert short.status_code == 422 and short.json()["error"]["field"] == "plate"
    arrived = client.post(
        names.RECEPTION, "/api/gate-in", {"plate": visit.booking["vehicle"]["plate"]}, as_=GUARD, expect=201
    )
    assert arrived["appointment_id"] == visit.appointment_id
    area = client.get(names.RECEPTION, "/api/gate-in", as_=GUARD)
    on_bay = {b["bay"]: b["visit"]["plate"] for b in area["bays"] if b["visit"]}
    assert arrived["on_bay"] in on_bay or any(w["plate"] == arrived["plate"] for w in area["waiting"])
    assert client.request("GET", names.BILLING, "/api/invoices", as_=GUARD).status_code == 403  # no money for the guard
