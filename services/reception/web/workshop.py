"""The workshop's promise_time over nameko RPC (R-RC-5, R-WS-3): when, given its load, it can finish a number of
labour hours. Asked before the transaction that uses the answer (never holding it open while waiting)."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from kit.rpc import ServiceUnavailable

log = logging.getLogger(__name__)


def promise_time(rpc, hours: Decimal, not_before: datetime, about: str) -> datetime | None:
    """The workshop's time for `hours` starting no earlier than `not_before`; None when it does not answer
    (down, too slow, or no time within its horizon). `about` names what was asked for, for the log."""
    try:
        answer = rpc.call("promise_time", hours=str(hours), not_before=not_before.isoformat())
    except ServiceUnavailable:
        log.warning("workshop did not answer promise_time for %s", about)
        return None
    promised = (answer or {}).get("promised_at")
    return datetime.fromisoformat(promised) if promised else None
