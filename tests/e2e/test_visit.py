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


def test_each_service_shows_who_did_what_to_the_order(client, line):
    """Issue #3: every change records the staff member and time; the acting staff travels in the envelope."""
    visit = Visit(line)
    visit.through_to_delivery()

    def trail(service, subject):
        rows = client.get(service, f"/api/audit?subject={subject}")["trail"]
        return [(row["action"], row["actor_id"]) for row in rows]

    assert trail("reception", visit.order_id) == [("write_order", "A001"), ("sign_order", "A001")]
    workshop = trail("workshop", visit.visit_id)
    commands = [row for row in workshop if not row[0].startswith("workshop.")]
    assert commands == [("dispatch", "D001"), ("finish_job", "T001"), ("finish_job", "T001"), ("quality_check", "Q001")]
    # the booked visit's capacity hold was confirmed before the signed order came (R-BK-4)
    handled = [action for action, _ in workshop if action.startswith("workshop.")]
    assert handled.index("workshop.confirm_capacity") < handled.index("workshop.take_signed_order")
    assert ("workshop.take_parts_issued", None) in workshop
    assert ("pay", "C001") in trail("billing", visit.order_id)
    # the signed order's event carried its signer: the workshop's inbox entry names A001
    rows = client.get("workshop", f"/api/audit?subject={visit.visit_id}")["trail"]
    first = next(row for row in rows if row["action"] == "workshop.take_signed_order")
    assert first["detail"]["by"] == "A001" and first["detail"]["event_type"] == "order_signed"
    page = client.request("GET", "workshop", f"/audit?subject={visit.order_id}").text
    assert "D001" in page and "<table>" in page


def test_the_workshop_board_refreshes_itself_and_follow_up_calls_are_searchable(client, line):
    visit = Visit(line)
    visit.through_to_delivery()
    plate = visit.booking["vehicle"]["plate"]

    board_page = client.request("GET", "workshop", "/").text
    assert 'hx-get="/board"' in board_page and 'hx-trigger="every 10s"' in board_page
    fragment = client.request("GET", "workshop", "/board").text
    assert plate in fragment and "<html" not in fragment

    found = client.get("followup", f"/api/calls?q={plate}")  # 沪A…: Chinese is searchable
    assert [c["order_id"] for c in found["calls"]] == [visit.order_id] and found["total"] == 1
    assert client.get("followup", "/api/calls?q=NO-SUCH-PLATE")["calls"] == []
