"""R-RC-8, the pre-inspection area day to day: queue tickets 叫号牌 numbered per day in the dealership's time
(also when two advisors check in at the same moment), bays taken only when free, the next ticket called,
and the service manager's action on an alert recorded (which, who, when) and summed up in the month."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from kit.errors import DomainError
from services.reception.domain.pre_inspection import ticket_label
from services.reception.handlers import arrivals, incidents, pre_inspection, walk_around
from services.reception.models import CongestionAction, Visit
from tests.support.db import service_work, snapshot
from tests.support.factories import make_mobile, make_plate, make_vin

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def walk_in_cmd():
    return {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
        "advisor_id": "A001",
    }


def walk_in(work):
    return arrivals.checked_in(work, walk_in_cmd(), actor_id="A001", tz=SHANGHAI)


@pytest.fixture
def work(tmp_path):
    work = service_work("reception", tmp_path)
    work.clock = Clock(T0)
    return work


# --- queue tickets ------------------------------------------------------------------------------------


def test_tickets_count_up_per_day_and_start_again_at_local_midnight_in_shanghai(work):
    clock = work.clock
    clock.now = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)  # 00:30 on 1 December in Shanghai (30 Nov in UTC)
    first = walk_in(work)
    clock.now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00, the same local day
    second = walk_in(work)
    clock.now = datetime(2026, 12, 1, 15, 59, 59, tzinfo=UTC)  # 23:59:59 in Shanghai
    third = walk_in(work)
    clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 00:00 on 2 December: the same UTC day, a new ticket day
    next_day = walk_in(work)
    assert [(v.ticket_day.isoformat(), v.ticket_no) for v in (first, second, third, next_day)] == [
        ("2026-12-01", 1),
        ("2026-12-01", 2),
        ("2026-12-01", 3),
        ("2026-12-02", 1),
    ]
    assert work.read(arrivals.visit, next_day.visit_id)["ticket"] == "001"
    assert work.read(arrivals.visit, third.visit_id)["ticket"] == "003"
    assert (ticket_label(7), ticket_label(1234), ticket_label(None)) == ("007", "1234", None)


def test_a_booked_arrival_gets_the_next_ticket_too(work):
    walk_in(work)
    plate = make_plate()

    def expect(uow):
        from services.reception.models import ExpectedArrival

        uow.session.add(
            ExpectedArrival(
                appointment_id="AP-1",
                visit_id="V-AP-1",
                plate=plate,
                customer={"name": "李女士", "mobile": make_mobile()},
                vehicle={"vin": make_vin(), "plate": plate, "model": ""},
                starts_at=T0,
                advisor_id="A002",
                planned_labour=[],
                planned_parts=[],
            )
        )

    work.run(expect)
    visit = arrivals.checked_in(work, {"appointment_id": "AP-1"}, actor_id="A002", tz=SHANGHAI)
    assert (visit.visit_id, visit.ticket_no) == ("V-AP-1", 2)


def race_two_check_ins(work) -> tuple[list, list, list]:
    """Two walk-ins checked in at the same moment on two threads, each held until both have read the day's
    last number and neither has written its own: (visits, errors, every insert of a visit)."""
    barrier = threading.Barrier(2, timeout=10)
    seen = threading.local()
    attempts = []

    def both_read_the_number_first(_connection, _cursor, statement, *_):
        if statement.startswith("INSERT INTO visits"):
            attempts.append(threading.get_ident())
            if not getattr(seen, "waited", False):
                seen.waited = True
                barrier.wait()  # each thread has its number, neither has written it

    engine = work.session_factory.kw["bind"]
    sa.event.listen(engine, "before_cursor_execute", both_read_the_number_first)
    visits, errors = [], []

    def check_in():
        try:
            visits.append(walk_in(work))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=check_in) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    sa.event.remove(engine, "before_cursor_execute", both_read_the_number_first)
    return visits, errors, attempts


def test_two_check_ins_at_the_same_moment_get_different_tickets(work):
    """Both read the day's last number before either writes: the unique (day, number) index refuses the
    second, which runs again and takes the next number."""
    visits, errors, attempts = race_two_check_ins(work)
    assert errors == []
    assert sorted(v.ticket_no for v in visits) == [1, 2]
    assert len(attempts) == 3  # the loser of the race ran once more
    assert work.read(lambda s: sorted(s.scalars(sa.select(Visit.ticket_no)))) == [1, 2]


def test_the_database_itself_refuses_a_ticket_number_twice_on_one_day(work):
    visit = walk_in(work)

    def duplicate(uow):
        other = arrivals.check_in(uow, walk_in_cmd(), SHANGHAI)  # 002, then written over with 001
        uow.session.execute(sa.update(Visit).filter_by(visit_id=other.visit_id).values(ticket_no=visit.ticket_no))

    with pytest.raises(IntegrityError):
        work.run(duplicate)


# --- bays -------------------------------------------------------------------------------------------------


def test_a_car_is_taken_only_onto_a_free_bay_and_the_ticket_is_called(work):
    first, second, third = (walk_in(work) for _ in range(3))
    work.clock.now = T0 + timedelta(minutes=3)
    work.run(pre_inspection.start_pre_inspection, first.visit_id, "P1", actor_id="A001")
    before = snapshot(work, skip=("inbox", "audit_log"))
    with pytest.raises(DomainError) as refused:
        work.run(pre_inspection.start_pre_inspection, second.visit_id, "P1", actor_id="A002")
    assert refused.value.field == "bay" and refused.value.code == "bay_occupied"
    assert refused.value.message == f"预检工位 P1 已被 {first.plate} 占用"
    assert snapshot(work, skip=("inbox", "audit_log")) == before  # nothing changed
    with pytest.raises(DomainError) as unknown:
        work.run(pre_inspection.start_pre_inspection, second.visit_id, "P9")
    assert unknown.value.field == "bay" and unknown.value.message == "请选择预检工位"

    called = work.read(arrivals.visit, first.visit_id)
    assert (called["on_bay"], called["ticket_called_at"]) == ("P1", T0 + timedelta(minutes=3))
    # no bay named: the first free one
    assert work.run(pre_inspection.start_pre_inspection, second.visit_id, None).on_bay == "P2"
    assert work.run(pre_inspection.start_pre_inspection, third.visit_id, None).on_bay == "P3"
    fourth = walk_in(work)
    with pytest.raises(DomainError) as full:
        work.run(pre_inspection.start_pre_inspection, fourth.visit_id, None)
    assert full.value.field == "bay" and full.value.message == "所有预检工位都已占用"

    work.run(pre_inspection.leave_bay, first.visit_id)  # the car has left P1
    assert work.run(pre_inspection.start_pre_inspection, fourth.visit_id, "p1").on_bay == "P1"
    area = work.read(pre_inspection.pre_inspection_area, T0 + timedelta(minutes=5))
    assert [(b["bay"], b["visit"]["ticket"]) for b in area["bays"]] == [("P1", "004"), ("P2", "002"), ("P3", "003")]


def test_the_database_refuses_two_cars_on_one_bay(work):
    first, second = walk_in(work), walk_in(work)
    work.run(pre_inspection.start_pre_inspection, first.visit_id, "P2")

    def also_on_p2(uow):
        uow.session.get(Visit, second.visit_id).on_bay = "P2"

    with pytest.raises(IntegrityError):
        work.run(also_on_p2)


def test_the_advisor_calls_the_next_ticket_onto_a_free_bay(work):
    visits = []
    for minute in range(3):
        work.clock.now = T0 + timedelta(minutes=minute)
        visits.append(walk_in(work))
    work.clock.now = T0 + timedelta(minutes=10)
    called = work.run(pre_inspection.call_next, "P3", actor_id="A002")
    assert (called.visit_id, called.on_bay, called.ticket_called_by) == (visits[0].visit_id, "P3", "A002")
    area = work.read(pre_inspection.pre_inspection_area, T0 + timedelta(minutes=10))
    assert [(w["ticket"], w["waited_minutes"]) for w in area["waiting"]] == [("002", 9), ("003", 8)]
    assert work.run(pre_inspection.call_next, None, actor_id="A002").visit_id == visits[1].visit_id  # onto P1
    work.run(pre_inspection.call_next, None, actor_id="A002")
    with pytest.raises(DomainError) as nobody:
        work.run(pre_inspection.call_next, None)
    assert nobody.value.message == "没有等待的车辆"


def test_completing_the_walk_around_frees_the_bay(work):
    visit = walk_in(work)
    work.run(walk_around.fit_covers, visit.visit_id, {"seat": True, "customer_present": True, "bay": "P2"})
    assert work.read(arrivals.visit, visit.visit_id)["on_bay"] == "P2"
    other = walk_in(work)
    with pytest.raises(DomainError):
        work.run(walk_around.fit_covers, other.visit_id, {"seat": True, "customer_present": True, "bay": "P2"})
    work.run(pre_inspection.leave_bay, visit.visit_id)
    work.run(walk_around.fit_covers, other.visit_id, {"seat": True, "customer_present": True, "bay": "P2"})
    assert work.read(arrivals.visit, other.visit_id)["on_bay"] == "P2"


# --- the manager's action on the alert ------------------------------------------------------------------------


def test_the_manager_records_the_action_taken_which_who_when_and_the_month_sums_it_up(work):
    for _ in range(4):
        walk_in(work)  # the fourth waiting car raises the alert
    area = work.read(pre_inspection.pre_inspection_area, T0)
    incident = area["open_incident"]
    assert incident["trigger"] == "queue" and incident["actions_taken"] == []

    with pytest.raises(DomainError) as bad:
        work.run(incidents.record_action, incident["id"], {"action": "wait_it_out"}, actor_id="M001")
    assert bad.value.field == "action" and bad.value.message == "请选择预案规定的措施之一"

    work.clock.now = T0 + timedelta(minutes=2)
    work.run(
        incidents.record_action,
        incident["id"],
        {"action": "temporary_park_with_ticket", "note": "3台"},
        actor_id="M001",
    )
    with pytest.raises(DomainError) as twice:
        work.run(incidents.record_action, incident["id"], {"action": "temporary_park_with_ticket"}, actor_id="M002")
    assert twice.value.field == "action" and twice.value.code == "action_recorded"
    work.clock.now = T0 + timedelta(minutes=3)
    work.run(
        incidents.record_action,
        incident["id"],
        {"action": "move_written_up_cars_to_workshop_waiting_bays"},
        actor_id="M001",
    )
    taken = work.read(pre_inspection.pre_inspection_area, T0)["open_incident"]["actions_taken"]
    assert [(t["action"], t["taken_by"], t["taken_at"], t["note"]) for t in taken] == [
        ("temporary_park_with_ticket", "M001", T0 + timedelta(minutes=2), "3台"),
        ("move_written_up_cars_to_workshop_waiting_bays", "M001", T0 + timedelta(minutes=3), ""),
    ]
    assert work.read(lambda s: s.scalar(sa.select(sa.func.count()).select_from(CongestionAction))) == 2

    report = work.read(incidents.monthly_summary, "2026-12", SHANGHAI, T0 + timedelta(hours=1))
    assert report["summary"]["by_action"] == {
        "temporary_park_with_ticket": 1,
        "move_written_up_cars_to_workshop_waiting_bays": 1,
    }
    assert [t["action"] for t in report["incidents"][0]["actions_taken"]] == [
        "temporary_park_with_ticket",
        "move_written_up_cars_to_workshop_waiting_bays",
    ]
    assert work.read(incidents.incident, incident["id"])["actions_taken"][0]["taken_by"] == "M001"


def test_a_bay_taken_a_moment_ago_by_another_advisor_sends_the_car_to_the_next_free_bay(work, monkeypatch):
    """R-RC-8 with two advisors (or two instances of reception) at the same moment: both saw P1 free; the unique
    index refuses the second, whose command runs again and takes the car onto P2 instead of refusing the advisor."""
    first, second = walk_in(work), walk_in(work)
    work.run(pre_inspection.start_pre_inspection, first.visit_id, None)  # P1
    seen = []
    real = pre_inspection.bays_and_area

    def stale_once(session):  # the moment before the other advisor's car reached P1
        seen.append(1)
        occupied, area = real(session)
        return ({}, area) if len(seen) == 1 else (occupied, area)

    monkeypatch.setattr(pre_inspection, "bays_and_area", stale_once)
    called = pre_inspection.on_a_free_bay(work, pre_inspection.start_pre_inspection, second.visit_id, None)
    assert (called.on_bay, len(seen)) == ("P2", 2)
    # a bay named by the advisor and occupied is refused as it stands, once (nothing to try again)
    third = walk_in(work)
    with pytest.raises(DomainError) as refused:
        pre_inspection.on_a_free_bay(work, pre_inspection.start_pre_inspection, third.visit_id, "P1")
    assert refused.value.message == f"预检工位 P1 已被 {first.plate} 占用" and len(seen) == 3
