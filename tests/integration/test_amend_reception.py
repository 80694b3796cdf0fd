"""R-WS-3 at reception: found work is priced, the customer consents (tablet signature or phone), and only then
is a new order version signed; declined lines are recorded; old versions stay readable and verifiable."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contracts import names
from contracts.events import OrderSchema
from kit.errors import DomainError
from kit.orders import OrderSigner, OrderVerifier
from services.billing.seed import PRICE_LIST
from services.reception.handlers import amendments as amending
from services.reception.handlers import arrivals, orders, prices, versions
from services.reception.models import Order, OrderVersion
from tests.support.db import service_work, snapshot, wire_event
from tests.support.factories import SIGNATURE_PNG, make_mobile, make_order_body, make_plate, make_vin

D = Decimal
FOUND = [
    {"kind": "labour", "code": "LAB-BRAKE-DISC"},
    {"kind": "part", "code": "P-PAD-F", "quantity": "1"},
    {"kind": "labour", "code": "LAB-ALIGN"},
]


class Desk:
    """Reception with a price list, a signed order (v1) and the workshop's found work on it."""

    def __init__(self, tmp_path):
        self.work = service_work("reception", tmp_path, consumer="reception.test")
        self.work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), prices.take_price_list)
        self.signer = OrderSigner(tmp_path / "keys")
        self.verifier = OrderVerifier(tmp_path / "keys")
        cmd = {
            "customer": {"name": "王先生", "mobile": make_mobile()},
            "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": "帕萨特"},
            "advisor_id": "A001",
        }
        visit = self.work.run(arrivals.check_in, cmd, actor_id="A001")
        self.visit_id = visit.visit_id
        self.order_id = signed_first_version(self.work, self.signer, visit)

    def found_work(self, lines=FOUND, reason="前刹车片磨损至极限", job_line_no=1) -> str:
        request_id = str(uuid.uuid4())
        payload = {
            "request_id": request_id,
            "order_id": self.order_id,
            "order_version": 1,
            "visit_id": self.visit_id,
            "plate": "沪A12345",
            "reported_by": "T001",
            "reported_at": datetime.now(UTC),
            "reason": reason,
            "lines": lines,
            "job_line_no": job_line_no,
        }
        self.work.handle(wire_event(names.ADDITIONAL_WORK_REQUESTED, payload), amending.take_additional_work)
        return request_id

    def price(self, request_id, **kw):
        return self.work.run(amending.price_amendment, self.order_id, request_id=request_id, actor_id="A001", **kw)

    def sign(self, amendment_id, accepted, consent, **kw):
        return self.work.run(
            amending.sign_amendment,
            amendment_id,
            advisor_id="A001",
            signer=self.signer,
            accepted=accepted,
            consent=consent,
            actor_id="A001",
            **kw,
        )

    def phone(self, **overrides):
        consent = {
            "method": "phone",
            "at": datetime.now(UTC),
            "staff_id": "A001",
            "customer_words": "刹车片换吧，四轮定位不做",
        }
        consent.update(overrides)
        return consent

    def versions(self):
        return self.work.read(versions.versions, self.order_id, self.verifier)

    def outbox(self, event_type):
        def read(session):
            table = session.info["metadata"].tables["outbox"]
            rows = session.execute(sa.select(table.c.body).where(table.c.event_type == event_type)).all()
            return [json.loads(r.body) for r in rows]

        return self.work.read(read)


def signed_first_version(work, signer, visit) -> str:
    """Version 1 as reception's sign_order stores it (written directly: this file tests what comes after)."""
    body = make_order_body(
        visit_id=visit.visit_id, customer=visit.customer, vehicle=visit.vehicle, customer_signature_sha256="a" * 64
    )
    signed = signer.sign(OrderSchema().load(body))

    def store(uow):
        now = uow.clock()
        uow.session.add(
            Order(
                order_id=body["order_id"],
                visit_id=visit.visit_id,
                status="signed",
                draft=signed["order"],
                signed_version=1,
                updated_at=now,
            )  # fmt: skip
        )
        uow.session.flush()
        uow.session.add(
            OrderVersion(order_id=body["order_id"], version=1, signed=signed, signed_at=now, advisor_id="A001")
        )
        return body["order_id"]

    return work.run(store)


@pytest.fixture
def desk(tmp_path):
    return Desk(tmp_path)


# --- the advisor re-prices -----------------------------------------------------------------------


