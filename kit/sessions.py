"""Sessions that end (issue 12, item 4).

Every service verifies a session token itself (kit.auth.Sessions), so ending a session must reach all of them:
the staff service records the end in its own database and announces it (`sessions_revoked`); every service
(the kit's consumer in kit.service) records it in its `revoked_sessions` table; each process reads that table
again at most every `RELOAD_SECONDS`, so sign-out, new roles and a new password take effect everywhere within
seconds, and on every instance of a service.

- sign-out ends one session (its `jti`);
- new roles, a password reset or deactivation end every session of that staff member issued before.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import sqlalchemy as sa

from contracts import names

from . import clock as kit_clock

log = logging.getLogger(__name__)
RELOAD_SECONDS = 5.0


_generation = 0  # bumped after this process committed a revocation: read the table again at once


def changed() -> None:
    """This process has just committed a revocation (its own sign-out, or a consumed event)."""
    global _generation
    _generation += 1


def revoked_table(metadata: sa.MetaData) -> sa.Table:
    return metadata.tables["revoked_sessions"]


def record(session, staff_id: str, session_id: str | None, before: datetime, reason: str) -> None:
    """Keep an ended session (once: the staff service records it at once and again when it hears its event)."""
    table = revoked_table(session.info["metadata"])
    same = session.execute(
        sa.select(table.c.id).where(
            table.c.staff_id == staff_id,
            table.c.session_id.is_(None) if session_id is None else table.c.session_id == session_id,
            table.c.before == before,
        )
    ).first()
    if same is None:
        session.execute(table.insert().values(staff_id=staff_id, session_id=session_id, before=before, reason=reason))


def take_revocation(uow, event) -> None:
    """sessions_revoked -> this service refuses those sessions from now on."""
    p = event.payload
    record(uow.session, p["staff_id"], p.get("session_id"), p["before"], p["reason"])


def revoke(uow, staff_id: str, reason: str, session_id: str | None = None) -> None:
    """End one session (`session_id`) or every session of `staff_id` issued until now; tell every service."""
    before = uow.clock()
    record(uow.session, staff_id, session_id, before, reason)
    payload = {"staff_id": staff_id, "session_id": session_id, "before": before, "reason": reason}
    uow.emit(names.SESSIONS_REVOKED, payload, correlation_id=f"staff:{staff_id}")


def issued_now() -> int:
    """A token's issue time: milliseconds since the epoch on the kit clock (compared with `before`)."""
    return int(kit_clock.now().timestamp() * 1000)


class Revocations:
    """`revocations(staff_id, session_id, issued_at_ms)` -> True when that session has ended.

    Reads the service's `revoked_sessions` (through its kit.providers.Database) at most every RELOAD_SECONDS;
    without a database (a container with none) nothing is revoked."""

    def __init__(self, database, reload_seconds: float = RELOAD_SECONDS):
        self.database = database
        self.reload_seconds = reload_seconds
        self._loaded_at = float("-inf")
        self._generation = _generation
        self._sessions: set[str] = set()
        self._before: dict[str, datetime] = {}

    def __call__(self, staff_id: str, session_id: str | None, issued_at_ms: int | None) -> bool:
        if self.database is None:
            return False
        self._reload()
        if session_id and session_id in self._sessions:
            return True
        before = self._before.get(staff_id)
        if before is None:
            return False
        issued_at = datetime.fromtimestamp((issued_at_ms or 0) / 1000, UTC)
        return issued_at <= before

    def forget(self) -> None:
        """Read the table again on the next check."""
        self._loaded_at = float("-inf")

    def _reload(self) -> None:
        if time.monotonic() - self._loaded_at < self.reload_seconds and self._generation == _generation:
            return
        self._generation = _generation
        engine = getattr(self.database, "engine", None)
        if engine is None:
            return
        table = revoked_table(self.database.metadata)
        try:
            with engine.connect() as conn:
                rows = conn.execute(sa.select(table.c.staff_id, table.c.session_id, table.c.before)).all()
        except sa.exc.SQLAlchemyError as exc:  # the database away: what was read last holds, read again soon
            log.warning("revoked sessions not read: %s", exc)
            return
        sessions, before = set(), {}
        for staff_id, session_id, at in rows:
            at = at if at.tzinfo else at.replace(tzinfo=UTC)
            if session_id:
                sessions.add(session_id)
            elif at > before.get(staff_id, datetime.min.replace(tzinfo=UTC)):
                before[staff_id] = at
        self._sessions, self._before, self._loaded_at = sessions, before, time.monotonic()


def revocations_of(container) -> Revocations:
    """One Revocations per service container, over its Database provider."""
    kept = getattr(container, "_kit_revocations", None)
    if kept is None:
        # the kit.providers.Database of the container (found by what it has: kit.providers imports this module's
        # neighbours, so it is not imported here)
        database = next((d for d in container.dependencies if hasattr(d, "after_migrations")), None)
        kept = container._kit_revocations = Revocations(database)
    return kept
