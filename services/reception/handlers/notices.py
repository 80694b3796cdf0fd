"""Progress notices 进度通报 (R-PN-1, R-WS-5): whether the customer waits in the lounge or leaves, they are
told when work starts, when a change needs their consent, when the car will be late, and when it is ready.

A notice goes through the kit's notification outbox (kit.notify: the e-mail channel today; an SMS or WeChat
gateway is another `Channel`), written in the same transaction as the fact that caused it. Each notice has a
key (`ready:<order_id>`, `delay:<order_id>:<promised time>` …) kept in `progress_notices`, so a redelivered
event, a second timer round or a second event about the same fact sends nothing twice. A customer without
an e-mail address still gets a row, with no channel: the advisor's list shows whom to phone.

Triggers: `vehicle_ready` (ready for pick-up), `work_started` (the workshop began), and reception's own timer:
delay (the promised time passed and the car is not ready) and a priced change waiting for the customer's consent
(the consent requests the amendment use cases write, R-WS-3).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from contracts import Envelope
from kit import notify
from kit.errors import NotFound

from ..domain.notices import KINDS, check_email, compose, contact_of
from ..domain.notices import local as _local
from ..models import ConsentRequest, Order, OrderVersion, ProgressNotice, Visit
from . import directory
from .visits import Held


class HeldNotice(Held):
    """A notice as `tell` wrote it (a plain row: not an ORM object)."""

    table = ProgressNotice.__table__


__all__ = ["KINDS", "compose"]  # the texts the notices are written in (domain.notices)

DELAY_LOOKBACK = timedelta(days=14)  # orders promised longer ago are settled or followed up by phone
PHONE_WINDOW = timedelta(days=2)  # older unphoned notices are stale: the car is collected or the customer called


def _advisor(session, advisor_id: str) -> str:
    """The advisor as the customer knows them: "王芳 (A001)", from the staff directory's events (the number
    alone while reception has not heard the name)."""
    name = directory.names_of(session, [advisor_id]).get(advisor_id)
    return f"{name} ({advisor_id})" if name else advisor_id


_TELL = (  # built once, one statement: what a notice needs of the order, its visit and latest signed version, and
    # whether `key` was told
    sa.select(
        Order.visit_id,
        Order.draft,
        Visit.customer,
        OrderVersion.signed,
        sa.exists().where(ProgressNotice.key == sa.bindparam("key")).label("told"),
    )
    .outerjoin(Visit, Visit.visit_id == Order.visit_id)
    .outerjoin(
        OrderVersion,
        sa.and_(
            OrderVersion.order_id == Order.order_id,
            OrderVersion.version
            == sa.select(sa.func.max(OrderVersion.version))
            .where(OrderVersion.order_id == Order.order_id)
            .correlate(Order)
            .scalar_subquery(),
        ),
    )
    .where(Order.order_id == sa.bindparam("order_id"))
)


_INSERT_NOTICE = sa.insert(ProgressNotice.__table__)  # built once


def tell(uow, order_id: str, kind: str, key: str, **facts) -> HeldNotice | None:
    """Queue one notice about the order, once per key; None when it was already given (or no such order)."""
    session = uow.session
    found = session.connection().execute(_TELL, {"order_id": order_id, "key": key}).first()
    if found is None or found.told:
        return None
    body = found.signed["order"] if found.signed is not None else found.draft  # an amended promise counts
    customer = {**body.get("customer", {}), **(found.customer if found.customer is not None else {})}
    channel, recipient = contact_of(customer)
    if channel is not None:
        subject, text = compose(
            kind,
            {
                "name": customer.get("name", ""),
                "plate": body["vehicle"]["plate"],
                "advisor": _advisor(session, body.get("advisor_id", "")),
                "promised": _local(body.get("promised_at")),
                **facts,
            },
        )
        notify.queue(uow, recipient=recipient, subject=subject, body=text, channel=channel, about=order_id)
    row = {"key": key, "order_id": order_id, "kind": kind, "channel": channel, "recipient": recipient}
    row.update(created_at=uow.clock(), phoned_at=None, phoned_by=None)
    session.connection().execute(_INSERT_NOTICE, row)  # nothing reads it back as an object in this unit of work
    uow.correlation_id = uow.correlation_id or found.visit_id
    return HeldNotice(**row)  # written already


# --- triggers ---------------------------------------------------------------------------------


def vehicle_ready(uow, event: Envelope) -> None:
    """vehicle_ready (QC passed) -> "ready for pick-up" (R-PN-1)."""
    ready = event.payload
    tell(uow, ready["order_id"], "ready", f"ready:{ready['order_id']}", ready=_local(ready["ready_at"]))


def consent_needed(
    uow, order_id: str, amendment_id: str, *, reason: str, amount: Decimal, promised: datetime
) -> HeldNotice | None:
    """A priced change waits for the customer's consent (R-WS-3): they hear what, how much and by when."""
    facts = {"reason": reason, "amount": f"{amount:.2f}", "promised": _local(promised)}
    return tell(uow, order_id, "consent_needed", f"consent:{amendment_id}", **facts)


def consents_to_tell(session) -> list[str]:
    """Consent requests (written by the amendment use cases when a change is priced) not yet told."""
    return list(
        session.scalars(
            sa.select(ConsentRequest.amendment_id)
            .where(ConsentRequest.notified_at.is_(None), ConsentRequest.answered_at.is_(None))
            .order_by(ConsentRequest.requested_at)
        )
    )


