"""Follow-up on the whole line (R-FU-1..5, R-CR-1..4): a sales upload makes the 24-hour and 7-day care tasks and a
care contact books the next visit through booking; a delivered car's call ends in a complaint that the department
manager re-contacts late, which escalates it, and that is closed with the customer's agreement; an unreachable
customer gets the SMS through a local gateway. The tests move the line's clock (never sleep), each further than
the one before."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

import pytest
import requests

from contracts import names
from tests.support.factories import SHANGHAI, make_mobile, make_plate, make_vin
from tests.support.http import Client, eventually
from tests.support.infra import free_port
from tests.support.sms import Gateway
from tests.support.visit import Visit

pytestmark = pytest.mark.e2e
LINE_CLOCK = True
GATEWAY_PORT = free_port()
LINE_SETTINGS = {"SMS_GATEWAY_URL": f"http://127.0.0.1:{GATEWAY_PORT}/sms"}
AGENT, MANAGER, WORKSHOP_MANAGER = "F001", "M001", "D001"


@pytest.fixture(scope="module", autouse=True)
def gateway():
    server = Gateway(GATEWAY_PORT)
    yield server
    server.close()


@pytest.fixture(scope="module")
def delivered(module_line):
    """Two cars driven to delivery before any test moves the clock (bookings are made at real times)."""
    visits = [Visit(module_line, client=Client(module_line)) for _ in range(2)]
    return [(visit, visit.through_to_delivery()) for visit in visits]


def offset_to(at: datetime) -> float:
    return (at - datetime.now(SHANGHAI)).total_seconds()


def test_a_sales_upload_makes_the_care_tasks_and_a_care_contact_books_a_visit(client, line):
    """R-CR-1, R-CR-2 (24 hours, 7 days), R-CR-4 / R-BL-4: the contact books through booking's API."""
    mobile, vin, handed = make_mobile(), make_vin(), datetime.now(SHANGHAI).replace(microsecond=0)
    csv_text = (
        "姓名,手机,车架号,车牌,车型,交车时间,销售顾问,销售经理,生日,城市\n"
        f"李四,{mobile},{vin},{make_plate()},帕萨特,{handed.strftime('%Y-%m-%d %H:%M')},SP01,SM01,1985-12-20,上海\n"
    )
    uploaded = requests.post(
        line.url(names.FOLLOWUP, "/care/handovers/upload"),
        files={"file": ("sales.csv", csv_text.encode("utf-8"), "text/csv")},
        headers={"Authorization": f"Bearer {client.token(AGENT)}"},
        allow_redirects=False,
        timeout=15,
    )
    assert uploaded.status_code == 303, uploaded.text
    care_file = client.get(names.FOLLOWUP, f"/api/care/customers/{mobile}", as_=AGENT)
    due = {t["kind"]: datetime.fromisoformat(t["due_at"]) for t in care_file["tasks"]}
    assert due["thank_you_letter"] == due["sales_manager_call"] == handed.replace(second=0) + timedelta(hours=24)
    assert due["salesperson_call"] == handed.replace(second=0) + timedelta(days=7)

    contact = {
        "channel": "phone",
        "result": "车况良好，预约首保",
        "task_id": next(t["task_id"] for t in care_file["tasks"] if t["kind"] == "sales_manager_call"),
        "book_visit": True,
        "advisor_id": "A002",
    }
    answer = client.post(names.FOLLOWUP, f"/api/care/customers/{mobile}/contacts", contact, as_=AGENT, expect=201)
    appointment = client.get(names.BOOKING, f"/api/appointments/{answer['booked']['appointment_id']}")
    assert appointment["vehicle"]["vin"] == vin and appointment["advisor_id"] == "A002"
    assert answer["file"]["log"][0]["booked_appointment"] == appointment["appointment_id"]

    opted_out = {"consent": False, "opted_out": ["sms"]}
    client.post(names.FOLLOWUP, f"/api/care/customers/{mobile}", opted_out, as_=AGENT, expect=200)
    refused = client.post(
        names.FOLLOWUP, f"/api/care/customers/{mobile}/contacts", {"channel": "sms", "result": "生日快乐"}, as_=AGENT
    )
    assert refused["error"]["field"] == "channel"


