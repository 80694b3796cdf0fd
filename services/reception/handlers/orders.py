"""Writing the order from the write-up (R-RC-5..7), signing it (R-RC-6: the customer, then the advisor,
Ed25519), and what its print shows. Use cases `f(uow, …)` and views `f(session, …)`."""

from __future__ import annotations

import hashlib
import json
import uuid

import sqlalchemy as sa

from contracts import names
from contracts.events import OrderSchema
from contracts.repair_order import RepairOrder
from kit import signatures
from kit.errors import DomainError, NotFound
from kit.web import JSONEncoder

from ..models import MileageReading, Order, OrderVersion, StaffName, Visit
from . import signatures as signature_captures
from .arrivals import order_view_of
from .drafts import compose_body, findings_of
from .visits import (
    Held,
    HeldOrder,
    committed,
    inserted,
    order_of_visit,
    refuse_if_signed,
    rows_of,
    rows_of_order,
    saved,
    visit_of,
)
from .walk_around import set_mileage, walk_around_summary
from .write_up import set_order_fields

_ORDER = OrderSchema()
# built once: what a signature writes (sign_order)
_INSERT_READING = sa.insert(MileageReading.__table__)
_INSERT_VERSION = sa.insert(OrderVersion.__table__)
_SIGNED_ORDER = (
    sa.update(Order.__table__)
    .where(Order.__table__.c.order_id == sa.bindparam("key"))
    .values(
        status=sa.bindparam("status"),
        signed_version=sa.bindparam("signed_version"),
        updated_at=sa.bindparam("updated_at"),
    )
)
_VISITS = Visit.__table__
_SIGNED_VISIT = (
    sa.update(_VISITS).where(_VISITS.c.visit_id == sa.bindparam("key")).values(status=sa.bindparam("status"))
)
_SIGNED_VISIT_OFF_BAY = _SIGNED_VISIT.values(
    on_bay=sa.bindparam("on_bay"), pre_inspection_left_at=sa.bindparam("pre_inspection_left_at")
)


class HeldVersion(Held):
    """A signed version as `sign_order` wrote it (a plain row: not an ORM object)."""

    table = OrderVersion.__table__


def write_order(uow, visit_id: str, cmd: dict, promise=None) -> HeldOrder:
    """R-RC-5..7: the jobs (and accepted findings) priced from the published list, totals, pay type, key tag,
    whether the customer waits, and the promised delivery time from the workshop's load.

    `promise(hours, not_before)` asks the workshop (None when it does not answer); a promise entered by hand
    (`promised_at`) needs a note saying why.
    """
    session = uow.session
    visit = visit_of(session, visit_id)
    refuse_if_signed(session, visit_id)
    order = order_of_visit(session, visit_id)
    if cmd.get("mileage_km") is not None:
        set_mileage(uow, visit, cmd["mileage_km"])
    set_order_fields(uow, visit, cmd)
    now = uow.clock()
    body = compose_body(uow, visit, order, {"promised_at": now, "source": "manual"})
    if cmd.get("promised_at"):
        note = (cmd.get("promise_note") or "").strip()
        if not note:
            raise DomainError(
                "A delivery time entered by hand needs a note (why, and who agreed it)",
                field="promise_note",
                code="promise_note_required",
            )
        body.update(promised_at=cmd["promised_at"], promise_source="manual", promise_note=note)
    else:
        hours = RepairOrder.from_body(body).labour_hours()
        answer = promise(hours, now) if promise is not None else None
        if answer is None:
            raise DomainError(
                "The workshop did not answer with a delivery time; enter the promise by hand with a note",
                field="promised_at",
                code="promise_needed",
            )
        body.update(promised_at=answer, promise_source="workshop", promise_note="")
    body["order_id"] = order.order_id if order else str(uuid.uuid4())
    draft = json.loads(json.dumps(body, cls=JSONEncoder))
    if order is None:  # the write-up and sheet are written already (the key tag's unique index decided)
        written = {"order_id": body["order_id"], "visit_id": visit_id, "status": "draft", "draft": draft}
        written.update(signed_version=0, updated_at=now)
        order = rows_of(session, visit_id).order = inserted(session, HeldOrder, written)
        return order
    return saved(session, order, {"draft": draft, "updated_at": now})


def require_ready_to_sign(session, order: HeldOrder) -> dict:
    """R-RC-1..7 before the first signature: a complete walk-around, every finding decided, the key tag and
    whether the customer waits. Returns the walk-around summary for the signed body."""
    summary = walk_around_summary(session, order.visit_id)
    if any(f.status == "proposed" for f in findings_of(session, order.visit_id)):
        raise DomainError(
            "The customer has not yet accepted or declined every finding", field="findings", code="finding_pending"
        )
    row = rows_of(session, order.visit_id).write_up
    if row is None or not row.key_tag:
        raise DomainError("Enter the key tag number", field="key_tag", code="required")
    if row.customer_waits is None:
        raise DomainError("Does the customer wait in the lounge or leave?", field="customer_waits", code="required")
    return summary


