"""The dispatch board page 派工看板 (R-WS-1, R-WS-7): every job waiting or in repair has its assign form, with every
technician and bay on the board as options and the job's own selected; the options are rendered once a page for each
choice, so each row must still say exactly what it said when they were rendered a row at a time."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

from kit.web import page

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
TECHNICIANS = [{"technician_id": "T001", "name": "刘师傅"}, {"technician_id": "T002", "name": "王<师傅>"}]
BAYS = ["B1", "B2"]


def job(line_no: int, technician_id: str | None, bay_id: str | None) -> dict:
    return {
        "line_no": line_no,
        "code": "LAB-OIL",
        "description": "更换机油",
        "hours": Decimal("0.5"),
        "status": "in_progress" if technician_id else "waiting",
        "technician_id": technician_id,
        "bay_id": bay_id,
        "clock": "assigned",
        "planned_start": NOW if technician_id else None,
    }


def board(jobs: list[dict]) -> dict:
    order = {
        "order_id": "O-1",
        "plate": "沪A12345",
        "advisor_id": "A001",
        "team_leader": None,
        "promised_at": NOW,
        "forecast_at": NOW,
        "at_risk": False,
        "comeback_of": None,
        "waiting_parts": False,
        "parts_expected_on": None,
        "jobs": jobs,
    }
    timeline = {"hours": [], "rows": []}
    return {"day": "2026-11-28", "orders": [order], "comebacks": [], "at_risk": [], "technicians": TECHNICIANS,
            "bays": BAYS, "timeline": timeline}  # fmt: skip


def rows_of(html: str) -> dict[int, str]:
    return {int(n): row for n, row in re.findall(r'<tr data-order="O-1" data-line="(\d+)">(.*?)</tr>', html, re.S)}


def test_each_job_row_offers_every_technician_and_bay_with_its_own_selected():
    jobs = [job(1, "T002", "B2"), job(2, None, None), job(3, "T009", "B9")]  # T009, B9: not on the board
    html = page("workshop", "Dispatch board", "dispatch.html", None, board=board(jobs)).get_data(as_text=True)
    rows = rows_of(html)
    assert sorted(rows) == [1, 2, 3]

    def technicians(selected):
        return "".join(
            f'<option value="{t["technician_id"]}" {"selected" if t["technician_id"] == selected else ""}>'
            f"{t['technician_id']} {t['name'].replace('<', '&lt;').replace('>', '&gt;')}</option>"
            for t in TECHNICIANS
        )

    def bays(selected):
        return "".join(f'<option value="{b}" {"selected" if b == selected else ""}>{b}</option>' for b in BAYS)

    for line_no, technician_id, bay_id in ((1, "T002", "B2"), (2, None, None), (3, "T009", "B9")):
        row = rows[line_no]
        assert f'<select name="technician_id" aria-label="技工">{technicians(technician_id)}</select>' in row
        assert f'<select name="bay_id" aria-label="工位">{bays(bay_id)}</select>' in row
        assert '<input type="hidden" name="csrf_token" value="">' in row
        assert ("改派" if technician_id else "分派") + "</button>" in row
    assert rows[3].count("selected") == 0 and rows[2].count("selected") == 0 and rows[1].count(" selected>") == 2
