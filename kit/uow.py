"""Unit of work: one database transaction holding a state change and the events it emits.

Plain Python (no nameko): handlers are `f(uow, command_or_event)` and are tested against a
real SQLite database without a broker.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from contracts import Envelope, build_message

from . import clock as kit_clock
from .db import audit_table, inbox_table, outbox_table
from .errors import PermanentError

log = logging.getLogger(__name__)
T = TypeVar("T")


def utcnow() -> datetime:
    """The kit clock's time (kit.clock.now), aware UTC."""
    return kit_clock.now()


class UnitOfWork:
    def __init__(
        self,
        session_factory: sessionmaker,
        *,
        service: str,
        dealer_id: str,
        actor_id: str | None = None,
        caused_by: Envelope | None = None,
        clock: Callable[[], datetime] = utcnow,
    ):
        self._session_factory = session_factory
        self.service = service
        self.dealer_id = dealer_id
        self.actor_id = actor_id
        self.caused_by = caused_by
        self.clock = clock
        self.session: Session | None = None
        self.emitted: list[dict[str, Any]] = []
        self.correlation_id: str | None = None  # the visit a command belongs to, when it emits nothing
        self.subject_id: str | None = None  # what a command changed, when its result (a view) does not say
        self.notified = False  # a customer notification was queued (kit.notify): wake the sender

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self.session.begin()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.session.in_transaction():
                self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        self.session.commit()

    def record(self, action: str, subject_id: str | None, correlation_id: str | None, detail: dict | None = None):
        """The audit trail: who changed what, when (every command and every handled event)."""
        self.session.execute(
            _statements(self.session).audit,
            {
                "at": self.clock(),
                "actor_id": self.actor_id,
                "action": action,
                "subject_id": subject_id,
                "correlation_id": correlation_id,
                "detail": json.dumps(detail or {}, ensure_ascii=False, default=str),
            },
        )

    def emit(self, event_type: str, payload: dict[str, Any], *, correlation_id: str | None = None) -> str:
        """Write an event to the outbox in this transaction; the relay publishes it after commit."""
        correlation_id = correlation_id or (self.caused_by.correlation_id if self.caused_by else None)
        if not correlation_id:
            raise ValueError(f"{event_type} needs a correlation id (the visit it belongs to)")
        message = build_message(
            event_type=event_type,
            payload=payload,
            producer=self.service,
            dealer_id=self.dealer_id,
            correlation_id=correlation_id,
            causation_id=self.caused_by.event_id if self.caused_by else None,
            actor_id=self.actor_id,
            occurred_at=self.clock(),
        )
        self.session.execute(
            _statements(self.session).outbox,
            {
                "event_id": message["event_id"],
                "event_type": event_type,
                "correlation_id": correlation_id,
                "body": json.dumps(message, ensure_ascii=False),
                "created_at": self.clock(),
            },
        )
        self.emitted.append(message)
        return message["event_id"]


def _metadata_of(session: Session) -> sa.MetaData:
    return session.info["metadata"]


class _Statements:
    """The kit's own statements over a service's tables, built once per metadata: built per call, their
    construction (coercing each value) and cache keys cost more CPU than running them on SQLite."""

    def __init__(self, metadata: sa.MetaData):
        audit, outbox, inbox = audit_table(metadata), outbox_table(metadata), inbox_table(metadata)
        self.audit = audit.insert()
        self.outbox = outbox.insert()
        self.inbox = inbox.insert()
        self.seen = sa.select(inbox.c.event_id, inbox.c.content_sha256).where(
            inbox.c.consumer == sa.bindparam("consumer"), inbox.c.event_id == sa.bindparam("event_id")
        )


def _statements(session: Session) -> _Statements:
    metadata = _metadata_of(session)
    statements = metadata.info.get("kit.statements")
    if statements is None:
        statements = metadata.info["kit.statements"] = _Statements(metadata)
    return statements


