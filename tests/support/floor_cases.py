"""Redelivery cases for the workshop floor's subscriptions (stock-outs, the staff directory) and reception's
notices of them (qc_failed, order_at_risk); tests/support/exactly_once.py adds them to its CASES."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from contracts import names
from contracts.events import OrderSchema
from kit.orders import OrderSigner, OrderVerifier
from tests.support.db import wire_event
from tests.support.factories import make_order_body

CUSTOMER = {"name": "王先生", "mobile": "13912345678", "email": "wang@example.com"}


def dispatched_order(work, tmp_path) -> dict:
    """A signed order in the workshop, dispatched to T001 on B1 (its parts requested)."""
    from services.workshop import handlers as workshop
    from services.workshop import seed as workshop_seed

    workshop_seed.reference_data(work)
    signed = OrderSigner(tmp_path / "keys").sign(OrderSchema().load(make_order_body()))
    verify = OrderVerifier(tmp_path / "keys").verify
    work.handle(wire_event(names.ORDER_SIGNED, signed), workshop.take_signed_order, verify)
    order = signed["order"]
    work.run(workshop.dispatch, order["order_id"], technician_id="T001", bay_id="B1", actor_id="D001")
    return order


def prepare_issue_refused(work, tmp_path):
    order = dispatched_order(work, tmp_path)
    refused = {"request_id": "r1", "order_id": order["order_id"], "lines": [{"line_no": 3, "reason": "out_of_stock"}]}
    return wire_event(names.PARTS_ISSUE_REFUSED, refused, order["visit_id"]), ()


def prepare_backordered(work, tmp_path):
    order = dispatched_order(work, tmp_path)
    backordered = {
        "backorder_id": "bo-1",
        "purchase_order_id": "po-1",
        "order_id": order["order_id"],
        "request_id": "r1",
        "lines": [{"part_no": "P-OIL-5W30", "quantity": "1", "expected_on": date.today() + timedelta(days=3)}],
    }
    return wire_event(names.PARTS_BACKORDERED, backordered, order["visit_id"]), ()


def prepare_received(work, tmp_path):
    order = dispatched_order(work, tmp_path)
    received = {
        "receipt_id": "rc-1",
        "purchase_order_ids": ["po-1"],
        "received_at": datetime.now(UTC),
        "allocated": [
            {"backorder_id": "bo-1", "part_no": "P-OIL-5W30", "quantity": "1", "order_id": order["order_id"]}
        ],
    }
    return wire_event(names.PARTS_RECEIVED, received, order["visit_id"]), ()


def prepare_technician_registered(work, tmp_path):
    record = {"staff_id": "T077", "name": "马师傅", "department": "workshop", "roles": ["technician"], "active": True}
    return wire_event(names.STAFF_REGISTERED, record, correlation_id="staff:T077"), ()


def prepare_expert_changed(work, tmp_path):
    record = {"staff_id": "E001", "name": "黄工", "department": "workshop", "roles": ["technical_expert"]}
    return wire_event(names.STAFF_CHANGED, {**record, "active": True, "change": "details"}, "staff:E001"), ()


def prepare_qc_failed_notice(work, tmp_path):
    from tests.support.reception_orders import store_signed_order

    body = store_signed_order(work, OrderSigner(tmp_path / "keys"), customer=CUSTOMER)
    failed = {
        "order_id": body["order_id"],
        "order_version": 1,
        "visit_id": body["visit_id"],
        "inspector_id": "Q001",
        "failed_at": datetime.now(UTC),
        "non_conformances": [{"line_no": 1, "item": "leaks", "cause": "渗油", "technician_id": "T001"}],
    }
    return wire_event(names.QC_FAILED, failed, body["visit_id"]), ()


def prepare_at_risk_notice(work, tmp_path):
    from tests.support.reception_orders import store_signed_order

    body = store_signed_order(work, OrderSigner(tmp_path / "keys"), customer=CUSTOMER)
    risk = {
        "order_id": body["order_id"],
        "visit_id": body["visit_id"],
        "promised_at": datetime.now(UTC) + timedelta(hours=2),
        "forecast_at": datetime.now(UTC) + timedelta(days=2),
        "reason": "waiting_parts",
    }
    return wire_event(names.ORDER_AT_RISK, risk, body["visit_id"]), ()


def floor_redelivery_cases() -> dict[str, tuple]:
    """name -> (service, handler, prepare)."""
    from services.reception.handlers import notices
    from services.workshop.handlers import clock, floor

    return {
        "workshop.take_issue_refused": ("workshop", clock.take_issue_refused, prepare_issue_refused),
        "workshop.take_backordered": ("workshop", clock.take_backordered, prepare_backordered),
        "workshop.take_parts_received": ("workshop", clock.take_received, prepare_received),
        "workshop.take_staff_registered": ("workshop", floor.take_staff, prepare_technician_registered),
        "workshop.take_staff_changed": ("workshop", floor.take_staff, prepare_expert_changed),
        "reception.tell_qc_failed": ("reception", notices.qc_failed, prepare_qc_failed_notice),
        "reception.tell_at_risk": ("reception", notices.order_at_risk, prepare_at_risk_notice),
    }
