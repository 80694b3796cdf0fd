"""R-RC-2: the odometer reading never goes back, unless a service manager confirmed an odometer change."""

from __future__ import annotations

from kit.errors import DomainError


def check_mileage(mileage_km: int, last_km: int | None) -> int:
    if last_km is not None and mileage_km < last_km:
        raise DomainError(
            "Mileage cannot be lower than the last reading of {last_km} km",
            field="mileage_km",
            code="mileage_lower",
            last_km=last_km,
        )
    return mileage_km