def sign_order(
    uow,
    order_id: str,
    *,
    advisor_id: str,
    signer,
    customer_signature: str | None = None,
    customer_signature_sha256: str | None = None,
) -> HeldVersion:
    """R-RC-6: the customer signs, then the advisor; the version is signed (Ed25519) and announced.

    The customer's signature is either an image captured on the tablet beforehand for this order's version
    (its SHA-256; handlers/signatures.py checks the binding and uses it up) or the image itself (a data URL).
    """
    session = uow.session
    rows = rows_of_order(session, order_id)  # the order with its visit, sheet and write-up
    if rows is None:
        raise NotFound("Work order not found", field="order_id")
    order = rows.order
    if order.status == "signed":
        raise DomainError("The order is already signed", code="already_signed")
    if customer_signature_sha256:  # captured on the pad for this order's next version, not used yet
        digest = signature_captures.use(uow, customer_signature_sha256, order_id)
    else:
        digest = signature_captures.capture_and_use(uow, customer_signature, order_id)
    if advisor_id != order.draft["advisor_id"]:
        raise DomainError(
            "The order must be signed by the advisor who received the car", field="advisor_id", code="wrong_advisor"
        )
    summary = require_ready_to_sign(session, order)  # R-RC-1..7: a complete walk-around, …
    now = uow.clock()
    body = {
        **order.draft,
        "version": order.signed_version + 1,
        "customer_signature_sha256": digest,
        "signed_at": now.isoformat(),
        "walk_around": json.loads(json.dumps(summary, cls=JSONEncoder)),
    }
    signed = signer.sign_json(body)  # the contract checked once, in the signer
    connection = session.connection()  # rows nothing reads back as objects: prebuilt statements, no flush
    connection.execute(
        _INSERT_READING,
        {"vin": body["vehicle"]["vin"], "mileage_km": body["mileage_km"], "read_at": now, "order_id": order_id},
    )
    written = {
        "order_id": order_id,
        "version": body["version"],
        "signed": signed,
        "signed_at": now,
        "advisor_id": advisor_id,
    }
    connection.execute(_INSERT_VERSION, written)
    rows.reading_added()
    signed_order = {"status": "signed", "signed_version": body["version"], "updated_at": now}
    connection.execute(_SIGNED_ORDER, {"key": order_id, **signed_order})
    committed(order, signed_order)  # the held order says what was written
    visit = rows.visit
    left = {"status": "order_signed", "on_bay": None, "pre_inspection_left_at": now}
    if visit.on_bay is None:  # R-RC-8: a signed car is no longer on a pre-inspection bay
        left = {"status": "order_signed"}
    connection.execute(_SIGNED_VISIT if len(left) == 1 else _SIGNED_VISIT_OFF_BAY, {"key": visit.visit_id, **left})
    committed(visit, left)
    uow.emit(names.ORDER_SIGNED, signed, correlation_id=order.visit_id)
    return HeldVersion(**written)  # written already


def signed_answer(uow, order_id: str, **signing) -> dict:
    """`sign_order`, answering with the order as signed (`order`) from what it wrote: a first signature's version
    is the order's only one; a later one is read with the versions before it. Audited as sign_order."""
    version = sign_order(uow, order_id, **signing)
    uow.session.flush()
    if version.version != 1:
        return order(uow.session, order_id)
    written = {"version": version.version, "signed_at": version.signed_at, "signed": version.signed}
    return {**order_view_of(rows_of_order(uow.session, order_id).order), "versions": [written]}


signed_answer.__name__ = sign_order.__name__


def order(session, order_id: str) -> dict | None:
    o = session.get(Order, order_id)
    if o is None:
        return None
    versions = session.scalars(sa.select(OrderVersion).filter_by(order_id=order_id).order_by(OrderVersion.version))
    return {
        **order_view_of(o),
        "versions": [{"version": v.version, "signed_at": v.signed_at, "signed": v.signed} for v in versions],
    }


def order_document(session, order_id: str, version: int | None = None) -> dict:
    """Everything the printed order shows, from the signed version (latest unless `version` is given)."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("Work order not found", field="order_id")
    query = sa.select(OrderVersion).filter_by(order_id=order_id)
    if version is not None:
        query = query.filter_by(version=version)
    signed = session.scalars(query.order_by(OrderVersion.version.desc()).limit(1)).first()
    if signed is None:
        if version is not None:
            raise NotFound("This order has no such version", field="version")
        raise DomainError("The order is not signed yet; only a signed order is printed", code="not_signed")
    body = _ORDER.load(signed.signed["order"])
    image = signatures.image(session, body["customer_signature_sha256"])
    if image is not None and hashlib.sha256(image).hexdigest() != body["customer_signature_sha256"]:
        image = None  # never print an image other than the one that was signed
    advisor = session.get(StaffName, signed.advisor_id)
    return {
        "order": body,
        "version": signed.version,
        "latest_version": order.signed_version,
        "signed_at": signed.signed_at,
        "advisor_id": signed.advisor_id,
        "advisor_name": advisor.name if advisor else "",
        "customer_signature_png": image,
        "key_id": signed.signed.get("key_id", ""),
        "signature": signed.signed.get("signature", ""),
    }
