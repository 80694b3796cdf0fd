"""R-RC-8 through reception's HTTP interface: the service manager reviews an incident (JSON and the form, a
refusal in Chinese keeping what was typed) and the monthly summary answers as JSON and as a page with charts."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from contracts import names
from services.reception.models import CongestionIncident
from tests.support.db import service_work
from tests.support.http import Client

pytestmark = pytest.mark.service

RAISED = datetime(2026, 11, 3, 1, 10, tzinfo=UTC)  # 09:10 in Shanghai


def test_the_manager_reviews_incidents_and_reads_the_monthly_summary(line_factory):
    line = line_factory()
    var_dir = Path(line.env["VAR_DIR"])
    var_dir.mkdir(parents=True, exist_ok=True)
    work = service_work("reception", var_dir)  # two incidents the area recorded earlier this month

    def record(uow):
        for minutes, cause in ((21, "wait"), (12, "queue")):
            uow.session.add(
                CongestionIncident(
                    raised_at=RAISED + timedelta(hours=minutes),
                    cause=cause,
                    waiting=4,
                    longest_wait_seconds=minutes * 60,
                    cleared_at=RAISED + timedelta(hours=minutes, minutes=10),
                )
            )

    work.run(record)
    work.session_factory.kw["bind"].dispose()
    line.start([names.RECEPTION])
    client = Client(line, minted=True)

    first, second = (
        i["id"] for i in client.get(names.RECEPTION, "/api/pre-inspection/summary?month=2026-11")["incidents"]
    )
    review = {"root_cause": "advisors_short", "responsible_id": "A001", "actions": "早班增加一名服务顾问"}
    refused = client.request(
        "POST", names.RECEPTION, f"/api/pre-inspection/incidents/{first}/review", review, as_="A001"
    )
    assert refused.status_code == 403  # an advisor does not review incidents: the service manager does
    done = client.post(names.RECEPTION, f"/api/pre-inspection/incidents/{first}/review", review, as_="M001", expect=200)
    assert (done["root_cause"], done["responsible_id"], done["reviewed_by"]) == ("advisors_short", "A001", "M001")

    # the form: a review without a corrective action is refused naming the field, and keeps what was typed
    url = line.url(names.RECEPTION, f"/pre-inspection/incidents/{second}")
    headers = {"Authorization": f"Bearer {client.token('M001')}"}
    form = {"root_cause": "other", "root_cause_note": "暴雨天集中到店", "responsible_id": "A002", "actions": ""}
    page = requests.post(url, data=form, headers=headers, timeout=15, allow_redirects=False)
    assert page.status_code == 422
    assert 'data-field="actions"' in page.text and "请填写纠正措施" in page.text and "暴雨天集中到店" in page.text
    form["actions"] = "启用临时停车区并发放叫号牌"
    done = requests.post(url, data=form, headers=headers, timeout=15, allow_redirects=False)
    assert done.status_code == 303 and done.headers["Location"].endswith("/pre-inspection/summary?month=2026-11")

    summary = client.get(names.RECEPTION, "/api/pre-inspection/summary?month=2026-11")["summary"]
    assert summary["incidents"] == 2 and summary["reviewed"] == 2
    assert summary["average_wait_seconds"] == (21 + 12) * 30 and summary["max_wait_minutes"] == "21.0"
    assert {row["cause"] for row in summary["by_cause"]} == {"advisors_short", "other"}

    html = requests.get(
        line.url(names.RECEPTION, "/pre-inspection/summary?month=2026-11"), headers=headers, timeout=15
    ).text
    assert html.count('class="chart"') == 3 and "当班服务顾问不足" in html and "启用临时停车区并发放叫号牌" in html
    assert f'href="/pre-inspection/incidents/{first}"' in html  # the manager may correct a review
