"""Small factories with overrides, random references per test (style rule 7)."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime, timedelta

from vininfo import Vin

_VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def make_vin(prefix: str = "LSV") -> str:
    """A random VIN with a correct check digit (position 9)."""
    while True:
        body = prefix + "".join(random.choices(_VIN_CHARS, k=17 - len(prefix)))
        for check in "0123456789X":
            vin = body[:8] + check + body[9:]
            if Vin(vin).verify_checksum():
                return vin


def make_plate() -> str:
    return "沪A" + "".join(random.choices(string.digits + "DFGHJK", k=5))


def make_mobile() -> str:
    return "139" + "".join(random.choices(string.digits, k=8))


def make_booking(**overrides) -> dict:
    booking = {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"plate": make_plate(), "model": "帕萨特"},
        "vin": make_vin(),
        "starts_at": (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat(),
        "advisor_id": "A001",
        "complaint": "冷车启动怠速抖动，热车后好转",
        "planned_labour": ["LAB-THROTTLE", "LAB-OIL"],
        "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": "1"}, {"part_no": "P-FILTER-OIL", "quantity": "1"}],
        "booked_by": "B001",
    }
    booking.update(overrides)
    return booking


ORDER_LINES = [
    {"kind": "labour", "code": "LAB-THROTTLE"},
    {"kind": "labour", "code": "LAB-OIL"},
    {"kind": "part", "code": "P-OIL-5W30", "quantity": "1"},
    {"kind": "part", "code": "P-FILTER-OIL", "quantity": "1"},
]

# A tiny valid PNG (1x1), standing in for the tablet's signature capture.
SIGNATURE_PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
                 "60e6kgAAAABJRU5ErkJggg==")
