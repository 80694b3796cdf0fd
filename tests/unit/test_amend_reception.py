"""R-WS-3 at reception: found work is priced, the customer consents (tablet signature or phone), and only then
is a new order version signed; declined lines are recorded; old versions stay readable and verifiable."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contracts import names
from contracts.events import OrderSchema
from kit import signing
from kit.errors import DomainError
from kit.orders import OrderSigner, OrderVerifier
from services.billing.seed import PRICE_LIST
from services.reception.domain import amendments
from services.reception.handlers import amendments as amending
from services.reception.handlers import arrivals, prices, versions
from services.reception.models import Order, OrderVersion
from tests.support.db import service_work, wire_event
from tests.support.factories import make_mobile, make_order_body, make_plate, make_vin

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


# --- no change without consent --------------------------------------------------------------------


# --- consent gives version 2 -----------------------------------------------------------------------


# --- old versions stay readable and verifiable --------------------------------------------------------


def test_the_body_hash_is_the_sha256_of_the_canonical_json():
    body = OrderSchema().dump(OrderSchema().load(_body()))
    assert amending.body_sha256(body) == signing.sha256_hex(signing.canonical(body))


def _body():
    return make_order_body()


# --- pure rules --------------------------------------------------------------------------------------


def test_the_new_promise_adds_the_labour_hours_to_the_current_promise_on_the_half_hour():
    promise = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    now = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    lines = [{"kind": "labour", "quantity": D("1.2")}, {"kind": "part", "quantity": D("3")}]
    assert amendments.reestimate(promise, now, lines) == datetime(2026, 11, 28, 7, 30, tzinfo=UTC)
    late = datetime(2026, 11, 28, 8, 10, tzinfo=UTC)  # the promise has passed: from now
    assert amendments.reestimate(promise, late, lines) == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert amendments.reestimate(promise, now, [{"kind": "part", "quantity": D("1")}]) == promise


def test_a_line_number_that_was_not_proposed_is_refused():
    with pytest.raises(DomainError) as refused:
        amendments.decide([{"line_no": 3}], [3, 7])
    assert refused.value.field == "accepted_lines"


def test_the_consent_page_form_reads_the_answer_and_the_phone_consent_in_local_time():
    from werkzeug.datastructures import MultiDict

    from services.reception.web.amendments import accepted_from_form, consent_from_form

    form = MultiDict(
        [
            ("accept", "5"),
            ("accept", "3"),
            ("consent_method", "phone"),
            ("consent_at", "2026-11-28T10:15"),
            ("consent_staff_id", "A001"),
            ("consent_words", "同意"),
        ]
    )
    assert accepted_from_form(form) == [3, 5]
    consent = consent_from_form(form)
    assert consent["at"] == datetime(2026, 11, 28, 2, 15, tzinfo=UTC)  # 10:15 in Shanghai
    assert (consent["staff_id"], consent["customer_words"]) == ("A001", "同意")
    signed = consent_from_form(MultiDict({"consent_method": "signature", "customer_signature_sha256": "ab" * 32}))
    assert signed == {"method": "signature", "signature_sha256": "ab" * 32}
    assert consent_from_form(MultiDict({})) is None
    with pytest.raises(DomainError) as refused:
        consent_from_form(MultiDict({"consent_method": "phone", "consent_at": "yesterday"}))
    assert refused.value.field == "consent.at"


def test_asking_the_workshop_gives_its_time_or_nothing_when_it_does_not_answer():
    from kit.rpc import ServiceUnavailable
    from services.reception.web.amendments import ask_workshop

    class Workshop:
        def __init__(self, answer):
            self.answer, self.asked = answer, []

        def call(self, method, **kwargs):
            self.asked.append((method, kwargs))
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

    start = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    answering = Workshop({"promised_at": "2026-11-28T09:30:00+00:00", "hours": "2.5"})
    assert ask_workshop(answering, D("2.5"), start) == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert answering.asked == [("promise_time", {"hours": "2.5", "not_before": start.isoformat()})]
    assert ask_workshop(Workshop(ServiceUnavailable("workshop")), D("1"), start) is None
    assert ask_workshop(Workshop({"promised_at": None}), D("1"), start) is None
    silent = Workshop({})
    assert ask_workshop(silent, None, None) is None and silent.asked == []
