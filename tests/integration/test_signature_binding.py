"""Issue 12, item 1: a customer signature is captured on the pad for one order and version, bound to them, used
once; signing checks the binding (a stored image's hash alone signs nothing)."""

from __future__ import annotations

import pytest

from contracts import names
from kit import signatures as kit_signatures
from kit.errors import DomainError
from kit.orders import OrderSigner
from services.billing.seed import PRICE_LIST
from services.reception.handlers import orders, prices
from services.reception.handlers import signatures as captures
from tests.integration.test_reception_mileage import visit_of, walk_around, write
from tests.support.db import service_work, snapshot, wire_event
from tests.support.factories import SIGNATURE_PNG, make_vin

OTHER_PNG = (  # another 1x1 PNG: another drawing
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def desk(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_price_list")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), prices.take_price_list)
    signer = OrderSigner(tmp_path / "keys")

    def ready_order():
        visit = visit_of(work, make_vin())
        order = write(work, visit.visit_id, 35210)
        walk_around(work, visit)
        return order.order_id

    def sign(order_id, digest):
        return work.run(
            orders.sign_order,
            order_id,
            advisor_id="A001",
            signer=signer,
            customer_signature_sha256=digest,
            actor_id="A001",
        )

    return work, ready_order, sign


def test_a_signature_captured_for_the_order_signs_it_once(desk):
    work, ready_order, sign = desk
    order_id = ready_order()
    captured = work.run(captures.capture, SIGNATURE_PNG, order_id, actor_id="A001")
    assert captured["order_id"] == order_id and captured["version"] == 1
    version = sign(order_id, captured["sha256"])
    assert version.signed["order"]["customer_signature_sha256"] == captured["sha256"]


def test_a_hash_stored_outside_the_pad_signs_nothing(desk):
    """The report's forgery: any staff member stored an image by content, then signed an order with its hash."""
    work, ready_order, sign = desk
    order_id = ready_order()
    digest = work.run(kit_signatures.store, OTHER_PNG, actor_id="T001")  # the old content-only store
    before = snapshot(work)
    with pytest.raises(DomainError) as refused:
        sign(order_id, digest)
    assert refused.value.code == "signature_not_bound" and refused.value.field == "customer_signature"
    assert "重新签名" in refused.value.message
    assert snapshot(work) == before


def test_a_signature_captured_for_another_order_does_not_sign_this_one(desk):
    work, ready_order, sign = desk
    first, second = ready_order(), ready_order()
    captured = work.run(captures.capture, SIGNATURE_PNG, first, actor_id="A001")
    with pytest.raises(DomainError) as refused:
        sign(second, captured["sha256"])
    assert refused.value.code == "signature_not_bound"
    assert sign(first, captured["sha256"]).version == 1


def test_a_capture_is_used_once(desk):
    """The same drawing twice (same hash) needs two captures: one capture signs one version only."""
    work, ready_order, sign = desk
    first, second = ready_order(), ready_order()
    captured = work.run(captures.capture, SIGNATURE_PNG, first, actor_id="A001")
    sign(first, captured["sha256"])
    with pytest.raises(DomainError):
        work.run(captures.use, captured["sha256"], first)  # the order is signed: nothing left to agree to
    with pytest.raises(DomainError) as refused:
        sign(second, captured["sha256"])
    assert refused.value.code == "signature_not_bound"


def test_nothing_is_captured_for_an_order_already_signed_or_unknown(desk):
    work, ready_order, sign = desk
    order_id = ready_order()
    sign(order_id, work.run(captures.capture, SIGNATURE_PNG, order_id, actor_id="A001")["sha256"])
    with pytest.raises(DomainError) as signed:
        work.run(captures.capture, SIGNATURE_PNG, order_id, actor_id="A001")
    assert signed.value.code == "already_signed"
    with pytest.raises(DomainError) as unknown:
        work.run(captures.capture, SIGNATURE_PNG, "no-such-order", actor_id="A001")
    assert unknown.value.status == 404