def test_found_work_is_shown_to_the_advisor_and_priced_from_the_published_list(desk):
    """R-WS-3 / R-RC-5: re-priced from reception's copy of the list, numbered after the signed lines."""
    request_id = desk.found_work()
    [shown] = desk.work.read(versions.additional_work)
    assert shown["request_id"] == request_id and shown["reason"] == "前刹车片磨损至极限"
    assert shown["job_line_no"] == 1

    amendment = desk.price(request_id)
    view = desk.work.read(versions.amendment, amendment.amendment_id)
    assert [(line["line_no"], line["code"], line["amount"]) for line in view["lines"]] == [
        (3, "LAB-BRAKE-DISC", "450.00"),
        (4, "P-PAD-F", "380.00"),
        (5, "LAB-ALIGN", "300.00"),
    ]
    assert view["added_total"] == D("1276.90")  # 1130.00 + 13% VAT
    # re-estimated: 2.5 added labour hours after the current promise, on the half hour
    assert view["promised_at"] >= view["previous_promised_at"] + timedelta(hours=2, minutes=30)
    assert desk.work.read(versions.additional_work) == []  # no longer waiting for the advisor


def test_pricing_the_same_request_twice_gives_the_same_change(desk):
    request_id = desk.found_work()
    assert desk.price(request_id).amendment_id == desk.price(request_id).amendment_id


def test_a_change_needing_consent_is_recorded_for_the_progress_notices(desk):
    """R-PN-1: reception records the change needing consent; the progress notices tell the customer."""
    amendment = desk.price(desk.found_work())
    [pending] = desk.work.read(versions.pending_consents)
    assert pending["amendment_id"] == amendment.amendment_id
    assert pending["order_id"] == desk.order_id and pending["customer"]["name"] == "王先生"
    assert "前制动片" in pending["summary"] and pending["added_total"] == D("1276.90")
    assert pending["notified_at"] is None
    desk.sign(amendment.amendment_id, [3], desk.phone())
    assert desk.work.read(versions.pending_consents) == []


# --- no change without consent --------------------------------------------------------------------


@pytest.mark.parametrize(
    "consent",
    [
        None,
        {"method": "signature"},
        {"method": "signature", "signature_sha256": "f" * 64},  # never captured
        {"method": "telepathy"},
    ],
)
def test_an_amendment_without_consent_is_refused_in_chinese_and_nothing_changes(desk, consent):
    """R-WS-3: nobody changes an order without the customer's consent."""
    amendment = desk.price(desk.found_work())
    before = snapshot(desk.work)
    with pytest.raises(DomainError) as refused:
        desk.sign(amendment.amendment_id, [3, 4], consent)
    assert refused.value.code == "no_consent"
    assert refused.value.message == "客户尚未同意变更，委托书未作改动"
    assert snapshot(desk.work) == before
    assert [v["version"] for v in desk.versions()] == [1]
    assert desk.outbox(names.ORDER_AMENDED) == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"customer_words": "  "}, "consent.customer_words"),
        ({"at": None}, "consent.at"),
        ({"at": datetime.now(UTC) + timedelta(hours=1)}, "consent.at"),
        ({"at": datetime.now(UTC) - timedelta(days=1)}, "consent.at"),  # before the change was priced
    ],
)
def test_a_phone_consent_needs_its_time_and_the_customers_words(desk, overrides, field):
    """R-WS-3: a recorded phone consent: time, staff and the customer's words."""
    amendment = desk.price(desk.found_work())
    before = snapshot(desk.work)
    with pytest.raises(DomainError) as refused:
        desk.sign(amendment.amendment_id, [3], desk.phone(**overrides))
    assert refused.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert snapshot(desk.work) == before


# --- consent gives version 2 -----------------------------------------------------------------------


