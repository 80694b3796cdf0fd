"""End to end: a visit from the booking call to the follow-up call, through public interfaces only."""

from decimal import Decimal

import pytest

from tests.support.visit import Visit

pytestmark = pytest.mark.e2e


def test_a_visit_travels_from_booking_to_follow_up(client, line):
    visit = Visit(line)
    call_ = visit.through_to_delivery()

    appointment = client.get("booking", f"/api/appointments/{visit.appointment_id}")
    assert appointment["parts_status"] == "reserved"  # R-BK-6

    reservations = client.get("parts", f"/api/reservations?appointment_id={visit.appointment_id}")
    assert {r["part_no"]: r["status"] for r in reservations["reservations"]} == {
        "P-OIL-5W30": "issued",
        "P-FILTER-OIL": "issued",
    }
    issues = client.get("parts", f"/api/issues?order_id={visit.order_id}")["issues"]
    assert sorted((i["line_no"], i["part_no"], i["from_location"]) for i in issues) == [
        (3, "P-OIL-5W30", "APPT-SHELF"),
        (4, "P-FILTER-OIL", "APPT-SHELF"),
    ]

    order = client.get("reception", f"/api/orders/{visit.order_id}")
    assert order["status"] == "signed" and [v["version"] for v in order["versions"]] == [1]

    work_order = client.get("workshop", f"/api/work-orders/{visit.order_id}")
    assert work_order["status"] == "ready"
    assert all(job["status"] == "done" for job in work_order["jobs"])

    invoice = client.get("billing", f"/api/invoices/by-order/{visit.order_id}")
    # 0.6 h + 0.5 h at 300.00, oil 268.00, filter 58.00 -> 656.00 + 13% VAT 85.28
    assert invoice["status"] == "paid" and invoice["problems"] == []
    assert Decimal(invoice["subtotal"]) == Decimal("656.00")
    assert Decimal(invoice["total"]) == Decimal("741.28") == Decimal(order["draft"]["total"])
    assert invoice["gate_pass_no"]

    assert call_["assigned_to"] not in (None, visit.booking["advisor_id"])  # R-FU-2
    assert call_["status"] == "scheduled"
