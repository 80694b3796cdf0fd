"""R-RC-2: a mileage lower than the last recorded reading is refused, in Chinese, naming the field."""

from datetime import UTC, datetime

import pytest

from contracts import names
from kit.errors import DomainError
from kit.orders import OrderSigner
from services.billing.seed import PRICE_LIST
from services.reception.handlers import arrivals, orders, prices
from services.reception.handlers import walk_around as walk_around_sheet
from tests.support.db import service_work, wire_event
from tests.support.factories import SIGNATURE_PNG, make_mobile, make_plate, make_vin

LINES = [{"kind": "labour", "code": "LAB-OIL"}]
# a promise entered by hand (no workshop here), the key tag and the customer's choice (R-RC-5..7)
FIELDS = {
    "promised_at": datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
    "promise_note": "测试：车间不在线",
    "customer_waits": True,
}
TAGS = iter(range(1, 1000))


def write(work, visit_id, mileage_km):
    cmd = {"lines": LINES, "mileage_km": mileage_km, "key_tag": f"K-{next(TAGS)}", **FIELDS}
    return work.run(orders.write_order, visit_id, cmd)


def walk_around(work, visit):
    """R-RC-1..3: the sheet is complete before the order is signed."""
    cover = {"seat": True, "steering_wheel": True, "floor": True, "customer_present": True}
    work.run(walk_around_sheet.fit_covers, visit.visit_id, cover)
    checks = {name: {"state": "ok"} for name in ("tyres", "lights", "glass", "interior")}
    checks |= {name: {"state": "ok"} for name in ("oil_dipstick", "coolant", "brake_fluid")}
    sheet = {"vin": visit.vehicle["vin"], "fuel_eighths": 6, "checks": checks, "valuables": {"left": False}}
    work.run(walk_around_sheet.record_walk_around, visit.visit_id, sheet)
    work.run(walk_around_sheet.complete_walk_around, visit.visit_id, actor_id="A001")


def visit_of(work, vin):
    cmd = {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": vin, "plate": make_plate(), "model": ""},
        "advisor_id": "A001",
    }
    return work.run(arrivals.check_in, cmd, actor_id="A001")


def test_a_lower_mileage_than_the_last_signed_order_is_refused(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_price_list")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), prices.take_price_list)
    signer = OrderSigner(tmp_path / "keys")
    vin = make_vin()

    first = visit_of(work, vin)
    order = write(work, first.visit_id, 35210)
    walk_around(work, first)
    work.run(orders.sign_order, order.order_id, advisor_id="A001", signer=signer, customer_signature=SIGNATURE_PNG)

    second = visit_of(work, vin)
    with pytest.raises(DomainError) as refused:
        write(work, second.visit_id, 30000)
    assert refused.value.field == "mileage_km" and refused.value.code == "mileage_lower"
    assert "35210" in refused.value.message and "里程" in refused.value.message
    assert work.read(arrivals.visit, second.visit_id)["order"] is None  # nothing stored

    equal_or_higher = write(work, second.visit_id, 35210)
    assert equal_or_higher.draft["mileage_km"] == 35210


def test_another_car_is_not_held_to_that_reading(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_price_list")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), prices.take_price_list)
    signer = OrderSigner(tmp_path / "keys")
    first = visit_of(work, make_vin())
    order = write(work, first.visit_id, 90000)
    walk_around(work, first)
    work.run(orders.sign_order, order.order_id, advisor_id="A001", signer=signer, customer_signature=SIGNATURE_PNG)
    other = visit_of(work, make_vin())
    assert write(work, other.visit_id, 1200).draft["mileage_km"] == 1200
