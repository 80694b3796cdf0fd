"""Fake data for the workshop floor's pages (tests/unit/test_translations.py renders every page in both languages)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from services.workshop.domain.capacity import SKILLS
from services.workshop.domain.completion import self_check_items
from services.workshop.domain.inspection import URGENCIES, standard_for
from services.workshop.domain.job_clock import PAUSE_REASONS

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


def job(clock: str = "running", **extra) -> dict:
    return {
        "order_id": "O-1",
        "plate": "A-D1234",
        "promised_at": NOW,
        "line_no": 1,
        "code": "LAB-THROTTLE",
        "description": "Throttle",
        "hours": Decimal("1.2"),
        "status": "done" if clock == "done" else "in_progress",
        "technician_id": "T001",
        "bay_id": "B1",
        "planned_start": NOW,
        "planned_end": NOW,
        "clock": clock,
        "pause_reason": "waiting_parts" if clock == "paused" else None,
        "clocked_minutes": 40,
        "finished_at": None,
        "self_check_items": self_check_items("LAB-THROTTLE"),
        "self_check": None,
        "repair_report": {"concern": "Idle", "cause": "Carbon", "correction": "Cleaned"},
        "signed_by": None,
        "reworks": 1,
        **extra,
    }


ORDER = {
    "order_id": "O-1",
    "plate": "A-D1234",
    "advisor_id": "A001",
    "promised_at": NOW,
    "waiting_parts": True,
    "parts_expected_on": "2026-12-09",
    "comeback_of": "O-0-first-order",
    "team_leader": None,
    "jobs": [job("assigned"), job("running", line_no=2), job("paused", line_no=3), job("done", line_no=4)],
    "parts_requested": [{"request_id": "r1", "requested_at": NOW, "lines": [{"line_no": 5, "quantity": "1"}]}],
    "parts_received": [{"line_no": 5, "part_no": "P-OIL-5W30", "quantity": Decimal("1")}],
    "non_conformances": [{"line_no": 1, "item": "leaks", "cause": "Leak", "technician_id": "T001"}],
    "help_tickets": [
        {"ticket_id": "h1", "line_no": 1, "question": "Idle?", "answer": None, "answered_by": None},
        {"ticket_id": "h2", "line_no": 1, "question": "Noise?", "answer": "Mount", "answered_by": "E001"},
    ],
    "inspection": {
        "items": [{"key": i.key, "label": i.label, "limit_mm": i.limit_mm} for i in standard_for(["LAB-THROTTLE"])],
        "road_test": True,
    },
    "quality_checks": [{"checked_at": NOW, "passed": False, "inspector_id": "Q001"}],
}
BOARD_ORDER = {
    **ORDER,
    "forecast_at": NOW,
    "at_risk": True,
    "team_leader": "A002",
}
TIMELINE = {
    "hours": [{"x": 0, "label": "08:30"}, {"x": 50, "label": "13:00"}],
    "rows": [
        {"kind": "technician", "id": "T001", "name": "Liu", "bars": [{"x": 5, "w": 10, "label": "A-D1234", "state": s}]}
        for s in ("assigned", "running", "paused", "done")
    ]
    + [{"kind": "bay", "id": "B1", "name": "B1", "bars": []}],
}
TICKET = {
    "ticket_id": "h1",
    "order_id": "O-1",
    "line_no": 1,
    "asked_by": "T001",
    "question": "Idle?",
    "asked_at": NOW,
    "answer_due": NOW,
    "late": True,
    "manager_alerted_at": NOW,
    "photos": ["/api/help-photos/1"],
}
NUMBERS_ROW = {
    "technician_id": "T001",
    "name": "Liu",
    "jobs": 2,
    "sold_hours": Decimal("3.00"),
    "clocked_hours": Decimal("3.00"),
    "productivity": Decimal("0.33"),
    "efficiency": Decimal("1.00"),
    "first_time_fix": Decimal("0.50"),
    "qc_failure_rate": Decimal("0.50"),
    "comeback_rate": None,
    "on_time": Decimal("0.50"),
}

WORKSHOP_PAGES = {
    ("workshop", "dispatch.html"): {
        "board": {
            "day": "2026-11-28",
            "orders": [BOARD_ORDER],
            "comebacks": [BOARD_ORDER],
            "at_risk": [BOARD_ORDER],
            "technicians": [{"technician_id": "T001", "name": "Liu"}],
            "bays": ["B1", "B2"],
            "timeline": TIMELINE,
        }
    },
    ("workshop", "my_jobs.html"): {"jobs": [job("assigned"), job("paused")], "reasons": PAUSE_REASONS},
    ("workshop", "job.html"): {"wo": ORDER, "job": job("running"), "reasons": PAUSE_REASONS},
    ("workshop", "expert.html"): {
        "tickets": [
            TICKET,
            {**TICKET, "ticket_id": "h2", "answer": "Mount", "answered_by": "E001", "minutes_to_answer": 12},
        ],
        "target": 30,
    },
    ("workshop", "qc_queue.html"): {"queue": [ORDER]},
    ("workshop", "inspection.html"): {"wo": ORDER, "finished_bays": ("F1", "F2"), "urgencies": URGENCIES},
    ("workshop", "numbers.html"): {
        "numbers": {"period": "week", "since": NOW, "technicians": [NUMBERS_ROW]},
        "alerts": [{"kind": "expert_late", "subject_id": "h1-ticket", "order_id": "O-1", "created_at": NOW}],
    },
}
WORKSHOP_PAGES[("workshop", "technicians.html")] = {
    "technicians": [
        {
            "technician_id": "T010",
            "name": "Qian",
            "skills": ["mechanical"],
            "shift_starts": "10:00",
            "shift_ends": None,
            "active": False,
        }
    ],
    "skills": SKILLS,
}
WORKSHOP_EMPTY = {"jobs": [], "queue": [], "tickets": [], "alerts": [], "technicians": []}
