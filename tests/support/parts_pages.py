"""Fake data for the parts counter's pages (tests/unit/test_translations.py renders every page with it, in
English and in Chinese, with rows and empty)."""

from datetime import UTC, datetime
from decimal import Decimal

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
LINE = {
    "line_no": 3,
    "part_no": "P-PAD-F",
    "name": "Pads",
    "bin": "B-01-2",
    "signed_quantity": Decimal("2"),
    "requested": Decimal("2"),
    "issued": Decimal("1"),
    "due": Decimal("1"),
    "on_backorder": Decimal("0"),
    "expected_on": None,
}
REQUEST = {
    "request_id": "r-1",
    "order_id": "0123456789",
    "order_version": 2,
    "visit_id": "v-1",
    "technician_id": "T001",
    "status": "open",
    "requested_at": NOW,
    "lines": [LINE, {**LINE, "line_no": 4, "on_backorder": Decimal("1"), "expected_on": NOW.date()}],
}
ISSUE = {
    "order_id": "0123456789",
    "line_no": 3,
    "part_no": "P-PAD-F",
    "quantity": Decimal("1"),
    "from_location": "MAIN",
    "technician_id": "T001",
    "issued_at": NOW,
    "issued_by": "P001",
}
MOVE = {
    "part_no": "P-PAD-F",
    "from_location": "MAIN",
    "to_location": None,
    "quantity": Decimal("1E+3"),
    "reason": "receive",
    "reference": "GR-1",
    "moved_at": NOW,
    "actor_id": "P001",
}
BACKORDER = {"part_no": "P-DISC-F", "quantity": Decimal("2"), "allocated": Decimal("0"), "promised_at": NOW}

PARTS_COUNTER_PAGES = {
    ("parts", "counter.html"): {"queue": [REQUEST], "done": [{**REQUEST, "status": "done"}]},
    ("parts", "request.html"): {"req": REQUEST, "issued": [ISSUE]},
    ("parts", "pick_list.html"): {
        "lines": [
            {
                "reservation_id": n,
                "appointment_id": "0123456789",
                "part_no": "P-OIL",
                "name": "Oil",
                "bin": "A-01-1",
                "quantity": Decimal("1"),
                "starts_at": NOW,
                "picked_at": picked,
                "picked_by": "P001" if picked else None,
            }
            for n, picked in ((1, None), (2, NOW))
        ]
    },
    ("parts", "goods_in.html"): {
        "purchase_orders": [
            {
                "purchase_order_id": "PO-1",
                "supplier": "OEM",
                "expected_on": NOW.date(),
                "status": s,
                "backorders": [BACKORDER],
            }
            for s in ("open", "received")
        ],
        "moves": [MOVE],
    },
    ("parts", "returns.html"): {
        "returns": [{**ISSUE, "return_id": "RT-1", "returned_at": NOW, "returned_by": "P001"}],
        "old_parts": [
            {
                "order_id": "0123456789",
                "line_no": 3,
                "part_no": "P-PAD-F",
                "quantity": 2,
                "fate": fate,
                "decided_at": NOW,
            }
            for fate in ("returned_to_customer", "scrapped", "kept_for_warranty")
        ],
    },
    ("parts", "parts.html"): {
        "q": "jy",
        "parts": [
            {
                "part_no": "P-ATF",
                "name": "ATF",
                "initials": "zdbsxy",
                "name_en": "ATF",
                "unit": unit,
                "bin": "A-03-1",
                "superseded_by": None,
                "min_qty": Decimal("20"),
                "max_qty": Decimal("120"),
                "cost": Decimal("52.00"),
                "retail_price": Decimal("88.00") if unit == "L" else None,
                "stock": {"MAIN": Decimal("120")},
            }
            for unit in ("L", "pc")
        ],
    },
    ("parts", "counts.html"): {
        "locations": ("MAIN", "APPT-SHELF", "QUARANTINE"),
        "counts": [
            {
                "count_id": n,
                "part_no": "P-DOT4",
                "location": "MAIN",
                "expected": Decimal("200"),
                "counted": Decimal("198"),
                "variance": Decimal("-2"),
                "status": status,
                "counted_at": NOW,
            }
            for n, status in enumerate(("pending", "approved", "rejected"))
        ],
    },
    ("parts", "figures.html"): {
        "figures": {
            "stock_value": Decimal("123456.00"),
            "turnover": Decimal("4.20"),
            "fill_rate": Decimal("92.5"),
            "days": 30,
            "value_by_part": [
                {"label": "P-OIL", "value": Decimal("72000")},
                {"label": "P-PAD-F", "value": Decimal("14400")},
            ],
        },
        "suggestions": [
            {
                "part_no": "P-DISC-F",
                "name": "Disc",
                "on_hand": Decimal("1"),
                "on_order": Decimal("2"),
                "min_qty": Decimal("6"),
                "max_qty": Decimal("60"),
                "suggested": Decimal("57"),
                "supplier": "OEM",
            }
        ],
    },
}
PARTS_COUNTER_EMPTY = {
    "queue": [],
    "done": [],
    "lines": [],
    "purchase_orders": [],
    "moves": [],
    "returns": [],
    "old_parts": [],
    "parts": [],
    "counts": [],
    "suggestions": [],
}
