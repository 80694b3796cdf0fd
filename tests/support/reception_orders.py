"""A signed work order stored in reception's database as signing leaves it (visit, order, signed version,
the customer's signature image), without going through the write-up: for tests of what reads signed orders
(the printed order, progress notices)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from contracts.events import OrderSchema
from kit import signatures
from kit.web import JSONEncoder
from services.reception.models import Order, OrderVersion, Visit
from tests.support.factories import SIGNATURE_PNG, make_order_body


def store_signed_order(work, signer, *, signature_png: str = SIGNATURE_PNG, **overrides) -> dict:
    """The loaded body of the stored version; `overrides` go into the order body (customer, lines, promised_at…)."""

    def write(uow):
        digest = signatures.store(uow, signature_png, field="customer_signature")
        body = OrderSchema().load(make_order_body(customer_signature_sha256=digest, **overrides))
        signed = signer.sign(body)
        dumped = json.loads(json.dumps(signed, cls=JSONEncoder))
        now = uow.clock()
        uow.session.add(
            Visit(
                visit_id=body["visit_id"],
                plate=body["vehicle"]["plate"],
                customer=dumped["order"]["customer"],
                vehicle=dumped["order"]["vehicle"],
                advisor_id=body["advisor_id"],
                checked_in_at=now,
                status="order_signed",
            )
        )
        uow.session.flush()
        uow.session.add(
            Order(
                order_id=body["order_id"],
                visit_id=body["visit_id"],
                status="signed",
                draft=dumped["order"],
                signed_version=body["version"],
                updated_at=now,
            )
        )
        uow.session.flush()
        uow.session.add(
            OrderVersion(
                order_id=body["order_id"],
                version=body["version"],
                signed=dumped,
                signed_at=body["signed_at"] if isinstance(body["signed_at"], datetime) else datetime.now(UTC),
                advisor_id=body["advisor_id"],
            )
        )
        return body

    return work.run(write)
