"""R-RC-8: each congestion incident is reviewed (cause, responsible person, corrective action) and the month is
summed up: counts, average and longest waits, how long the area stayed congested, causes, one bar per day."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from contracts import names
from kit.errors import DomainError
from services.reception.handlers import directory, incidents
from services.reception.models import CongestionIncident
from tests.support.db import service_work, wire_event

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


def at(day, hour, minute=0):
    """A Shanghai wall-clock time in November 2026, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


# --- recorded by the service manager, summed up from the database ---------------------------------------


@pytest.fixture
def work(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_staff_registered")
    for staff_id, name in (("A001", "李明"), ("M001", "赵经理")):
        record = {"staff_id": staff_id, "name": name, "department": "service", "roles": ["x"], "active": True}
        work.handle(wire_event(names.STAFF_REGISTERED, record, f"staff:{staff_id}"), directory.take_staff_record)
    return work


def raise_incident(work, raised_at, wait, trigger="wait", cleared_after=600):
    def add(uow):
        row = CongestionIncident(
            raised_at=raised_at,
            cause=trigger,
            waiting=2,
            longest_wait_seconds=wait,
            cleared_at=raised_at + timedelta(seconds=cleared_after),
        )
        uow.session.add(row)
        uow.session.flush()
        return row.id

    return work.run(add)


def test_the_manager_records_cause_responsible_person_and_action_and_the_summary_shows_them(work):
    first = raise_incident(work, at(3, 9), 1201)
    second = raise_incident(work, at(4, 9), 1500, trigger="queue")
    review = {"root_cause": "advisors_short", "responsible_id": "a001", "actions": "早班增加一名服务顾问"}
    work.run(incidents.review, first, review, actor_id="M001")

    one = work.read(incidents.incident, first)
    assert (one["root_cause"], one["responsible_id"], one["responsible_name"]) == ("advisors_short", "A001", "李明")
    assert one["actions"] == "早班增加一名服务顾问" and one["reviewed_by"] == "M001"

    month = work.read(incidents.monthly_summary, "2026-11", SHANGHAI, NOW)
    s = month["summary"]
    assert s["incidents"] == 2 and s["reviewed"] == 1 and s["unreviewed"] == 1
    assert s["by_cause"] == [{"cause": "advisors_short", "incidents": 1}]
    assert s["by_responsible"] == [{"staff_id": "A001", "name": "李明", "incidents": 1}]
    assert s["average_wait_seconds"] == 1351 and s["max_wait_minutes"] == Decimal("25.0")
    assert [i["id"] for i in month["incidents"]] == [first, second]
    assert work.read(incidents.monthly_summary, "2026-12", SHANGHAI, NOW)["summary"]["incidents"] == 0


def test_a_responsible_person_the_directory_does_not_know_is_refused_and_nothing_changes(work):
    incident_id = raise_incident(work, at(3, 9), 1201)
    review = {"root_cause": "walk_ins", "responsible_id": "Z999", "actions": "分流到临时停车区"}
    with pytest.raises(DomainError) as refused:
        work.run(incidents.review, incident_id, review, actor_id="M001")
    assert refused.value.field == "responsible_id" and "Z999" in refused.value.message
    assert work.read(incidents.incident, incident_id)["root_cause"] is None


def test_an_unknown_incident_is_not_found(work):
    with pytest.raises(DomainError) as refused:
        work.run(incidents.review, 404, {"root_cause": "walk_ins", "responsible_id": "A001", "actions": "x"})
    assert refused.value.status == 404


def test_a_complaint_caused_by_congestion_fines_the_responsible_person_per_car(work):
    """R-RC-8a: 50 yuan per car (CONGESTION_FINE_YUAN) against the incident's responsible person."""
    first = raise_incident(work, at(5, 9), 1300)
    review = {"root_cause": "advisors_short", "responsible_id": "A001", "actions": "增派顾问"}
    work.run(incidents.review, first, review, actor_id="M001")
    for plate in ("沪A11111", "沪B22222"):
        work.run(incidents.record_complaint, first, {"plate": plate, "note": "排队太久"}, actor_id="M001")
    with pytest.raises(DomainError) as exc:
        work.run(incidents.record_complaint, first, {"plate": "沪a 11111"}, actor_id="M001")
    assert exc.value.field == "plate"
    report = work.read(incidents.monthly_summary, "2026-11", SHANGHAI, NOW)
    assert report["summary"]["fines"] == [{"staff_id": "A001", "cars": 2, "fine": Decimal("100.00")}]
    assert report["summary"]["by_action"] == dict.fromkeys(report["summary"]["by_action"], 0)  # complaints apart
    dearer = work.read(incidents.monthly_summary, "2026-11", SHANGHAI, NOW, Decimal("80.00"))
    assert dearer["summary"]["fines"][0]["fine"] == Decimal("160.00")
