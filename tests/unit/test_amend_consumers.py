"""R-WS-3 / R-BL-1 downstream of reception: the workshop reports found work and takes each new signed version
(new jobs, the technician told, new parts requested), parts issues the newly signed part lines, billing audits
against the latest signed version; a tampered or unsigned version is refused in every service."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contracts import names
from services.billing import handlers as billing
from services.billing import seed as billing_seed
from services.billing.domain import build_invoice
from services.parts import handlers as parts
from services.parts import seed as parts_seed
from services.workshop import handlers as workshop
from services.workshop import seed as workshop_seed
from services.workshop.handlers import additional_work
from tests.support.amendments import (
    PAD,
    amended_event,
    first_version,
    verifier,
)
from tests.support.db import service_work, wire_event

D = Decimal


def outbox(work, event_type):
    def read(session):
        table = session.info["metadata"].tables["outbox"]
        rows = session.execute(sa.select(table.c.body).where(table.c.event_type == event_type)).all()
        return [json.loads(r.body)["payload"] for r in rows]

    return work.read(read)


def tampered(signed: dict, **changes) -> dict:
    return {**signed, "order": {**signed["order"], **changes}}


class Workshop:
    def __init__(self, tmp_path):
        self.keys = tmp_path / "keys"
        self.work = service_work("workshop", tmp_path, consumer="workshop.test")
        workshop_seed.reference_data(self.work)
        self.v1 = first_version(self.keys)
        self.order_id = self.v1["order"]["order_id"]

    def take_v1(self):
        self.work.handle(wire_event(names.ORDER_SIGNED, self.v1), workshop.take_signed_order, verifier(self.keys))

    def take(self, event):
        return self.work.handle(event, additional_work.take_amended_order, verifier(self.keys))

    def view(self):
        return self.work.read(workshop.work_order, self.order_id)


@pytest.fixture
def shop(tmp_path):
    return Workshop(tmp_path)


# --- the workshop reports found work ---------------------------------------------------------------


# --- the workshop takes the new version ----------------------------------------------------------------


# --- parts issues the newly signed part lines ------------------------------------------------------------


class Counter:
    def __init__(self, tmp_path):
        self.keys = tmp_path / "keys"
        self.work = service_work("parts", tmp_path, consumer="parts.test")
        parts_seed.reference_data(self.work)

    def request(self, signed, lines, request_id="r-2"):
        payload = {"request_id": request_id, "signed_order": signed, "technician_id": "T001", "lines": lines}
        return self.work.handle(
            wire_event(names.PARTS_REQUESTED, payload), parts.issue_against_order, verifier(self.keys)
        )


# --- billing audits against the latest signed version -----------------------------------------------------


class Cashier:
    def __init__(self, tmp_path):
        self.keys = tmp_path / "keys"
        self.work = service_work("billing", tmp_path, consumer="billing.test")
        billing_seed.reference_data(self.work)
        self.v1 = first_version(self.keys)
        self.order_id = self.v1["order"]["order_id"]

    def signed(self, signed):
        self.work.handle(wire_event(names.ORDER_SIGNED, signed), billing.record_signed_order, verifier(self.keys))

    def amended(self, signed, previous):
        self.work.handle(amended_event(signed, previous), billing.record_amended_order, verifier(self.keys))

    def issued(self, lines, request_id="r-1"):
        payload = {"request_id": request_id, "order_id": self.order_id, "order_version": 2, "lines": lines}
        self.work.handle(wire_event(names.PARTS_ISSUED, payload), billing.record_parts_issued)

    def ready(self, version, jobs, parts_used):
        payload = {
            "order_id": self.order_id,
            "order_version": version,
            "jobs_done": jobs,
            "parts_used": parts_used,
            "inspector_id": "Q001",
            "ready_at": "2026-11-28T08:00:00+00:00",
        }
        self.work.handle(wire_event(names.VEHICLE_READY, payload), billing.record_vehicle_ready)

    def invoice(self):
        from services.billing import models

        return self.work.read(lambda s: billing.invoice_view(models.invoice_for_order(s, self.order_id)))


def issued_line(line_no, part_no):
    return {"line_no": line_no, "part_no": part_no, "quantity": "1", "from_location": "MAIN"}


def used(line_no, part_no):
    return {"line_no": line_no, "part_no": part_no, "quantity": "1"}


OIL_JOB = {"line_no": 1, "code": "LAB-OIL", "hours": "0.5", "technician_id": "T001"}


def test_the_audit_names_a_declined_part_as_declined():
    quote = {
        "price_list_version": "x",
        "lines": [],
        "subtotal": D("0"),
        "vat_rate": D("0.13"),
        "vat": D("0"),
        "total": D("0"),
    }
    draft = build_invoice(quote, None, [], [{"line_no": 5, "part_no": "P-PAD-F", "quantity": D("1")}], [PAD])
    assert "已领用备件 P-PAD-F (第5行) 客户已拒绝该增项，不能结算" in draft.problems


def test_the_report_form_rows_without_a_code_are_left_out():
    from werkzeug.datastructures import MultiDict

    from services.workshop.web import additional_work

    form = MultiDict({"kind-0": "part", "code-0": "P-PAD-F", "quantity-0": "2", "kind-1": "labour", "code-1": " "})
    assert additional_work.found_work_from_form(form) == [{"kind": "part", "code": "P-PAD-F", "quantity": "2"}]