def test_a_complaint_re_contacted_late_is_escalated_and_closed_with_the_customers_agreement(
    client, line, line_clock, delivered
):
    """R-FU-1..5: delivery -> call task -> complaint -> manager re-contact late -> escalation -> closed."""
    visit, call = delivered[0]
    assert call["assigned_to"] and call["assigned_to"] != visit.advisor  # R-FU-2
    refused = client.post(
        names.FOLLOWUP, f"/api/calls/{call['call_id']}/assign", {"assigned_to": visit.advisor}, as_=MANAGER
    )
    assert refused["error"]["field"] == "assigned_to"

    line_clock(offset_to(datetime.fromisoformat(call["due_from"]) + timedelta(hours=10)))
    outcome = {
        "outcome": "complaint",
        "words": "保养后发动机有异响，等车也等了很久",
        "scores": {"booking": 5, "reception": 4, "workshop": 2, "settlement": 4},
        "cause": "workmanship",
    }
    done = client.post(names.FOLLOWUP, f"/api/calls/{call['call_id']}/outcome", outcome, as_=call["assigned_to"])
    assert done["status"] == "done" and done["scores"]["workshop"] == 2
    [complaint] = [
        c for c in client.get(names.FOLLOWUP, "/api/complaints")["complaints"] if c["call_id"] == call["call_id"]
    ]
    assert (complaint["department"], complaint["manager_id"]) == ("workshop", WORKSHOP_MANAGER)

    line_clock(offset_to(datetime.fromisoformat(complaint["recontact_by"]) + timedelta(hours=1)))
    path = f"/api/complaints/{complaint['complaint_id']}"
    escalated = eventually(lambda: (c := client.get(names.FOLLOWUP, path))["escalated_at"] and c, 20, what="escalation")
    assert escalated["state"] == "escalated"
    recontact = {"note": "已致电客户致歉，约定返厂检查", "remedy": "免费检查并返修"}
    client.post(names.FOLLOWUP, f"{path}/recontact", recontact, as_=WORKSHOP_MANAGER, expect=200)
    action = {"kind": "corrective", "text": "复训拧紧力矩", "owner": "D001", "due_on": "2099-01-01"}
    client.post(names.FOLLOWUP, f"{path}/actions", action, as_=MANAGER, expect=201)

    booked = client.post(names.FOLLOWUP, f"{path}/book", {}, as_=WORKSHOP_MANAGER, expect=201)  # priority return
    starts = datetime.fromisoformat(booked["starts_at"]).astimezone(SHANGHAI)
    moved_now = datetime.fromisoformat(complaint["recontact_by"]) + timedelta(hours=1)
    assert 0 < (starts.date() - moved_now.astimezone(SHANGHAI).date()).days <= 3  # two working days (a Sunday)
    assert client.get(names.BOOKING, f"/api/appointments/{booked['appointment_id']}")["advisor_id"] == visit.advisor

    refused = client.post(names.FOLLOWUP, f"{path}/close", {"customer_agreed": False}, as_=MANAGER)
    assert refused["error"]["field"] == "customer_agreed"
    [open_action] = client.get(names.FOLLOWUP, path)["actions"]
    client.post(names.FOLLOWUP, f"{path}/actions/{open_action['id']}/done", {}, as_=MANAGER, expect=200)
    closed = client.post(names.FOLLOWUP, f"{path}/close", {"customer_agreed": True, "note": "客户认可"}, as_=MANAGER)
    assert closed["state"] == "closed"
    report = client.get(names.FOLLOWUP, f"/api/report?month={datetime.fromisoformat(call['due_by']).strftime('%Y-%m')}")
    assert report["complaints_by_cause"].get("workmanship", 0) >= 1
    month = datetime.fromisoformat(call["due_by"]).strftime("%Y-%m")
    pdf = client.request("GET", names.FOLLOWUP, f"/report.pdf?month={month}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    csv_text = client.request("GET", names.FOLLOWUP, f"/report.csv?month={month}").content.decode("utf-8-sig")
    assert "投诉原因" in csv_text and "workmanship" in csv_text


def test_an_unreachable_customer_gets_the_sms_through_the_gateway(client, line, line_clock, gateway, delivered):
    """Three attempts at different times of day, then five days on an SMS through the local gateway."""
    visit, call = delivered[1]
    day = (datetime.now(SHANGHAI) + timedelta(days=9)).date()  # past the previous test's clock
    for hour in (10, 15, 20):
        line_clock(offset_to(datetime.combine(day, time(hour, 0), SHANGHAI)))
        client.post(
            names.FOLLOWUP,
            f"/api/calls/{call['call_id']}/outcome",
            {"outcome": "unreachable"},
            as_=call["assigned_to"],
            expect=200,
        )
    mobile = visit.booking["customer"]["mobile"]
    assert not [m for m in gateway.received if m["to"] == mobile]
    line_clock(offset_to(datetime.combine(day + timedelta(days=5), time(10, 30), SHANGHAI)))
    [sms] = eventually(lambda: [m for m in gateway.received if m["to"] == mobile], 20, what="the SMS at the gateway")
    assert visit.booking["vehicle"]["plate"] in sms["text"]
    assert client.get(names.FOLLOWUP, f"/api/calls/{call['call_id']}")["fallback"] == "sms"


def test_callers_are_learnt_from_the_staff_directory(client, line):
    """R-FU-2: a follow-up agent registered in the directory becomes a caller; made an advisor, no longer one."""
    staff_id = f"F{uuid.uuid4().hex[:6].upper()}"
    agent = {
        "staff_id": staff_id,
        "name": "林娜",
        "mobile": make_mobile(),
        "department": "customer_care",
        "roles": ["followup_agent"],
        "password": "pass-1234-word",
    }
    client.post(names.STAFF, "/api/staff", agent, as_="ADMIN", expect=201)

    def caller():
        return next(
            (c for c in client.get(names.FOLLOWUP, "/api/callers")["callers"] if c["staff_id"] == staff_id), None
        )

    assert eventually(caller, 20, what="the new caller")["active"] is True
    client.post(names.STAFF, f"/api/staff/{staff_id}/roles", {"roles": ["service_advisor"]}, as_="ADMIN", expect=200)
    eventually(lambda: caller()["active"] is False, 20, what="the caller retired")
