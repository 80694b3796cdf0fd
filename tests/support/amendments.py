"""Signed amendments (R-WS-3) as reception makes them, for the consumers' tests: a version 1 and a version 2
that adds lines with the customer's consent and records what was declined."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from contracts import names
from contracts.events import OrderSchema
from kit.orders import OrderSigner, OrderVerifier
from services.reception.domain import amendments
from services.reception.handlers.amendments import body_sha256

from .db import wire_event
from .factories import make_order_body

_ORDER = OrderSchema()
D = Decimal

PAD = {"kind": "part", "code": "P-PAD-F", "description": "前制动片", "quantity": D("1"), "unit_price": D("380.00")}
BRAKE = {"kind": "labour", "code": "LAB-BRAKE-DISC", "description": "更换前制动盘及制动片", "quantity": D("1.5"),
         "unit_price": D("300.00")}  # fmt: skip
ALIGN = {
    "kind": "labour",
    "code": "LAB-ALIGN",
    "description": "四轮定位",
    "quantity": D("1.0"),
    "unit_price": D("300.00"),
}


def priced(line: dict) -> dict:
    return {**line, "line_no": 0, "amount": (line["quantity"] * line["unit_price"]).quantize(D("0.01"))}


def first_version(key_dir, **overrides) -> dict:
    """Version 1 of an order (order_signed's payload), signed with the key in `key_dir`."""
    return OrderSigner(key_dir).sign(_ORDER.load(make_order_body(**overrides)))


def next_version(key_dir, previous: dict, accepted=(PAD,), declined=(ALIGN,), consent=None) -> dict:
    """The signed version after `previous` (a signed envelope), as reception signs it after consent."""
    now = datetime.now(UTC).replace(microsecond=0)
    consent = consent or {
        "method": "phone",
        "at": now,
        "staff_id": "A001",
        "customer_words": "刹车片换，四轮定位不做",
        "signature_sha256": None,
    }
    body = amendments.amended_body(
        _ORDER.load(previous["order"]),
        body_sha256(previous["order"]),
        [priced(line) for line in accepted],
        [priced(line) for line in declined],
        consent=consent,
        promised_at=now + timedelta(hours=4),
        signed_at=now,
    )
    return OrderSigner(key_dir).sign(_ORDER.load(_ORDER.dump(body)))


def amended_payload(signed: dict, previous: dict, request_id: str | None = None) -> dict:
    """order_amended's payload for the signed version `signed` that follows `previous`."""
    return {
        "amendment_id": str(uuid.uuid4()),
        "signed_order": signed,
        "version": signed["order"]["version"],
        "previous_version": previous["order"]["version"],
        "previous_sha256": body_sha256(previous["order"]),
        "request_id": request_id,
    }


def amended_event(signed: dict, previous: dict, request_id: str | None = None):
    visit_id = signed["order"]["visit_id"]
    return wire_event(names.ORDER_AMENDED, amended_payload(signed, previous, request_id), correlation_id=visit_id)


def verifier(key_dir):
    return OrderVerifier(key_dir).verify


# --- redelivery cases (tests/unit/test_exactly_once.py) -------------------------------------------------


def prepare_reception_additional_work(work, tmp_path):
    payload = {
        "request_id": str(uuid.uuid4()),
        "order_id": str(uuid.uuid4()),
        "order_version": 1,
        "visit_id": "visit-1",
        "plate": "沪A12345",
        "reported_by": "T001",
        "reported_at": datetime.now(UTC),
        "reason": "前刹车片磨损至极限",
        "lines": [{"kind": "part", "code": "P-PAD-F", "quantity": "1"}],
    }
    return wire_event(names.ADDITIONAL_WORK_REQUESTED, payload), ()


def prepare_workshop_amended(work, tmp_path):
    from services.workshop import handlers as workshop
    from services.workshop import seed as workshop_seed

    workshop_seed.reference_data(work)
    keys = tmp_path / "keys"
    v1 = first_version(keys)
    work.handle(wire_event(names.ORDER_SIGNED, v1), workshop.take_signed_order, verifier(keys))
    return amended_event(next_version(keys, v1, accepted=(PAD, BRAKE)), v1), (verifier(keys),)


def prepare_billing_amended(work, tmp_path):
    from services.billing import handlers as billing
    from services.billing import seed as billing_seed

    billing_seed.reference_data(work)
    keys = tmp_path / "keys"
    v1 = first_version(keys)
    work.handle(wire_event(names.ORDER_SIGNED, v1), billing.record_signed_order, verifier(keys))
    return amended_event(next_version(keys, v1), v1), (verifier(keys),)


def declined_payload(v1: dict, request_id: str = "aw-1") -> dict:
    return {
        "request_id": request_id,
        "order_id": v1["order"]["order_id"],
        "amendment_id": str(uuid.uuid4()),
        "order_version": 1,
        "declined": [{"kind": "labour", "code": "LAB-ALIGN", "description": "四轮定位"}],
        "consent": {"method": "phone", "at": datetime.now(UTC), "staff_id": "A001", "customer_words": "这次都不做"},
    }


def prepare_workshop_declined(work, tmp_path):
    from services.workshop import handlers as workshop
    from services.workshop import seed as workshop_seed

    workshop_seed.reference_data(work)
    keys = tmp_path / "keys"
    v1 = first_version(keys)
    work.handle(wire_event(names.ORDER_SIGNED, v1), workshop.take_signed_order, verifier(keys))
    return wire_event(names.ADDITIONAL_WORK_DECLINED, declined_payload(v1), v1["order"]["visit_id"]), ()


def redelivery_cases() -> dict[str, tuple]:
    """name -> (service, handler, prepare), for test_exactly_once's CASES."""
    from services.billing import handlers as billing
    from services.reception.handlers import amendments as reception
    from services.workshop.handlers import additional_work as workshop

    return {
        "reception.take_additional_work": (
            "reception",
            reception.take_additional_work,
            prepare_reception_additional_work,
        ),
        "workshop.take_amended_order": ("workshop", workshop.take_amended_order, prepare_workshop_amended),
        "workshop.take_declined_work": ("workshop", workshop.take_declined_work, prepare_workshop_declined),
        "billing.take_amended_quote": ("billing", billing.record_amended_order, prepare_billing_amended),
    }
