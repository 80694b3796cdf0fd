"""The pre-inspection area 预检区 (R-RC-8): when it is congested, the service manager is alerted at once.

Three pre-inspection bays. Four or more cars waiting, or any car waiting over 20 minutes, is an
incident: the manager sends cars to the temporary park with a queue ticket 叫号牌, or moves
written-up cars to the workshop's waiting bays. Plain Python; the clock is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

QUEUE_LIMIT = 4
WAIT_LIMIT = timedelta(minutes=20)
ACTIONS = ("temporary_park_with_ticket", "move_written_up_cars_to_workshop_waiting_bays")


@dataclass(frozen=True)
class Congestion:
    cause: str  # "queue" (4 or more waiting) or "wait" (a car waiting over 20 minutes)
    waiting: int
    longest_wait: timedelta


def congestion(waiting_since: list[datetime], now: datetime) -> Congestion | None:
    """R-RC-8: the alert condition for the cars now waiting (their check-in times)."""
    if not waiting_since:
        return None
    longest = now - min(waiting_since)
    if len(waiting_since) >= QUEUE_LIMIT:
        return Congestion("queue", len(waiting_since), longest)
    if longest > WAIT_LIMIT:
        return Congestion("wait", len(waiting_since), longest)
    return None