def test_with_a_phone_consent_version_2_is_signed_and_declined_lines_are_recorded_not_added(desk):
    """R-WS-3: consent to one line, decline the others; v2 carries v1's lines plus the consented one."""
    amendment = desk.price(desk.found_work())
    answered = desk.sign(amendment.amendment_id, [4], desk.phone())
    assert answered.status == "signed" and answered.new_version == 2
    assert (answered.accepted, answered.declined) == ([4], [3, 5])

    v1, v2 = desk.versions()
    assert (v1["version"], v2["version"]) == (1, 2)
    assert v1["verification"]["valid"] and v2["verification"]["valid"]
    body = desk.work.read(versions.version, desk.order_id, 2, desk.verifier)["signed"]["order"]
    assert [(line["line_no"], line["code"]) for line in body["lines"]] == [
        (1, "LAB-OIL"),
        (2, "P-OIL-5W30"),
        (3, "P-PAD-F"),
    ]
    assert [d["code"] for d in body["declined_lines"]] == ["LAB-BRAKE-DISC", "LAB-ALIGN"]
    assert body["consent"]["method"] == "phone" and body["consent"]["customer_words"] == "刹车片换吧，四轮定位不做"
    # 150.00 + 268.00 + 380.00 = 798.00, VAT 103.74
    assert (body["subtotal"], body["vat"], body["total"]) == ("798.00", "103.74", "901.74")
    assert body["amends"] == {"version": 1, "sha256": v1["sha256"]}
    v1_body = desk.work.read(versions.version, desk.order_id, 1, desk.verifier)["signed"]["order"]
    assert v1_body["total"] == "472.34" and "amends" not in v1_body  # version 1 still as it was signed
    assert body["customer_signature_sha256"] == v1_body["customer_signature_sha256"]  # phone: no new image
    assert body["promised_at"] == v1_body["promised_at"]  # a part alone does not move the promise

    [event] = desk.outbox(names.ORDER_AMENDED)
    payload = event["payload"]
    assert (payload["version"], payload["previous_version"], payload["previous_sha256"]) == (2, 1, v1["sha256"])
    assert desk.verifier.verify(payload["signed_order"])["version"] == 2
    assert event["correlation_id"] == desk.visit_id

    order = desk.work.read(orders.order, desk.order_id)
    assert order["signed_version"] == 2 and order["draft"]["total"] == "901.74"


def test_a_tablet_signature_consent_puts_the_new_signature_into_version_2(desk):
    """R-WS-3: the customer signs the change on the tablet (the sign page's signature capture)."""
    amendment = desk.price(desk.found_work())
    answered = desk.sign(amendment.amendment_id, [3, 4, 5], {"method": "signature"}, customer_signature=SIGNATURE_PNG)
    body = desk.work.read(versions.version, desk.order_id, 2, desk.verifier)["signed"]["order"]
    assert answered.declined == [] and body["declined_lines"] == []
    assert body["consent"]["method"] == "signature"
    assert body["customer_signature_sha256"] == body["consent"]["signature_sha256"]
    assert len(body["lines"]) == 5
    v1 = desk.work.read(versions.version, desk.order_id, 1, desk.verifier)["signed"]["order"]
    assert body["promised_at"] > v1["promised_at"]  # 2.5 h more labour


def test_declining_everything_signs_nothing_and_records_the_decline(desk):
    amendment = desk.price(desk.found_work())
    answered = desk.sign(amendment.amendment_id, [], desk.phone(customer_words="都不做了"))
    assert answered.status == "declined" and answered.declined == [3, 4, 5]
    assert [v["version"] for v in desk.versions()] == [1]
    assert desk.outbox(names.ORDER_AMENDED) == []
    [told] = desk.outbox(names.ADDITIONAL_WORK_DECLINED)  # the workshop is told not to do it
    assert [d["code"] for d in told["payload"]["declined"]] == ["LAB-BRAKE-DISC", "P-PAD-F", "LAB-ALIGN"]
    assert told["payload"]["consent"]["customer_words"] == "都不做了"


def test_an_answered_change_cannot_be_signed_again_and_a_stale_one_is_refused(desk):
    first = desk.price(desk.found_work())
    second = desk.price(desk.found_work([{"kind": "part", "code": "P-WEIGHT", "quantity": "4"}], reason="动平衡"))
    desk.sign(first.amendment_id, [3], desk.phone())
    with pytest.raises(DomainError) as again:
        desk.sign(first.amendment_id, [3], desk.phone())
    assert again.value.code == "already_answered"
    with pytest.raises(DomainError) as stale:
        desk.sign(second.amendment_id, [3], desk.phone())
    assert stale.value.code == "stale_amendment"  # priced against v1, the order is now v2


def test_a_change_can_come_from_the_advisor_and_version_3_amends_version_2(desk):
    desk.sign(desk.price(desk.found_work()).amendment_id, [4], desk.phone())
    own = desk.work.run(
        amending.price_amendment,
        desk.order_id,
        lines=[{"kind": "part", "code": "P-WEIGHT", "quantity": D("4")}],
        actor_id="A001",
    )
    desk.sign(own.amendment_id, [4], desk.phone())
    versions = desk.versions()
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[2]["amends"] == {"version": 2, "sha256": versions[1]["sha256"]}
    assert all(v["verification"]["valid"] for v in versions)


