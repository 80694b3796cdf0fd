"""R-RC-8a: a customer's complaint caused by a congested pre-inspection area fines the person responsible for
the incident, per car (a dealership setting, 50 yuan by default); the monthly summary shows the fines.

A complaint is kept as one of the incident's recorded actions, `complaint:<plate>` (once per car and incident).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from kit.errors import DomainError
from kit.i18n import N_

PREFIX = "complaint:"
DEFAULT_FINE = Decimal("50.00")


def fine_setting(value: str | None) -> Decimal:
    """CONGESTION_FINE_YUAN ("50" by default): the fine per car, exact to the fen."""
    if not value:
        return DEFAULT_FINE
    try:
        fine = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"CONGESTION_FINE_YUAN: {value!r} is not an amount") from None
    if fine < 0 or fine != fine.quantize(Decimal("0.01")):
        raise ValueError(f"CONGESTION_FINE_YUAN: {value!r} is not an amount in yuan and fen")
    return fine.quantize(Decimal("0.01"))


def check_complaint(cmd: dict) -> dict:
    plate = "".join((cmd.get("plate") or "").split()).upper()
    if not 2 <= len(plate) <= 16:
        raise DomainError(N_("Give the plate of the car whose customer complained"), field="plate")
    note = (cmd.get("note") or "").strip()
    if len(note) > 500:
        raise DomainError(N_("The complaint is at most 500 characters"), field="note")
    return {"action": PREFIX + plate, "note": note}


def is_complaint(action: str) -> bool:
    return action.startswith(PREFIX)


def fines(incidents: list[tuple[str | None, int]], fine: Decimal) -> list[dict]:
    """[(responsible_id, complaints)] -> per responsible person: cars complained about and the fine."""
    cars: dict[str, int] = {}
    for responsible, complaints in incidents:
        if complaints:
            key = responsible or ""
            cars[key] = cars.get(key, 0) + complaints
    return [{"staff_id": staff_id, "cars": n, "fine": fine * n} for staff_id, n in sorted(cars.items())]