def tell_consent_requests(uow) -> list[HeldNotice]:
    """R-PN-1 "change needing consent": each open consent request is told once, then marked."""
    told = []
    for amendment_id in consents_to_tell(uow.session):
        request = uow.session.get(ConsentRequest, amendment_id)
        notice = consent_needed(
            uow,
            request.order_id,
            amendment_id,
            reason=request.summary,
            amount=request.added_total,
            promised=request.promised_at,
        )
        request.notified_at = uow.clock()
        if notice is not None:
            told.append(notice)
    return told


def work_started(uow, order_id: str) -> HeldNotice | None:
    """The workshop began work on the order (dispatched to a technician and bay)."""
    return tell(uow, order_id, "work_started", f"started:{order_id}")


def missed_promises(session, now: datetime) -> list[tuple[str, str]]:
    """(order id, notice key) of signed orders whose promised time has passed, the car not ready and the
    customer not yet told of this promise (read first, so an idle timer round writes nothing)."""
    told_ready = sa.select(ProgressNotice.order_id).where(ProgressNotice.kind == "ready")
    orders = session.scalars(
        sa.select(Order).where(
            Order.status != "draft", Order.updated_at >= now - DELAY_LOOKBACK, Order.order_id.not_in(told_ready)
        )
    )
    missed = []
    for order in orders:
        promised = _latest_promise(session, order)
        if promised is None or promised >= now or promised < now - DELAY_LOOKBACK:
            continue
        key = f"delay:{order.order_id}:{promised.isoformat()}"
        if session.get(ProgressNotice, key) is None:
            missed.append((order.order_id, key))
    return missed


def watch_promises(uow) -> list[HeldNotice]:
    """R-PN-1 delay: a signed order whose promised time has passed without the car being ready. Once per
    promised time, so a new promise (an amended order) that is missed again is told again."""
    notices = [tell(uow, order_id, "delay", key) for order_id, key in missed_promises(uow.session, uow.clock())]
    return [n for n in notices if n is not None]


_LATEST_VERSION = (  # built once: every notice and every round of the promise watch reads it
    sa.select(OrderVersion)
    .where(OrderVersion.order_id == sa.bindparam("order_id"))
    .order_by(OrderVersion.version.desc())
    .limit(1)
)


def _latest_version(session, order_id: str) -> OrderVersion | None:
    return session.scalars(_LATEST_VERSION, {"order_id": order_id}).first()


def _latest_promise(session, order: Order) -> datetime | None:
    latest = _latest_version(session, order.order_id)
    if latest is None:
        return None
    value = latest.signed["order"].get("promised_at")
    return datetime.fromisoformat(value) if value else None


def notices_of(session, order_id: str) -> list[dict]:
    """What the customer was told about this order, and what is still to be phoned (no channel)."""
    rows = session.scalars(sa.select(ProgressNotice).filter_by(order_id=order_id).order_by(ProgressNotice.created_at))
    return [
        {
            "kind": n.kind,
            "channel": n.channel,
            "recipient": n.recipient,
            "created_at": n.created_at,
            "key": n.key,
            "phoned_at": n.phoned_at,
            "phoned_by": n.phoned_by,
        }
        for n in rows
    ]


def qc_failed(uow, event: Envelope) -> None:
    """qc_failed (R-QC-2) -> the advisor is told at once: a progress notice, once per failed check."""
    failed = event.payload
    tell(uow, failed["order_id"], "qc_failed", f"qc_failed:{failed['order_id']}:{failed['failed_at'].isoformat()}")


def order_at_risk(uow, event: Envelope) -> None:
    """order_at_risk (R-WS-7) -> the delay notice now, before the promise passes; keyed like the timer's delay
    notice for the same promised time, so the customer hears of it once."""
    risk = event.payload
    order = uow.session.get(Order, risk["order_id"])
    promised = _latest_promise(uow.session, order) if order is not None else None
    key = f"delay:{risk['order_id']}:{(promised or risk['promised_at']).isoformat()}"
    tell(uow, risk["order_id"], "delay", key)


def started(uow, event: Envelope) -> None:
    """work_started (the workshop dispatched the order) -> "work has started" (R-PN-1)."""
    work_started(uow, event.payload["order_id"])


# --- the customer's e-mail address, and the notices the advisor phones ------------------------------------


def set_email(uow, visit_id: str, email: str | None) -> Visit:
    """The address the customer gave at the desk (R-PN-1): later notices for this visit go there."""
    visit = uow.session.get(Visit, visit_id)
    if visit is None:
        raise NotFound("Visit not found", field="visit_id")
    email = check_email(email)
    visit.customer = {**visit.customer, "email": email or None}
    return visit


def to_phone(session, since: datetime) -> list[dict]:
    """Notices with no channel (the customer gave no e-mail address) not yet phoned, oldest first."""
    rows = session.execute(
        sa.select(ProgressNotice, Order, Visit)
        .join(Order, Order.order_id == ProgressNotice.order_id)
        .join(Visit, Visit.visit_id == Order.visit_id)
        .where(
            ProgressNotice.channel.is_(None),
            ProgressNotice.phoned_at.is_(None),
            ProgressNotice.created_at >= since,
        )
        .order_by(ProgressNotice.created_at)
    ).all()
    return [
        {
            "key": n.key,
            "kind": n.kind,
            "created_at": n.created_at,
            "order_id": n.order_id,
            "plate": v.plate,
            "customer": {"name": v.customer.get("name", ""), "mobile": v.customer.get("mobile", "")},
            "advisor_id": o.draft.get("advisor_id", v.advisor_id),
        }
        for n, o, v in rows
    ]


def mark_phoned(uow, key: str) -> ProgressNotice:
    notice = uow.session.get(ProgressNotice, key)
    if notice is None:
        raise NotFound("Notice not found", field="key")
    if notice.phoned_at is None:
        notice.phoned_at, notice.phoned_by = uow.clock(), uow.actor_id
    uow.correlation_id = notice.order_id
    return notice
