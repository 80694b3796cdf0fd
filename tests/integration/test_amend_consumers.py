"""R-WS-3 / R-BL-1 downstream of reception: the workshop reports found work and takes each new signed version
(new jobs, the technician told, new parts requested), parts issues the newly signed part lines, billing audits
against the latest signed version; a tampered or unsigned version is refused in every service."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contracts import ContractError, names
from kit.errors import DomainError, PermanentError
from kit.extensions import refused_for_good
from kit.signing import SignatureInvalid
from services.billing import handlers as billing
from services.billing import seed as billing_seed
from services.parts import handlers as parts
from services.parts import seed as parts_seed
from services.workshop import handlers as workshop
from services.workshop import seed as workshop_seed
from services.workshop.handlers import additional_work
from tests.support.amendments import (
    ALIGN,
    BRAKE,
    PAD,
    amended_event,
    first_version,
    next_version,
    priced,
    verifier,
)
from tests.support.db import service_work, snapshot, wire_event

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


def test_dispatching_tells_reception_that_work_started_once(shop):
    """R-PN-1: dispatch emits work_started (reception's progress notice); a refused second dispatch emits nothing."""
    shop.take_v1()
    shop.work.run(workshop.dispatch, shop.order_id, technician_id="T001", bay_id="B1", actor_id="D001")
    with pytest.raises(DomainError):
        shop.work.run(workshop.dispatch, shop.order_id, technician_id="T002", bay_id="B1", actor_id="D001")
    started = outbox(shop.work, names.WORK_STARTED)
    assert [(s["order_id"], s["order_version"], s["technician_id"], s["bay_id"]) for s in started] == [
        (shop.order_id, 1, "T001", "B1")
    ]


# --- the workshop reports found work ---------------------------------------------------------------


def test_a_technician_reports_found_work_to_the_advisor_without_changing_the_order(shop):
    """R-WS-3: reported (additional_work_requested), not done: the jobs stay those of the signed order."""
    shop.take_v1()
    shop.work.run(workshop.dispatch, shop.order_id, technician_id="T001", bay_id="B1", actor_id="D001")
    shop.work.run(
        additional_work.request_additional_work,
        shop.order_id,
        lines=[{"kind": "labour", "code": "lab-brake-disc"}, {"kind": "part", "code": "P-PAD-F", "quantity": "1"}],
        reason="前刹车片磨损至极限",
        job_line_no=1,
        actor_id="T001",
    )
    [event] = outbox(shop.work, names.ADDITIONAL_WORK_REQUESTED)
    assert event["order_id"] == shop.order_id and event["order_version"] == 1 and event["reported_by"] == "T001"
    assert event["job_line_no"] == 1  # found while on the oil change
    assert [(line["kind"], line["code"], line["quantity"]) for line in event["lines"]] == [
        ("labour", "LAB-BRAKE-DISC", None),
        ("part", "P-PAD-F", "1"),
    ]
    view = shop.view()
    assert [job["line_no"] for job in view["jobs"]] == [1]
    assert view["additional_work"][0]["status"] == "requested"


@pytest.mark.parametrize(
    ("lines", "reason", "field"),
    [
        ([{"kind": "part", "code": "P-PAD-F", "quantity": "1"}], " ", "reason"),
        ([], "刹车片薄", "lines"),
        ([{"kind": "part", "code": "P-PAD-F"}], "刹车片薄", "lines[0].quantity"),
        ([{"kind": "labour", "code": ""}], "刹车片薄", "lines[0].code"),
    ],
)
def test_found_work_without_a_reason_or_quantity_is_refused_naming_the_field(shop, lines, reason, field):
    shop.take_v1()
    before = snapshot(shop.work)
    with pytest.raises(DomainError) as refused:
        shop.work.run(
            additional_work.request_additional_work, shop.order_id, lines=lines, reason=reason, actor_id="T001"
        )
    assert refused.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert snapshot(shop.work) == before


def test_found_work_on_a_job_the_order_does_not_have_is_refused(shop):
    shop.take_v1()
    before = snapshot(shop.work)
    with pytest.raises(DomainError) as refused:
        shop.work.run(
            additional_work.request_additional_work,
            shop.order_id,
            lines=[{"kind": "labour", "code": "LAB-ALIGN"}],
            reason="四轮定位偏差",
            job_line_no=9,
            actor_id="T001",
        )
    assert refused.value.field == "job_line_no"
    assert snapshot(shop.work) == before


# --- the workshop takes the new version ----------------------------------------------------------------


def test_the_amended_version_adds_its_jobs_tells_the_technician_and_requests_its_parts(shop):
    """R-WS-3: only after the amendment is the new job on the job list; the technician is told."""
    shop.take_v1()
    shop.work.run(workshop.dispatch, shop.order_id, technician_id="T001", bay_id="B1", actor_id="D001")
    v2 = next_version(shop.keys, shop.v1, accepted=(PAD, BRAKE), declined=(ALIGN,))
    assert shop.take(amended_event(v2, shop.v1)) is True

    view = shop.view()
    assert view["version"] == 2
    assert [(j["line_no"], j["code"], j["status"], j["technician_id"]) for j in view["jobs"]] == [
        (1, "LAB-OIL", "in_progress", "T001"),
        (4, "LAB-BRAKE-DISC", "in_progress", "T001"),
    ]
    [notice] = view["notices"]
    assert notice["technician_id"] == "T001" and notice["version"] == 2
    assert [a["code"] for a in notice["added"]] == ["P-PAD-F", "LAB-BRAKE-DISC"]
    assert [d["code"] for d in notice["declined"]] == ["LAB-ALIGN"]
    assert shop.work.read(additional_work.notices_for, "T001")[0]["version"] == 2
    first, second = outbox(shop.work, names.PARTS_REQUESTED)
    assert [line["line_no"] for line in first["lines"]] == [2]
    assert second["signed_order"]["order"]["version"] == 2  # parts checks the new version's signature
    assert [(line["line_no"], line["quantity"]) for line in second["lines"]] == [(3, "1")]


def test_a_new_version_before_dispatch_waits_with_its_jobs_for_the_dispatcher(shop):
    shop.take_v1()
    shop.take(amended_event(next_version(shop.keys, shop.v1, accepted=(PAD, BRAKE)), shop.v1))
    assert [(j["line_no"], j["status"]) for j in shop.view()["jobs"]] == [(1, "waiting"), (4, "waiting")]
    assert outbox(shop.work, names.PARTS_REQUESTED) == []
    shop.work.run(workshop.dispatch, shop.order_id, technician_id="T001", bay_id="B1", actor_id="D001")
    [request] = outbox(shop.work, names.PARTS_REQUESTED)
    assert [line["line_no"] for line in request["lines"]] == [2, 3]  # from the version it holds: v2


def test_a_version_that_arrives_before_its_first_version_is_enough_to_start(shop):
    """order_signed and order_amended travel on separate queues."""
    shop.take(amended_event(next_version(shop.keys, shop.v1, accepted=(PAD, BRAKE)), shop.v1))
    shop.take_v1()  # late: changes nothing
    view = shop.view()
    assert view["version"] == 2 and [j["line_no"] for j in view["jobs"]] == [1, 4]


@pytest.mark.parametrize("field", ["total", "lines"])
def test_an_amended_version_altered_after_signing_is_refused_by_the_workshop(shop, field):
    """R-RC-6 / R-WS-3: a signed version whose total (or lines) was edited afterwards does not verify."""
    shop.take_v1()
    v2 = next_version(shop.keys, shop.v1)
    changed = "9.99" if field == "total" else v2["order"]["lines"][:-1]
    before = snapshot(shop.work)
    with pytest.raises(SignatureInvalid, match="altered after signing"):
        shop.take(amended_event(tampered(v2, **{field: changed}), shop.v1))
    assert snapshot(shop.work) == before


def test_an_unsigned_version_is_refused_by_the_workshop(shop):
    shop.take_v1()
    v2 = {**next_version(shop.keys, shop.v1), "signature": ""}
    with pytest.raises(SignatureInvalid, match="not signed"):
        shop.take(amended_event(v2, shop.v1))


def test_a_version_that_does_not_follow_the_one_held_is_refused(shop, tmp_path):
    """The new version names the hash of the version it amends; another version 1 is not that one."""
    shop.take_v1()
    other_v1 = first_version(shop.keys, order_id=shop.order_id, visit_id=shop.v1["order"]["visit_id"], mileage_km=1)
    v2 = next_version(shop.keys, other_v1)
    with pytest.raises(PermanentError, match="other than the one the workshop holds"):
        shop.take(amended_event(v2, other_v1))


def test_an_envelope_that_disagrees_with_its_signed_version_is_refused(shop):
    shop.take_v1()
    event = amended_event(next_version(shop.keys, shop.v1), shop.v1)
    event.payload["version"] = 3
    with pytest.raises(ContractError, match="does not agree") as refused:
        shop.take(event)
    assert refused_for_good(refused.value)  # dead-lettered at once, never retried


def test_when_the_customer_declines_everything_the_technician_is_told_and_the_order_stays(shop):
    """R-WS-3: the found work is not done; no new version, no new job."""
    from tests.support.amendments import declined_payload

    shop.take_v1()
    shop.work.run(workshop.dispatch, shop.order_id, technician_id="T001", bay_id="B1", actor_id="D001")
    request = shop.work.run(
        additional_work.request_additional_work,
        shop.order_id,
        lines=[{"kind": "labour", "code": "LAB-ALIGN"}],
        reason="四轮定位偏差",
        actor_id="T001",
    )
    payload = declined_payload(shop.v1, request.request_id)
    shop.work.handle(
        wire_event(names.ADDITIONAL_WORK_DECLINED, payload, shop.v1["order"]["visit_id"]),
        additional_work.take_declined_work,
    )
    view = shop.view()
    assert view["version"] == 1 and [j["line_no"] for j in view["jobs"]] == [1]
    assert view["additional_work"][0]["status"] == "declined"
    [notice] = view["notices"]
    assert notice["technician_id"] == "T001" and notice["added"] == []
    assert [d["code"] for d in notice["declined"]] == ["LAB-ALIGN"]


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


def test_parts_issues_a_part_line_of_the_amended_version_but_not_a_declined_one(tmp_path):
    """R-WS-2 / R-WS-3: only signed part lines leave stock; the declined pad set is on no signed version."""
    counter = Counter(tmp_path)
    v1 = first_version(counter.keys)
    v2 = next_version(counter.keys, v1, accepted=(PAD,), declined=(priced({**PAD, "code": "P-DISC-F"}),))
    counter.request(v1, [{"line_no": 3, "quantity": "1"}], "r-1")  # v1 has no line 3
    counter.request(v2, [{"line_no": 3, "quantity": "1"}, {"line_no": 4, "quantity": "1"}])
    [issued] = outbox(counter.work, names.PARTS_ISSUED)
    assert issued["order_version"] == 2
    assert [(line["line_no"], line["part_no"]) for line in issued["lines"]] == [(3, "P-PAD-F")]
    refused = outbox(counter.work, names.PARTS_ISSUE_REFUSED)
    assert [[line["line_no"] for line in r["lines"]] for r in refused] == [[3], [4]]


def test_parts_refuses_an_amended_version_whose_total_was_edited(tmp_path):
    counter = Counter(tmp_path)
    v1 = first_version(counter.keys)
    v2 = tampered(next_version(counter.keys, v1), total="0.01")
    before = snapshot(counter.work)
    with pytest.raises(SignatureInvalid):
        counter.request(v2, [{"line_no": 3, "quantity": "1"}])
    assert snapshot(counter.work) == before


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


def test_the_bill_has_the_consented_line_and_agrees_with_version_2(tmp_path):
    """R-BL-1: the bill agrees with the quote and its signed amendments."""
    cashier = Cashier(tmp_path)
    v2 = next_version(cashier.keys, cashier.v1, accepted=(PAD,), declined=(ALIGN,))
    cashier.signed(cashier.v1)
    cashier.amended(v2, cashier.v1)
    cashier.issued([issued_line(2, "P-OIL-5W30"), issued_line(3, "P-PAD-F")])
    cashier.ready(2, [OIL_JOB], [used(2, "P-OIL-5W30"), used(3, "P-PAD-F")])
    invoice = cashier.invoice()
    assert invoice["status"] == "ready" and invoice["problems"] == []
    assert [(line["line_no"], line["code"]) for line in invoice["lines"]] == [
        (1, "LAB-OIL"),
        (2, "P-OIL-5W30"),
        (3, "P-PAD-F"),
    ]
    assert invoice["total"] == D("901.74") == D(v2["order"]["total"])  # 798.00 + 13% VAT
    assert invoice["order_version"] == 2  # audited against the latest signed version


def test_a_declined_line_in_the_bill_makes_the_audit_refuse(tmp_path):
    """R-BL-1 / R-WS-3: work the customer declined cannot be billed."""
    cashier = Cashier(tmp_path)
    v2 = next_version(cashier.keys, cashier.v1, accepted=(PAD,), declined=(ALIGN,))
    cashier.signed(cashier.v1)
    cashier.amended(v2, cashier.v1)
    cashier.issued([issued_line(2, "P-OIL-5W30"), issued_line(3, "P-PAD-F")])
    align_done = {"line_no": 4, "code": "LAB-ALIGN", "hours": "1.0", "technician_id": "T001"}
    cashier.ready(2, [OIL_JOB, align_done], [used(2, "P-OIL-5W30"), used(3, "P-PAD-F")])
    invoice = cashier.invoice()
    assert invoice["status"] == "blocked"
    assert invoice["problems"] == ["已完工项目 LAB-ALIGN (第4行) 客户已拒绝该增项，不能结算"]
    [blocked] = outbox(cashier.work, names.INVOICE_BLOCKED)
    assert blocked["reasons"] == invoice["problems"]


def test_a_line_of_an_unsigned_amendment_in_the_bill_makes_the_audit_refuse(tmp_path):
    cashier = Cashier(tmp_path)
    cashier.signed(cashier.v1)
    cashier.issued([issued_line(2, "P-OIL-5W30"), issued_line(3, "P-PAD-F")])
    cashier.ready(1, [OIL_JOB], [used(2, "P-OIL-5W30"), used(3, "P-PAD-F")])
    invoice = cashier.invoice()
    assert invoice["status"] == "blocked"
    assert invoice["problems"] == ["已领用备件 P-PAD-F (第3行) 不在客户签字的报价单上"]


def test_billing_waits_for_the_work_to_the_latest_version_and_for_missing_versions(tmp_path):
    cashier = Cashier(tmp_path)
    v2 = next_version(cashier.keys, cashier.v1)
    cashier.amended(v2, cashier.v1)  # before order_signed (another queue)
    cashier.ready(1, [OIL_JOB], [])
    assert cashier.invoice()["status"] == "waiting" and "signed_order" in cashier.invoice()["waiting_for"]
    cashier.signed(cashier.v1)
    assert cashier.invoice()["waiting_for"] == ["vehicle_ready"]  # the workshop reported v1's work, not v2's
    cashier.issued([issued_line(3, "P-PAD-F")])
    cashier.ready(2, [OIL_JOB], [used(3, "P-PAD-F")])
    assert cashier.invoice()["status"] == "ready"


@pytest.mark.parametrize("field", ["total", "subtotal"])
def test_billing_refuses_an_amended_version_whose_total_was_edited(tmp_path, field):
    """R-RC-6: a signed order edited afterwards fails verification in every service that reads it."""
    cashier = Cashier(tmp_path)
    cashier.signed(cashier.v1)
    before = snapshot(cashier.work)
    with pytest.raises(SignatureInvalid):
        cashier.amended(tampered(next_version(cashier.keys, cashier.v1), **{field: "1.00"}), cashier.v1)
    assert snapshot(cashier.work) == before


def test_billing_refuses_a_version_that_amends_another_first_version(tmp_path):
    cashier = Cashier(tmp_path)
    cashier.signed(cashier.v1)
    other = first_version(
        cashier.keys, order_id=cashier.order_id, visit_id=cashier.v1["order"]["visit_id"], mileage_km=1
    )
    with pytest.raises(PermanentError, match="other than the one billing holds"):
        cashier.amended(next_version(cashier.keys, other), other)
