"""The customer's signature, bound to what it agrees to (issue 12, item 1).

A signature is captured on the pad for one order and the version about to be signed (or one amendment's
consent), by a staff member allowed to sign orders (the route's permission), and kept with that binding;
signing the order (or the change) takes a capture bound to it and not used yet, and uses it up. An image stored
for another order, another version, by anyone else's route, or already used, signs nothing. The image itself is
kept once in the kit's store (kit.signatures), addressed by its SHA-256, which the signed body carries.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from kit import signatures
from kit.errors import DomainError, NotFound
from kit.i18n import N_

from ..models import Amendment, SignatureCapture
from .visits import rows_of_order

_INSERT_CAPTURE = sa.insert(SignatureCapture.__table__)  # built once: every signing (or capture on the pad) writes one

NOT_BOUND = N_("This signature was not captured for this order on the pad; the customer signs again")


def capture(
    uow,
    image: str | None,
    order_id: str | None = None,
    amendment_id: str | None = None,
    field: str = "image",
    used: bool = False,
) -> dict:
    """The pad's image for the order's next version (or the amendment's consent) -> its capture (`used`: by the
    signing it is sent with)."""
    order_id, version = _bound_to(uow.session, order_id, amendment_id)
    digest = signatures.store(uow, image, field=field)
    capture_id, now = str(uuid.uuid4()), uow.clock()
    row = {
        "capture_id": capture_id,
        "sha256": digest,
        "order_id": order_id,
        "version": version,
        "amendment_id": amendment_id,
        "captured_by": uow.actor_id,
        "captured_at": now,
        "used_at": now if used else None,
    }
    uow.session.connection().execute(_INSERT_CAPTURE, row)  # a row nothing reads back in this unit of work
    uow.correlation_id = order_id
    return {"capture_id": capture_id, "sha256": digest, "order_id": order_id, "version": version}


def use(uow, digest: str | None, order_id: str, amendment_id: str | None = None, field: str = "customer_signature"):
    """Use up the capture of `digest` bound to this order's next version (or this amendment): its SHA-256.
    Refused when there is none (another order or version, a forged hash) or it was used already."""
    if not digest:
        raise DomainError(N_("The customer has not signed yet"), field=field, code="unsigned")
    _, version = _bound_to(uow.session, None if amendment_id else order_id, amendment_id)
    row = uow.session.scalars(
        sa.select(SignatureCapture)
        .where(
            SignatureCapture.sha256 == digest,
            SignatureCapture.order_id == order_id,
            SignatureCapture.version == version,
            SignatureCapture.amendment_id.is_(None)
            if amendment_id is None
            else SignatureCapture.amendment_id == amendment_id,
            SignatureCapture.used_at.is_(None),
        )
        .order_by(SignatureCapture.captured_at)
        .with_for_update()
    ).first()
    if row is None:
        raise DomainError(NOT_BOUND, field=field, code="signature_not_bound")
    row.used_at = uow.clock()
    return digest


def capture_and_use(uow, image: str | None, order_id: str, amendment_id: str | None = None) -> str:
    """An image sent with the signing itself (the JSON API): captured for this very signing, used as it is written
    (bound by `capture` to this order's next version or this amendment, as `use` would check)."""
    bound_to = None if amendment_id else order_id
    return capture(uow, image, bound_to, amendment_id, field="customer_signature", used=True)["sha256"]


def _bound_to(session, order_id: str | None, amendment_id: str | None) -> tuple[str, int]:
    """(order id, version the signature agrees to) of an order awaiting its signature or a change awaiting
    consent; refused otherwise."""
    if amendment_id:
        amendment = session.get(Amendment, amendment_id)
        if amendment is None:
            raise NotFound("Amendment not found", field="amendment_id")
        if amendment.status != "awaiting_consent":
            raise DomainError("This change has already been answered", code="already_answered")
        return amendment.order_id, amendment.base_version + 1
    rows = rows_of_order(session, order_id) if order_id else None  # the rows the signing holds already
    order = rows.order if rows is not None else None
    if order is None:
        raise NotFound("Work order not found", field="order_id")
    if order.status == "signed":
        raise DomainError("The order is already signed", code="already_signed")
    return order.order_id, order.signed_version + 1
