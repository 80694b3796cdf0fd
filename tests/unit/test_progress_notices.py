"""R-PN-1 / R-WS-5: the customer is told of progress - work started, change needing consent, delay, ready for
pick-up - through the notification outbox, each notice once however often its cause arrives."""

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contracts import names
from kit import notify
from kit.orders import OrderSigner
from services.reception.handlers import notices
from services.reception.models import ConsentRequest
from tests.support.db import service_work, wire_event
from tests.support.factories import make_mobile
from tests.support.reception_orders import store_signed_order

T0 = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def work(tmp_path, clock):
    work = service_work("reception", tmp_path, consumer="reception.tell_ready")
    work.clock = clock
    return work


def signed_order(work, tmp_path, email="wang@example.com", promised_at=None):
    customer = {"name": "王先生", "mobile": make_mobile(), **({"email": email} if email else {})}
    promised_at = (promised_at or T0 + timedelta(hours=3)).isoformat()
    return store_signed_order(work, OrderSigner(tmp_path / "keys"), customer=customer, promised_at=promised_at)


def ready_event(order, ready_at=T0):
    payload = {
        "order_id": order["order_id"],
        "order_version": 1,
        "jobs_done": [{"line_no": 1, "code": "LAB-OIL", "hours": Decimal("0.5"), "technician_id": "T001"}],
        "parts_used": [],
        "inspector_id": "Q001",
        "ready_at": ready_at,
    }
    return wire_event(names.VEHICLE_READY, payload, correlation_id=order["visit_id"])


def sent(work, order):
    return work.read(notify.notifications_about, order["order_id"])


def told(work, order):
    return work.read(notices.notices_of, order["order_id"])


def test_the_body_names_the_customer_the_car_the_time_and_the_advisor():
    subject, body = notices.compose(
        "ready", {"name": "王先生", "plate": "沪A12345", "ready": "2026-11-28 15:30", "advisor": "A001"}
    )
    assert "沪A12345" in subject
    assert "王先生" in body and "2026-11-28 15:30" in body and "A001" in body and "{" not in body


def test_every_kind_reads_in_chinese_with_its_facts_filled_in():
    facts = {
        "name": "王",
        "plate": "沪A1",
        "advisor": "A001",
        "promised": "16:00",
        "ready": "15:00",
        "reason": "刹车片",
        "amount": "512.30",
    }
    for kind in notices.KINDS:
        subject, body = notices.compose(kind, facts)
        assert "沪A1" in subject + body and "{" not in subject + body
        assert re.search(r"[\u4e00-\u9fff]", subject) and re.search(r"[\u4e00-\u9fff]", body)  # in Chinese
    assert (
        "刹车片" in notices.compose("consent_needed", facts)[1]
        and "512.30" in notices.compose("consent_needed", facts)[1]
    )


def consent_request(work, order, amendment_id, summary, answered=False):
    """As the amendment use case leaves it when the advisor has priced a change (R-WS-3)."""

    def write(uow):
        uow.session.add(
            ConsentRequest(
                amendment_id=amendment_id,
                order_id=order["order_id"],
                visit_id=order["visit_id"],
                plate=order["vehicle"]["plate"],
                customer={"name": "王先生", "mobile": order["customer"]["mobile"]},
                summary=summary,
                added_total=Decimal("512.30"),
                promised_at=T0 + timedelta(hours=6),
                requested_at=uow.clock(),
                answered_at=uow.clock() if answered else None,
            )
        )

    work.run(write)


def mail_bodies(session, order_id):
    table = session.info["metadata"].tables["notifications"]
    return list(session.scalars(sa.select(table.c.body).where(table.c.about == order_id).order_by(table.c.id)))