# --- old versions stay readable and verifiable --------------------------------------------------------


def test_a_stored_version_whose_total_is_edited_afterwards_no_longer_verifies(desk):
    """R-RC-6 / R-WS-3: the versions page verifies again; an edited v1 fails and so does v2's chain."""
    desk.sign(desk.price(desk.found_work()).amendment_id, [4], desk.phone())

    def tamper(uow):
        row = uow.session.get(OrderVersion, (desk.order_id, 1))
        row.signed = {**row.signed, "order": {**row.signed["order"], "total": "1.00"}}

    desk.work.run(tamper)
    v1, v2 = desk.versions()
    assert not v1["verification"]["valid"] and "altered" in v1["verification"]["reason"]
    assert v2["verification"]["valid"] is False and "amends" in v2["verification"]["reason"]


# --- pure rules --------------------------------------------------------------------------------------


def test_the_workshops_answer_for_the_added_hours_is_the_new_promise_and_kept_if_all_labour_is_accepted(desk):
    """R-WS-3: re-estimated from the workshop's load (its promise_time answer, asked before pricing)."""
    request_id = desk.found_work()
    hours, not_before = desk.work.read(amending.added_labour, desk.order_id, request_id, None, datetime.now(UTC))
    assert hours == D("2.5")  # LAB-BRAKE-DISC 1.5 h + LAB-ALIGN 1.0 h
    v1 = desk.work.read(versions.version, desk.order_id, 1, desk.verifier)["signed"]["order"]
    assert not_before == datetime.fromisoformat(v1["promised_at"])
    busy = not_before + timedelta(hours=9)  # the workshop is full until tomorrow
    amendment = desk.price(request_id, workshop_promise=busy)
    assert desk.work.read(versions.amendment, amendment.amendment_id)["promised_at"] == busy
    assert desk.work.read(versions.pending_consents)[0]["promised_at"] == busy
    desk.sign(amendment.amendment_id, [3, 4, 5], desk.phone())
    v2 = desk.work.read(versions.version, desk.order_id, 2, desk.verifier)["signed"]["order"]
    assert datetime.fromisoformat(v2["promised_at"]) == busy  # the time the customer consented to


def test_when_some_labour_is_declined_the_promise_is_estimated_again_for_what_was_accepted(desk):
    request_id = desk.found_work()
    v1 = desk.work.read(versions.version, desk.order_id, 1, desk.verifier)["signed"]["order"]
    amendment = desk.price(request_id, workshop_promise=datetime.fromisoformat(v1["promised_at"]) + timedelta(hours=9))
    desk.sign(amendment.amendment_id, [3, 4], desk.phone())  # the alignment (1 h) declined
    v2 = desk.work.read(versions.version, desk.order_id, 2, desk.verifier)["signed"]["order"]
    promise = datetime.fromisoformat(v1["promised_at"])
    assert (
        promise + timedelta(hours=1, minutes=30)
        <= datetime.fromisoformat(v2["promised_at"])
        < promise + timedelta(hours=2, minutes=30)
    )


def test_nothing_is_asked_of_the_workshop_for_parts_alone_or_a_change_that_will_be_refused(desk):
    parts_only = desk.found_work([{"kind": "part", "code": "P-PAD-F", "quantity": "1"}])
    assert desk.work.read(amending.added_labour, desk.order_id, parts_only, None, datetime.now(UTC)) == (None, None)
    unknown = [{"kind": "labour", "code": "LAB-WARP"}]
    assert desk.work.read(amending.added_labour, desk.order_id, None, unknown, datetime.now(UTC)) == (None, None)
    assert desk.work.read(amending.added_labour, "no-such-order", None, unknown, datetime.now(UTC)) == (None, None)


def test_once_the_car_has_been_delivered_its_order_cannot_be_amended(desk):
    from services.reception.models import WriteUp

    amendment = desk.price(desk.found_work())

    def delivered(uow):
        uow.session.add(WriteUp(visit_id=desk.visit_id, closed_at=uow.clock(), updated_at=uow.clock()))

    desk.work.run(delivered)
    for attempt in (
        lambda: desk.price(desk.found_work()),
        lambda: desk.sign(amendment.amendment_id, [3], desk.phone()),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "delivered" and refused.value.message == "车辆已交车，委托书不能再变更"
