"""R-RC-2: a mileage lower than the last recorded reading is refused, in Chinese, naming the field."""

import pytest

from contracts import names
from kit.errors import DomainError
from kit.orders import OrderSigner
from services.billing.seed import PRICE_LIST
from services.reception import handlers
from tests.support.db import service_work, wire_event
from tests.support.factories import SIGNATURE_PNG, make_mobile, make_plate, make_vin

LINES = [{"kind": "labour", "code": "LAB-OIL"}]


def visit_of(work, vin):
    cmd = {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": vin, "plate": make_plate(), "model": ""},
        "advisor_id": "A001",
    }
    return work.run(handlers.check_in, cmd, actor_id="A001")


def test_a_lower_mileage_than_the_last_signed_order_is_refused(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_price_list")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), handlers.take_price_list)
    signer = OrderSigner(tmp_path / "keys")
    vin = make_vin()

    first = visit_of(work, vin)
    order = work.run(handlers.write_order, first.visit_id, {"lines": LINES, "mileage_km": 35210})
    work.run(handlers.sign_order, order.order_id, advisor_id="A001", signer=signer, customer_signature=SIGNATURE_PNG)

    second = visit_of(work, vin)
    with pytest.raises(DomainError) as refused:
        work.run(handlers.write_order, second.visit_id, {"lines": LINES, "mileage_km": 30000})
    assert refused.value.field == "mileage_km" and refused.value.code == "mileage_lower"
    assert "35210" in refused.value.message and "里程" in refused.value.message
    assert work.read(handlers.visit, second.visit_id)["order"] is None  # nothing stored

    equal_or_higher = work.run(handlers.write_order, second.visit_id, {"lines": LINES, "mileage_km": 35210})
    assert equal_or_higher.draft["mileage_km"] == 35210


def test_another_car_is_not_held_to_that_reading(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_price_list")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), handlers.take_price_list)
    signer = OrderSigner(tmp_path / "keys")
    first = visit_of(work, make_vin())
    order = work.run(handlers.write_order, first.visit_id, {"lines": LINES, "mileage_km": 90000})
    work.run(handlers.sign_order, order.order_id, advisor_id="A001", signer=signer, customer_signature=SIGNATURE_PNG)
    other = visit_of(work, make_vin())
    assert (
        work.run(handlers.write_order, other.visit_id, {"lines": LINES, "mileage_km": 1200}).draft["mileage_km"] == 1200
    )
