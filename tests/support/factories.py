"""Small factories with overrides, random references per test (style rule 7)."""

from __future__ import annotations

import itertools
import random
import string
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

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


_SLOT_NUMBERS = itertools.count()
SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_slot(*, tomorrow: bool = False) -> datetime:
    """A free reception slot (R-BK-3 grid) for advisor A001: each call in a process gets another one.

    The slots walk forward a day per 24 calls, so after many tests in one process they lie days ahead;
    `tomorrow=True` keeps to tomorrow's grid, for a test that needs the visit within the pick list's
    48 hours (R-BK-6) whatever ran before it."""
    from services.booking.domain.slots import SlotRules, reception_slots

    n = next(_SLOT_NUMBERS)
    day = (datetime.now(SHANGHAI) + timedelta(days=1 if tomorrow else 1 + n // 24)).date()
    return reception_slots(day, SlotRules(), SHANGHAI)[n % 24]


def make_booking(**overrides) -> dict:
    booking = {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"plate": make_plate(), "model": "帕萨特"},
        "vin": make_vin(),
        "starts_at": next_slot().isoformat(),
        "advisor_id": "A001",
        "complaint": "冷车启动怠速抖动，热车后好转",
        "planned_labour": ["LAB-THROTTLE", "LAB-OIL"],
        "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": "1"}, {"part_no": "P-FILTER-OIL", "quantity": "1"}],
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
SIGNATURE_PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


def make_order_body(**overrides) -> dict:
    """A signed-order body as reception writes it (prices from the seeded price list 2026.11-1)."""
    import uuid

    body = {
        "order_id": str(uuid.uuid4()),
        "version": 1,
        "visit_id": str(uuid.uuid4()),
        "dealer_id": "demo-4s",
        "appointment_id": None,
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": "帕萨特"},
        "mileage_km": 35210,
        "advisor_id": "A001",
        "price_list_version": "2026.11-1",
        "lines": [
            {
                "line_no": 1,
                "kind": "labour",
                "code": "LAB-OIL",
                "description": "更换机油及机油滤清器",
                "quantity": "0.5",
                "unit_price": "300.00",
                "amount": "150.00",
            },
            {
                "line_no": 2,
                "kind": "part",
                "code": "P-OIL-5W30",
                "description": "机油 5W-30 4L",
                "quantity": "1",
                "unit_price": "268.00",
                "amount": "268.00",
            },
        ],
        "subtotal": "418.00",
        "vat_rate": "0.13",
        "vat": "54.34",
        "total": "472.34",
        "promised_at": (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0).isoformat(),
        "customer_signature_sha256": "a" * 64,
        "signed_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
    }
    body.update(overrides)
    return body


def make_delivered(**overrides) -> dict:
    """A vehicle_delivered payload (billing's, after payment)."""
    from decimal import Decimal

    delivered = {
        "invoice_id": "i-1",
        "order_id": "o-1",
        "advisor_id": "A001",
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": "帕萨特"},
        "total": Decimal("741.28"),
        "delivered_at": datetime.now(UTC),
    }
    delivered.update(overrides)
    return delivered