class Work:
    """What a service's code gets: run a command or handle an event, each in its own unit of work."""

    def __init__(
        self,
        session_factory: sessionmaker,
        *,
        service: str,
        dealer_id: str,
        consumer: str | None = None,
        after_commit: Callable[[], None] = lambda: None,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.session_factory = session_factory
        self.service = service
        self.dealer_id = dealer_id
        self.consumer = consumer
        self.after_commit = after_commit
        self.clock = clock

    def _uow(self, **kwargs) -> UnitOfWork:
        return UnitOfWork(
            self.session_factory, service=self.service, dealer_id=self.dealer_id, clock=self.clock, **kwargs
        )

    def run(self, handler: Callable[..., T], *args, actor_id: str | None = None, **kwargs) -> T:
        """Run a command handler `handler(uow, *args)` and commit what it wrote, with who did it."""
        with self._uow(actor_id=actor_id) as uow:
            result = handler(uow, *args, **kwargs)
            subject = uow.subject_id or _subject_of(result, args)
            uow.record(handler.__name__, subject, _correlation_of(uow, result, subject))
            uow.commit()
        if uow.emitted or uow.notified:
            self.after_commit()
        return result

    def read(self, query: Callable[..., T], *args, **kwargs) -> T:
        """Run a read-only query `query(session, *args)`; nothing is committed."""
        session = self.session_factory()
        try:
            session.begin()
            return query(session, *args, **kwargs)
        finally:
            session.close()

    def handle(self, event: Envelope, handler: Callable[..., Any], *args, **kwargs) -> bool:
        """Handle an event exactly once per consumer: the inbox row and the effects commit together.

        Returns False when this consumer had already handled the event (a redelivery).
        """
        if not self.consumer:
            raise RuntimeError("handle() needs the consumer name")
        with self._uow(caused_by=event) as uow:
            statements = _statements(uow.session)
            digest = content_digest(event)
            seen = uow.session.execute(statements.seen, {"consumer": self.consumer, "event_id": event.event_id}).first()
            if seen and seen.content_sha256 not in (None, digest):
                raise PermanentError(
                    f"event id {event.event_id} was handled before with other content: this message is not that fact"
                )
            if seen:
                log.info("%s: %s %s already handled", self.consumer, event.event_type, event.event_id)
                return False
            handler(uow, event, *args, **kwargs)
            uow.session.execute(
                statements.inbox,
                {
                    "consumer": self.consumer,
                    "event_id": event.event_id,
                    "event_type": event.event_type,
                    "correlation_id": event.correlation_id,
                    "occurred_at": event.occurred_at,
                    "handled_at": self.clock(),  # after the handler: a hop ends when it is handled
                    "content_sha256": digest,
                },
            )
            uow.record(
                self.consumer,
                event.correlation_id,
                event.correlation_id,
                {"event_type": event.event_type, "event_id": event.event_id, "by": event.actor_id},
            )
            try:
                uow.commit()
            except IntegrityError:
                # A concurrent copy of the same event won the race; this one changes nothing.
                if self._handled_meanwhile(event):
                    return False
                raise
        if uow.emitted:
            self.after_commit()
        return True

    def _handled_meanwhile(self, event: Envelope) -> bool:
        session = self.session_factory()
        try:
            session.begin()
            inbox = inbox_table(session.info["metadata"])
            return (
                session.execute(
                    sa.select(inbox.c.event_id).where(
                        inbox.c.consumer == self.consumer, inbox.c.event_id == event.event_id
                    )
                ).first()
                is not None
            )
        finally:
            session.close()


def answering(command: Callable[..., Any], view: Callable[..., T]) -> Callable[..., T]:
    """`command(uow, subject, …)`, then `view(session, subject)` in the same unit of work: a command answers
    from what it wrote (flushed, not yet committed) instead of a second transaction reading it again. Run by
    `Work.run`, it is audited under the command's own name and subject."""

    def run(uow: UnitOfWork, subject: str, *args, **kwargs) -> T:
        done = command(uow, subject, *args, **kwargs)
        # audited with the visit the command's own result names, as `Work.run` would audit the command alone
        uow.correlation_id = getattr(done, "visit_id", None) or uow.correlation_id
        uow.session.flush()
        return view(uow.session, subject)

    run.__name__ = command.__name__
    return run


def content_digest(event: Envelope) -> str:
    """The SHA-256 of a message's content as received (its envelope and payload, whatever its delivery)."""
    message = event.as_message(event.raw_payload or event.payload)
    return hashlib.sha256(json.dumps(message, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


_SUBJECT_KEYS = ("order_id", "appointment_id", "invoice_id", "visit_id", "staff_id", "call_id")


def _subject_of(result: Any, args: tuple) -> str | None:
    """What a command changed: the entity it returns (its id), else its first id-like argument."""
    if isinstance(result, str) and len(result) <= 64:
        return result
    for key in _SUBJECT_KEYS:
        value = getattr(result, key, None)
        if isinstance(value, str):
            return value
    return next((a for a in args if isinstance(a, str) and len(a) <= 64), None)


def _correlation_of(uow: UnitOfWork, result: Any, subject: str | None) -> str | None:
    return (
        getattr(result, "visit_id", None)
        or uow.correlation_id
        or (uow.emitted[0]["correlation_id"] if uow.emitted else None)
        or subject
    )


def audit_trail(session: Session, subject_id: str) -> list[dict]:
    audit = audit_table(session.info["metadata"])
    rows = session.execute(
        sa.select(audit)
        .where(sa.or_(audit.c.subject_id == subject_id, audit.c.correlation_id == subject_id))
        .order_by(audit.c.id)
    ).all()
    return [
        {
            "at": r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
            "actor_id": r.actor_id,
            "action": r.action,
            "subject_id": r.subject_id,
            "correlation_id": r.correlation_id,
            "detail": json.loads(r.detail),
        }
        for r in rows
    ]


def session_factory_for(engine, metadata: sa.MetaData) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False, autobegin=False, info={"metadata": metadata})
