"""Settings shared by the benchmark's parts."""

from __future__ import annotations

from contracts.events import EVENTS
from tools.line import ROOT

OUT_DIR = ROOT / "var" / "bench"
DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"

# Labour + parts per visit; every recipe has parts, so every visit has the same ten hops.
RECIPES: dict[str, tuple[list[str], list[tuple[str, int]]]] = {
    "balance": (["LAB-BALANCE"], [("P-WEIGHT", 1)]),
    "oil": (["LAB-OIL"], [("P-OIL-5W30", 1), ("P-FILTER-OIL", 1)]),
    "brake-fluid": (["LAB-BRAKE-FLUID"], [("P-DOT4", 1)]),
    "brake-disc": (["LAB-BRAKE-DISC"], [("P-DISC-F", 2), ("P-PAD-F", 1)]),
}
_TEN = ["balance", "oil", "balance", "brake-fluid", "balance", "oil", "balance", "balance", "oil", "balance"]
ROTATION = _TEN * 3 + _TEN[:-1] + ["brake-disc"]

VISIT_STEPS = (
    "book",
    "wait_parts_reserved",
    "check_in",
    "write_and_sign_order",
    "dispatch",
    "finish_jobs",
    "pass_quality_check",
    "invoice",
    "deliver",
    "pay",
    "follow_up_call",
)
EVENT_ORDER = [event_type for event_type, _version in EVENTS]
