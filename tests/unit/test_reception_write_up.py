"""The write-up on the advisor's tablet, on a real SQLite schema: the walk-around sheet (R-RC-1..3, R-KB-1a),
the service manager's odometer change (R-RC-2), complaint and diagnosis with the knowledge base and findings
(R-RC-4, R-KB-1), the order's fields (R-RC-5..7) and signing only on a complete sheet (R-RC-6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts import names
from kit.i18n import translate
from kit.orders import OrderSigner
from services.billing.seed import PRICE_LIST
from services.reception.handlers import arrivals as reception_arrivals
from services.reception.handlers import orders, prices, walk_around
from tests.support.db import service_work, wire_event
from tests.support.factories import SIGNATURE_PNG, make_mobile, make_plate, make_vin

LINES = [{"kind": "labour", "code": "LAB-OIL"}, {"kind": "part", "code": "P-OIL-5W30", "quantity": "1"}]
PROMISED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
EVERY_CHECK = {name: {"state": "ok"} for name in ("tyres", "lights", "glass", "interior")} | {
    "oil_dipstick": {"state": "ok"},
    "coolant": {"state": "ok"},
    "brake_fluid": {"state": "attention", "note": "液位接近下限"},
}


def workshop_answers(hours, not_before):
    """The workshop's promise_time as a plain function (what the RPC returns)."""
    return not_before + timedelta(hours=float(hours) + 1)


def workshop_silent(hours, not_before):
    return None


@pytest.fixture
def work(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_price_list")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), prices.take_price_list)
    return work


@pytest.fixture
def signer(tmp_path):
    return OrderSigner(tmp_path / "keys")


def walk_in(work, vin=None, complaint="冷车启动怠速抖动"):
    cmd = {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": vin or make_vin(), "plate": make_plate(), "model": "帕萨特"},
        "advisor_id": "A001",
        "complaint": complaint,
    }
    return work.run(reception_arrivals.check_in, cmd, actor_id="A001")


def full_walk_around(work, visit, mileage_km=35210, **extra):
    work.run(
        walk_around.fit_covers,
        visit.visit_id,
        {"seat": True, "steering_wheel": True, "floor": True, "customer_present": True},
        actor_id="A001",
    )
    cmd = {
        "vin": visit.vehicle["vin"],
        "mileage_km": mileage_km,
        "fuel_eighths": 4,
        "checks": EVERY_CHECK,
        "valuables": {"left": False},
        **extra,
    }
    work.run(walk_around.record_walk_around, visit.visit_id, cmd, actor_id="A001")
    return work.run(walk_around.complete_walk_around, visit.visit_id, actor_id="A001")


def write(work, visit, **cmd):
    cmd = {"lines": LINES, "key_tag": f"K{make_mobile()[-4:]}", "customer_waits": True, **cmd}
    return work.run(orders.write_order, visit.visit_id, cmd, promise=workshop_answers, actor_id="A001")


def sign(work, signer, order_id):
    return work.run(
        orders.sign_order,
        order_id,
        advisor_id="A001",
        signer=signer,
        customer_signature=SIGNATURE_PNG,
        actor_id="A001",
    )


# --- the walk-around sheet ---------------------------------------------------------------------------------


# --- mileage and the manager's odometer change -------------------------------------------------------------


def signed_visit(work, signer, vin, mileage_km):
    visit = walk_in(work, vin=vin)
    full_walk_around(work, visit, mileage_km=mileage_km)
    return sign(work, signer, write(work, visit).order_id)


# --- complaint, diagnosis, knowledge base, findings ---------------------------------------------------------


# --- the order's fields --------------------------------------------------------------------------------------


# --- signing ------------------------------------------------------------------------------------------------


def test_refusals_of_the_write_up_have_chinese_and_english():
    for msgid in (
        "The walk-around sheet must be complete before the order is signed",
        "The workshop did not answer with a delivery time; enter the promise by hand with a note",
        "Key tag {tag} is on another car still in the workshop",
    ):
        assert translate(msgid, "zh_CN") != msgid
