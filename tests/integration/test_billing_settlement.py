"""Settlement and delivery through billing's use cases on a real database (R-BL-1..6): the bill less parts
returned, a blocked invoice put right by a manager's adjustment (audit trail), warranty and customer split,
payments by two methods, the delivery (old_parts_decided, the waiver), the gate pass once, the documents."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from contracts import names
from contracts.events import OrderSchema
from kit.errors import DomainError
from services.billing import handlers as billing
from services.billing import models
from services.billing import seed as billing_seed
from services.billing.handlers import documents
from services.billing.handlers.orders import ORDER_HEADER, loaded_order, order_header
from services.billing.web.documents import render_pdf
from tests.support.amendments import first_version, verifier
from tests.support.db import service_work, wire_event
from tests.support.factories import SIGNATURE_PNG

SECRET = b"gate-secret"
CHECKS = dict.fromkeys(("work_explained", "bill_explained", "wear_told", "covers_removed", "copies_handed"), True)
MANAGER = ["service_manager"]


class Desk:
    """One order from signing to the gate, as the events and staff would drive billing."""

    def __init__(self, tmp_path, **order):
        self.keys = tmp_path / "keys"
        self.work = service_work("billing", tmp_path, consumer="billing.test")
        billing_seed.reference_data(self.work)
        self.signed = first_version(self.keys, **order)
        self.order_id = self.signed["order"]["order_id"]
        self.work.handle(wire_event(names.ORDER_SIGNED, self.signed), billing.record_signed_order, verifier(self.keys))

    def issued(self, lines, request_id="r-1"):
        payload = {"request_id": request_id, "order_id": self.order_id, "order_version": 1, "lines": lines}
        self.work.handle(wire_event(names.PARTS_ISSUED, payload), billing.record_parts_issued)

    def returned(self, lines):
        payload = {
            "return_id": "ret-1",
            "order_id": self.order_id,
            "order_version": 1,
            "returned_at": "2026-12-01T08:00:00+00:00",
            "lines": lines,
        }
        self.work.handle(wire_event(names.PARTS_RETURNED, payload), billing.record_parts_returned)

    def ready(self, **findings):
        payload = {
            "order_id": self.order_id,
            "order_version": 1,
            "jobs_done": [{"line_no": 1, "code": "LAB-OIL", "hours": "0.5", "technician_id": "T001"}],
            "parts_used": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1"}],
            "inspector_id": "Q001",
            "ready_at": "2026-12-01T08:00:00+00:00",
            **findings,
        }
        self.work.handle(wire_event(names.VEHICLE_READY, payload), billing.record_vehicle_ready)

    def view(self):
        invoice = self.work.read(models.invoice_for_order, self.order_id)
        return self.work.read(billing.settlement_view, invoice.invoice_id)

    def outbox(self, event_type):
        table = self.work.session_factory().info["metadata"].tables["outbox"]
        rows = self.work.read(lambda s: s.execute(sa.select(table)).mappings().all())
        return [json.loads(row["body"]) for row in rows if row["event_type"] == event_type]


def oil(quantity="1", line_no=2, part_no="P-OIL-5W30"):
    return {"line_no": line_no, "part_no": part_no, "quantity": quantity, "from_location": "MAIN"}


@pytest.fixture
def desk(tmp_path):
    d = Desk(tmp_path)
    d.issued([oil()])
    return d


def test_the_bill_is_the_parts_issued_less_the_parts_returned(tmp_path):
    """R-BL-1/R-BL-3: two litres issued, one returned: one billed."""
    d = Desk(tmp_path)
    d.issued([oil("2")])
    d.ready()
    assert d.view()["status"] == "blocked"  # two issued, one quoted
    d.returned([{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1"}])
    view = d.view()
    assert view["status"] == "ready" and view["total"] == Decimal("472.34")
    assert [c["kind"] for c in view["corrections"]] == ["re_audit"]


def test_a_blocked_invoice_is_put_right_by_a_managers_adjustment_within_the_limit(desk):
    desk.issued([oil("1", line_no=9, part_no="P-FILTER-OIL")], request_id="r-2")
    desk.ready()
    view = desk.view()
    assert view["status"] == "blocked" and view["variances"][0]["key"] == "part:9:P-FILTER-OIL"
    invoice_id = view["invoice_id"]
    with pytest.raises(DomainError) as exc:  # 58.00 waived + 50.00 is above 10% of 476.00
        desk.work.run(
            billing.adjust,
            invoice_id,
            {"waive": ["part:9:P-FILTER-OIL"], "discount": "50.00", "reason": "赠送"},
            roles=MANAGER,
            limits={"service_manager": Decimal("0.10")},
            actor_id="M001",
        )
    assert exc.value.field == "discount" and desk.view()["status"] == "blocked"
    cmd = {"waive": ["part:9:P-FILTER-OIL"], "discount": "", "reason": "机滤多领，店内承担"}
    desk.work.run(
        billing.adjust, invoice_id, cmd, roles=MANAGER, limits={"service_manager": Decimal("0.15")}, actor_id="M001"
    )
    view = desk.view()
    assert view["status"] == "ready" and view["total"] == Decimal("472.34")
    assert [(c["kind"], c["actor_id"]) for c in view["corrections"]] == [("adjustment", "M001"), ("re_audit", "M001")]
    assert view["corrections"][0]["reason"] == "机滤多领，店内承担"


def test_warranty_lines_make_a_second_invoice_and_the_customer_pays_the_rest(desk):
    desk.ready()
    invoice_id = desk.view()["invoice_id"]
    desk.work.run(billing.assign_pay_types, invoice_id, {"2": "warranty"}, "E0101", actor_id="M001")
    view = desk.view()
    assert set(view["bills"]) == {"customer", "warranty"}
    assert view["customer_total"] == Decimal("169.50")  # labour 150.00 + 13%
    assert Decimal(view["bills"]["warranty"]["total"]) == Decimal("302.84")  # oil 268.00 + 13%
    assert view["warranty_claim"]["failure_code"] == "E0101" and view["warranty_claim"]["old_part_kept"]
    desk.work.run(
        billing.deliver,
        desk.order_id,
        {"checks": CHECKS, "fates": {"2": "kept_for_warranty"}},
        roles=["service_advisor"],
        secret=SECRET,
        actor_id="A001",
    )
    desk.work.run(billing.pay, invoice_id, amount=Decimal("100.00"), method="cash", secret=SECRET, actor_id="C001")
    assert desk.view()["status"] == "ready" and desk.view()["balance"] == Decimal("69.50")
    desk.work.run(billing.pay, invoice_id, amount=Decimal("69.50"), method="wechat", secret=SECRET, actor_id="C001")
    view = desk.view()
    assert view["status"] == "paid" and [p["method"] for p in view["payments"]] == ["cash", "wechat"]
    assert view["gate_pass"]["pass_no"] and len(desk.outbox(names.VEHICLE_DELIVERED)) == 1


def test_payment_waits_for_the_delivery_and_is_refused_over_the_balance(desk):
    desk.ready()
    invoice_id = desk.view()["invoice_id"]
    with pytest.raises(DomainError) as exc:
        desk.work.run(billing.pay, invoice_id, amount=Decimal("472.34"), method="cash", secret=SECRET, actor_id="C001")
    assert exc.value.code == "not_delivered"
    desk.work.run(
        billing.deliver,
        desk.order_id,
        {"checks": CHECKS, "fates": {"2": "scrapped"}},
        roles=["service_advisor"],
        secret=SECRET,
        actor_id="A001",
    )
    with pytest.raises(DomainError) as exc:
        desk.work.run(billing.pay, invoice_id, amount=Decimal("472.35"), method="cash", secret=SECRET, actor_id="C001")
    assert exc.value.field == "amount" and desk.view()["payments"] == []


def test_delivery_by_the_receiving_advisor_with_the_waiver_and_the_old_parts_decided(desk):
    deferred = [{"description": "后制动片剩余2mm", "urgency": "safety"}]
    desk.ready(deferred_work=deferred, wear=[{"item": "pad_rear", "measured_mm": "2", "limit_mm": "3"}])
    view = desk.work.read(billing.delivery_view, desk.order_id)
    assert [w["description"] for w in view["safety_declined"]] == ["后制动片剩余2mm"]
    assert view["wear"][0]["item"] == "pad_rear"
    cmd = {"checks": CHECKS, "fates": {"2": "returned_to_customer"}}
    with pytest.raises(DomainError) as exc:  # another advisor, no override
        desk.work.run(billing.deliver, desk.order_id, cmd, roles=["service_advisor"], secret=SECRET, actor_id="A002")
    assert exc.value.code == "not_receiving_advisor"
    with pytest.raises(DomainError) as exc:  # the customer has not signed the waiver
        desk.work.run(billing.deliver, desk.order_id, cmd, roles=["service_advisor"], secret=SECRET, actor_id="A001")
    assert exc.value.field == "waiver_signature"
    cmd = {**cmd, "waiver_signature": SIGNATURE_PNG, "next_service": {"km": 40210, "appointment_id": "appt-1"}}
    desk.work.run(billing.deliver, desk.order_id, cmd, roles=["service_advisor"], secret=SECRET, actor_id="A001")
    delivered = desk.work.read(billing.delivery_view, desk.order_id)["delivered"]
    assert delivered["waiver"][0]["description"] == "后制动片剩余2mm" and len(delivered["waiver_signature"]) == 64
    assert delivered["next_service"]["appointment_id"] == "appt-1" and delivered["next_service"]["km"] == 40210
    [event] = desk.outbox(names.OLD_PARTS_DECIDED)
    assert event["payload"]["parts"] == [
        {"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1", "fate": "returned_to_customer"}
    ]


def test_a_manager_delivers_another_advisors_car_only_with_a_reason(desk):
    desk.ready()
    cmd = {"checks": CHECKS, "fates": {"2": "scrapped"}, "override_reason": "王芳今日休假"}
    desk.work.run(billing.deliver, desk.order_id, cmd, roles=MANAGER, secret=SECRET, actor_id="M001")
    delivered = desk.work.read(billing.delivery_view, desk.order_id)["delivered"]
    assert delivered["delivered_by"] == "M001" and delivered["override_reason"] == "王芳今日休假"


def test_the_gate_pass_lets_the_car_out_once_and_alerts_the_manager_otherwise(desk):
    desk.ready()
    invoice_id = desk.view()["invoice_id"]
    desk.work.run(
        billing.deliver,
        desk.order_id,
        {"checks": CHECKS, "fates": {"2": "scrapped"}},
        roles=["service_advisor"],
        secret=SECRET,
        actor_id="A001",
    )
    desk.work.run(billing.pay, invoice_id, amount=Decimal("472.34"), method="alipay", secret=SECRET, actor_id="C001")
    token, plate = desk.view()["gate_pass"]["token"], desk.signed["order"]["vehicle"]["plate"]
    row, refused = desk.work.run(billing.check_gate_pass, token, plate, secret=SECRET, actor_id="G001")
    assert refused is None and row.used_by == "G001"
    causes = []
    for attempt_token, attempt_plate in ((token, plate), (token, "沪Z00000"), (token[:-3] + "abc", plate)):
        row, refused = desk.work.run(
            billing.check_gate_pass, attempt_token, attempt_plate, secret=SECRET, actor_id="G001"
        )
        causes.append(refused.code)
    assert causes == ["used", "other_plate", "forged"]
    assert [a["cause"] for a in desk.work.read(billing.gate_view)["alerts"]] == ["forged", "other_plate", "used"]


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_documents_read_back_with_labour_and_materials_apart_and_the_warranty_period(desk):
    desk.ready()
    invoice_id = desk.view()["invoice_id"]
    desk.work.run(
        billing.deliver,
        desk.order_id,
        {"checks": CHECKS, "fates": {"2": "scrapped"}},
        roles=["service_advisor"],
        secret=SECRET,
        actor_id="A001",
    )
    desk.work.run(billing.pay, invoice_id, amount=Decimal("472.34"), method="card", secret=SECRET, actor_id="C001")
    doc = desk.work.read(documents.document, invoice_id, "settlement")
    text = pdf_text(render_pdf(doc, dealer_name="上海大众4S店", tz="Asia/Shanghai"))
    assert "机动车维修结算清单" in text and "工时费合计" in text and "材料费合计" in text
    assert "150.00" in text and "268.00" in text and "472.34" in text and "54.34" in text
    certificate = pdf_text(
        render_pdf(desk.work.read(documents.document, invoice_id, "certificate"), dealer_name="店", tz="Asia/Shanghai")
    )
    assert "竣工出厂合格证" in certificate and "2000 km" in certificate and "10" in certificate  # level-1 maintenance
    card = pdf_text(
        render_pdf(desk.work.read(documents.document, invoice_id, "quality_card"), dealer_name="店", tz="Asia/Shanghai")
    )
    assert "质量保证卡" in card and "质量保证期" in card
    gate = desk.work.read(documents.document, invoice_id, "gate_pass")
    gate_text = pdf_text(render_pdf(gate, dealer_name="店", tz="Asia/Shanghai"))
    assert gate["gate_pass"]["pass_no"] in gate_text
    receipt = pdf_text(
        render_pdf(desk.work.read(documents.document, invoice_id, "receipt"), dealer_name="店", tz="Asia/Shanghai")
    )
    assert "收款收据" in receipt and "银行卡" in receipt and "472.34" in receipt


def test_a_delivery_asked_before_the_signed_order_arrived_is_not_found(tmp_path):
    work = service_work("billing", tmp_path, consumer="billing.test")
    payload = {"request_id": "r-x", "order_id": "o-early", "order_version": 1, "lines": [oil()]}
    work.handle(wire_event(names.PARTS_ISSUED, payload), billing.record_parts_issued)  # the invoice waits
    with pytest.raises(DomainError) as exc:
        work.read(billing.delivery_view, "o-early")
    assert exc.value.msgid == "This order has no invoice yet"


def test_delivery_and_payment_answer_what_a_fresh_read_shows_after_them(desk):
    """deliver and pay answer from what they read and wrote, in their own transaction: the same views as read
    afterwards."""
    desk.ready()
    answer = desk.work.run(
        billing.deliver,
        desk.order_id,
        {"checks": CHECKS, "fates": {"2": "scrapped"}},
        roles=["service_advisor"],
        secret=SECRET,
        actor_id="A001",
    )
    assert answer == desk.work.read(billing.delivery_view, desk.order_id) and answer["delivered"]
    invoice_id = answer["invoice_id"]
    partly = desk.work.run(
        billing.pay, invoice_id, amount=Decimal("72.34"), method="cash", secret=SECRET, actor_id="C1"
    )
    assert partly == desk.view() and partly["balance"] == Decimal("400.00") and partly["gate_pass"] is None
    paid = desk.work.run(billing.pay, invoice_id, amount=Decimal("400.00"), method="card", secret=SECRET, actor_id="C1")
    assert paid == desk.view() and paid["status"] == "paid" and paid["gate_pass"]["pass_no"]
    audit = desk.work.read(
        lambda s: s.execute(sa.text("SELECT action, subject_id, correlation_id FROM audit_log")).all()
    )
    visit_id = desk.signed["order"]["visit_id"]
    paying = ("pay", desk.order_id, visit_id)  # the order's trail shows who took the money (issue 3)
    assert [a for a in audit if a.action == "pay"] == [paying, paying]


def test_the_order_header_reads_the_stored_body_as_its_contract_loads_it():
    first = {
        "advisor_id": "A001",
        "mileage_km": 35210,
        "vehicle": {"vin": "LSVAA2BZ0N2000001", "plate": "沪A12345"},
        "customer": {"name": "王先生", "mobile": "13800000000", "email": None},
    }
    second = {
        **first,
        "vehicle": {**first["vehicle"], "model": "帕萨特"},
        "customer": {"name": "李", "mobile": "13900000000"},
    }
    for body in (first, second):
        assert order_header(body) == ORDER_HEADER.load(body)
        assert list(order_header(body)["vehicle"]) == list(ORDER_HEADER.load(body)["vehicle"])


def test_a_published_price_book_is_read_once_per_database(tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    first, second = (service_work("billing", tmp_path / name, consumer="billing.test") for name in ("a", "b"))
    billing_seed.reference_data(first)
    version = billing_seed.PRICE_LIST["version"]
    book = first.read(models.price_book, version)
    assert book == first.read(models.read_price_book, version) and book.parts["P-OIL-5W30"][1] == Decimal("268.00")
    assert first.read(models.price_book, version) is book
    assert second.read(models.price_book, version) is None  # another database: not published there
    billing_seed.reference_data(second)
    assert second.read(models.price_book, version) == book


def test_parts_moving_while_the_bill_waits_for_the_work_leave_it_as_a_full_rebuild_would(desk):
    """Issued and returned before vehicle_ready: the bill is not read again, only its time changes."""
    desk.issued([oil("1", line_no=9, part_no="P-FILTER-OIL")], request_id="r-2")
    desk.returned([{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1"}])
    kept = desk.view()
    assert kept["status"] == "waiting" and kept["waiting_for"] == ["vehicle_ready"]
    desk.work.run(billing.rebuild_invoice, desk.order_id, desk.signed["order"]["visit_id"])
    rebuilt = desk.view()
    assert {**kept, "updated_at": None} == {**rebuilt, "updated_at": None}
    desk.ready()  # then the bill reads them all: the filter issued but not quoted
    assert desk.view()["status"] == "blocked" and desk.view()["variances"][0]["key"] == "part:9:P-FILTER-OIL"


def test_a_signed_body_is_loaded_once_for_each_content(tmp_path):
    body = first_version(tmp_path / "keys")["order"]
    loaded = loaded_order(body)
    assert loaded == OrderSchema().load(body) and loaded_order(json.loads(json.dumps(body))) is loaded
    other = {**body, "mileage_km": body["mileage_km"] + 1}
    assert loaded_order(other)["mileage_km"] == loaded["mileage_km"] + 1


def test_the_versions_and_the_work_read_together_are_those_read_apart(desk):
    def both(session, order_id):
        together = models.versions_and_work(session, order_id)
        return together, (models.quotes(session, order_id), models.work_done(session, order_id))

    together, apart = desk.work.read(both, desk.order_id)
    assert together == apart and together[1] is None and [v.version for v in together[0]] == [1]
    desk.ready()
    together, apart = desk.work.read(both, desk.order_id)
    assert together == apart and together[1].order_version == 1


def test_the_invoice_of_an_order_read_as_a_row_is_the_view_of_the_entity(desk):
    for step in (lambda: None, desk.ready):
        step()
        entity = desk.work.read(lambda s: billing.invoice_view(models.invoice_for_order(s, desk.order_id)))
        assert desk.work.read(billing.invoice_of_order, desk.order_id) == entity
