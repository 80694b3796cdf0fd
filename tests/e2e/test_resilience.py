"""The line survives a service killed mid-visit, and an event sent before its consumer ever ran."""

import pytest

from contracts import names
from tests.support.http import Client
from tests.support.visit import Visit

pytestmark = pytest.mark.e2e


def test_every_service_reports_broker_and_database_health(client, line):
    for service in names.SERVICES:
        health = client.get(service, "/healthz", expect=200)
        assert health == {
            "service": service,
            "status": "ok",
            "database": "ok",
            "broker": "ok",
            "outbox_pending": health["outbox_pending"],
        }
        assert isinstance(health["outbox_pending"], int)


@pytest.mark.own_line
def test_kill_9_mid_visit_then_restart_completes_the_visit_and_doubles_nothing(client, line):
    visit = Visit(line, timeout=60)
    visit.book()
    line.kill(names.PARTS)  # appointment_booked is in flight towards a dead parts counter
    visit.check_in()
    line.restart(names.PARTS)
    visit.wait_parts_reserved()

    visit.write_and_sign_order()
    line.kill(names.WORKSHOP)  # order_signed in flight
    line.restart(names.WORKSHOP)
    visit.dispatch()
    visit.finish_jobs()
    line.kill(names.BILLING)  # vehicle_ready will be waiting for it
    visit.pass_quality_check()
    line.restart(names.BILLING)
    invoice = visit.invoice()
    visit.deliver()
    visit.pay(invoice["total"])
    visit.follow_up_call()

    assert len(client.get(names.PARTS, f"/api/reservations?appointment_id={visit.appointment_id}")["reservations"]) == 2
    assert len(client.get(names.PARTS, f"/api/issues?order_id={visit.order_id}")["issues"]) == 2
    work_orders = client.get(names.WORKSHOP, "/api/work-orders")["work_orders"]
    assert [w["order_id"] for w in work_orders].count(visit.order_id) == 1
    invoices = client.get(names.BILLING, "/api/invoices")["invoices"]
    assert [(i["order_id"], i["status"]) for i in invoices if i["order_id"] == visit.order_id] == [
        (visit.order_id, "paid")
    ]
    calls = client.get(names.FOLLOWUP, f"/api/calls?order_id={visit.order_id}")["calls"]
    assert [c["order_id"] for c in calls].count(visit.order_id) == 1


def test_an_event_published_before_its_consumer_first_started_is_not_lost(line_factory):
    line = line_factory()
    line.start([names.WORKSHOP, names.BOOKING])  # declares the whole topology; parts has never run
    visit = Visit(line, client=Client(line, minted=True))
    visit.book()
    line.start([names.PARTS])
    assert visit.wait_parts_reserved()["parts_status"] == "reserved"
