"""The workshop floor's use cases on a real migrated schema: dispatch per job (R-WS-1, R-WS-7), the job clock and
finishing (R-WS-2, R-WS-6), the quality check with non-conformances (R-QC-1..4), stock-outs, expert help (R-WS-4),
comebacks and the staff directory."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from contracts import names
from contracts.events import OrderSchema
from kit.errors import DomainError
from kit.orders import OrderSigner, OrderVerifier
from kit.web import JSONEncoder
from services.workshop import handlers as workshop
from services.workshop import seed as workshop_seed
from services.workshop.domain.capacity import CapacityRules
from services.workshop.handlers import boards, clock, dispatching, expert, floor, quality, side, views
from services.workshop.models import WorkOrder
from tests.support.db import service_work, snapshot, wire_event
from tests.support.factories import SIGNATURE_PNG, make_order_body
from tests.support.visit import finish_body, inspection_body

THROTTLE = {
    "line_no": 3,
    "kind": "labour",
    "code": "LAB-THROTTLE",
    "description": "清洗节气门",
    "quantity": "1.2",
    "unit_price": "300.00",
    "amount": "360.00",
}
# a weekday morning in Shanghai, inside the workshop's hours
MORNING = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)


def outbox(work, event_type):
    def read(session):
        table = session.info["metadata"].tables["outbox"]
        rows = session.execute(sa.select(table.c.body).where(table.c.event_type == event_type)).all()
        return [json.loads(r.body)["payload"] for r in rows]

    return work.read(read)


class Shop:
    def __init__(self, tmp_path):
        self.keys = tmp_path / "keys"
        self.work = service_work("workshop", tmp_path, consumer="workshop.test")
        workshop_seed.reference_data(self.work)

    def order(self, lines_extra=(THROTTLE,), **overrides) -> dict:
        body = make_order_body(**overrides)
        body["lines"] = body["lines"] + list(lines_extra)
        signed = OrderSigner(self.keys).sign(OrderSchema().load(body))
        self.work.handle(
            wire_event(names.ORDER_SIGNED, signed), workshop.take_signed_order, OrderVerifier(self.keys).verify
        )
        return signed["order"]

    def run(self, handler, *args, actor="D001", **kwargs):
        return self.work.run(handler, *args, actor_id=actor, **kwargs)

    def view(self, order_id):
        """The order's view as the API reads it, checked against the full read (every side table read, ORM
        entities): skipping the side tables without rows of the order answers the same."""
        view = self.work.read(views.work_order, order_id)
        full = self.work.read(lambda s: views.work_order_view(s, s.get(WorkOrder, order_id)))
        assert view == full
        return view

    def job(self, order_id, line_no):
        return next(j for j in self.view(order_id)["jobs"] if j["line_no"] == line_no)


@pytest.fixture
def shop(tmp_path):
    with time_machine.travel(MORNING, tick=False):
        yield Shop(tmp_path)


def oil_issued(shop, oid: str) -> None:
    """The parts counter issues the order's oil (line 2): parts_issued handled by the workshop."""
    shop.work.handle(
        wire_event(
            names.PARTS_ISSUED,
            {
                "request_id": "r",
                "order_id": oid,
                "order_version": 1,
                "lines": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1", "from_location": "MAIN"}],
            },
        ),
        clock.take_parts_issued,
    )


def test_a_busy_technician_is_refused_with_the_free_ones_and_nothing_changes(shop):
    """R-WS-7: T001 takes the first order's oil change at 09:00; the second order's at 09:00 cannot have T001."""
    first, second = shop.order(lines_extra=()), shop.order(lines_extra=())
    nine = datetime(2026, 12, 8, 9, 0, tzinfo=floor.FloorSettings.load().hours.tz)
    shop.run(
        dispatching.assign_job,
        first["order_id"],
        1,
        technician_id="T001",
        bay_id="B1",
        starts_at=nine,
        roles=("dispatcher",),
    )
    before = snapshot(shop.work)
    with pytest.raises(DomainError) as refused:
        shop.run(
            dispatching.assign_job,
            second["order_id"],
            1,
            technician_id="T001",
            bay_id="B2",
            starts_at=nine,
            roles=("dispatcher",),
        )
    assert refused.value.field == "technician_id" and "T001" not in refused.value.details["alternatives"]["technicians"]
    assert "T004" in refused.value.details["alternatives"]["technicians"]  # quick service, free
    assert snapshot(shop.work) == before
    shop.run(
        dispatching.assign_job,
        second["order_id"],
        1,
        technician_id="T004",
        bay_id="B2",
        starts_at=nine,
        roles=("dispatcher",),
    )
    assert shop.job(second["order_id"], 1)["technician_id"] == "T004"
    assert len(outbox(shop.work, names.WORK_STARTED)) == 2


def test_an_orders_jobs_are_split_among_technicians_and_reassigned(shop):
    order = shop.order()
    shop.run(
        dispatching.assign_job,
        order["order_id"],
        1,
        technician_id="T004",
        bay_id="B4",
        starts_at=None,
        roles=("dispatcher",),
    )
    shop.run(
        dispatching.assign_job,
        order["order_id"],
        3,
        technician_id="T002",
        bay_id="B3",
        starts_at=None,
        roles=("dispatcher",),
    )
    assert [(j["technician_id"], j["bay_id"]) for j in shop.view(order["order_id"])["jobs"]] == [
        ("T004", "B4"),
        ("T002", "B3"),
    ]
    shop.run(
        dispatching.assign_job,
        order["order_id"],
        3,
        technician_id="T005",
        bay_id="B3",
        starts_at=None,
        roles=("dispatcher",),
    )
    assert shop.job(order["order_id"], 3)["technician_id"] == "T005"
    with pytest.raises(DomainError) as skill:  # T003 is body and paint
        shop.run(
            dispatching.assign_job,
            order["order_id"],
            3,
            technician_id="T003",
            bay_id="B3",
            starts_at=None,
            roles=("dispatcher",),
        )
    assert skill.value.field == "technician_id"


def test_an_advisor_only_dispatches_their_own_teams_orders(shop, monkeypatch):
    """R-WS-1 team mode: A002 leads T002 and T005; their orders skip the dispatcher."""
    teams = {"A002": ("T002", "T005")}
    signed = OrderSigner(shop.keys).sign(OrderSchema().load({**make_order_body(), "advisor_id": "A002"}))
    shop.work.handle(
        wire_event(names.ORDER_SIGNED, signed), workshop.take_signed_order, OrderVerifier(shop.keys).verify, teams
    )
    order_id = signed["order"]["order_id"]
    settings = floor.FloorSettings(teams=teams)
    with pytest.raises(DomainError) as not_dispatcher:
        shop.run(
            dispatching.assign_job,
            order_id,
            1,
            technician_id="T002",
            bay_id="B1",
            starts_at=None,
            roles=("dispatcher",),
            settings=settings,
        )
    assert not_dispatcher.value.status == 403
    with pytest.raises(DomainError):  # outside the team
        shop.run(
            dispatching.assign_job,
            order_id,
            1,
            technician_id="T001",
            bay_id="B1",
            starts_at=None,
            roles=("service_advisor",),
            settings=settings,
            actor="A002",
        )
    shop.run(
        dispatching.assign_job,
        order_id,
        1,
        technician_id="T005",
        bay_id="B1",
        starts_at=None,
        roles=("service_advisor",),
        settings=settings,
        actor="A002",
    )
    board = shop.work.read(boards.dispatch_board, MORNING, settings, "D001", ("dispatcher",))
    assert order_id not in [o["order_id"] for o in board["orders"]]


def test_the_job_clock_only_for_its_technician_and_the_foremans_correction_is_audited(shop):
    order = shop.order(lines_extra=())
    oid = order["order_id"]
    shop.run(workshop.dispatch, oid, technician_id="T001", bay_id="B1")
    with pytest.raises(DomainError) as other:
        shop.run(clock.clock_job, oid, 1, action="start", actor="T002")
    assert other.value.status == 403
    shop.run(clock.clock_job, oid, 1, action="start", actor="T001")
    with time_machine.travel(MORNING + timedelta(minutes=20), tick=False):
        with pytest.raises(DomainError) as no_reason:
            shop.run(clock.clock_job, oid, 1, action="pause", actor="T001")
        assert no_reason.value.field == "reason"
        shop.run(clock.clock_job, oid, 1, action="pause", reason="break", actor="T001")
    with time_machine.travel(MORNING + timedelta(minutes=30), tick=False):
        shop.run(clock.clock_job, oid, 1, action="resume", actor="T001")
    with time_machine.travel(MORNING + timedelta(minutes=45), tick=False):
        with pytest.raises(DomainError) as no_report:
            shop.run(clock.finish_job, oid, 1, **{**finish_body(shop.job(oid, 1)), "report": {}}, actor="T001")
        assert no_report.value.field == "report.concern"
        shop.run(clock.finish_job, oid, 1, **finish_body(shop.job(oid, 1)), actor="T001")
        assert shop.job(oid, 1)["clocked_minutes"] == 35
    with pytest.raises(DomainError) as no_reason:
        shop.run(clock.correct_clock, oid, 1, minutes=5, reason="")
    assert no_reason.value.field == "reason"
    shop.run(clock.correct_clock, oid, 1, minutes=-5, reason="忘记暂停")
    assert shop.job(oid, 1)["clocked_minutes"] == 30

    def audit(session):
        table = session.info["metadata"].tables["audit_log"]
        return [
            json.loads(r.detail) for r in session.execute(sa.select(table).where(table.c.action == "clock_corrected"))
        ]

    assert audit and shop.work.read(audit)[0]["reason"] == "忘记暂停"


def test_qc_fail_sends_the_job_back_then_rework_and_pass_make_the_car_ready(shop):
    """R-QC-1..4 on the database: blockers named, a fail's non-conformance and qc_failed, then the pass."""
    order = shop.order()
    oid = order["order_id"]
    shop.run(workshop.dispatch, oid, technician_id="T001", bay_id="B1")
    oil_issued(shop, oid)
    shop.run(clock.finish_job, oid, 1, **finish_body(shop.job(oid, 1)), actor="T001")
    with pytest.raises(DomainError) as blocked:
        shop.run(quality.quality_check, oid, **inspection_body(shop.view(oid)), actor="Q001")
    assert "3" in blocked.value.message  # the unfinished job is named
    shop.run(clock.finish_job, oid, 3, **finish_body(shop.job(oid, 3)), actor="T001")
    failing = inspection_body(shop.view(oid), fail={"leaks": (3, "节气门垫片渗油")})
    shop.run(quality.quality_check, oid, **failing, actor="Q001")
    view = shop.view(oid)
    assert view["status"] == "in_progress" and view["non_conformances"][0]["technician_id"] == "T001"
    assert shop.job(oid, 3)["status"] == "in_progress" and shop.job(oid, 3)["reworks"] == 1
    [failed] = outbox(shop.work, names.QC_FAILED)
    assert failed["non_conformances"][0]["line_no"] == 3
    shop.run(clock.finish_job, oid, 3, **finish_body(shop.job(oid, 3)), actor="T001")
    with pytest.raises(DomainError) as unwashed:
        shop.run(quality.quality_check, oid, **{**inspection_body(shop.view(oid)), "washed": False}, actor="Q001")
    assert unwashed.value.field == "washed"
    deferred = [{"description": "后刹车片约剩 4mm", "urgency": "soon"}]
    shop.run(quality.quality_check, oid, **{**inspection_body(shop.view(oid)), "deferred_work": deferred}, actor="Q001")
    [ready] = outbox(shop.work, names.VEHICLE_READY)
    assert ready["finished_bay"] == "F1" and ready["washed"] is True
    assert ready["deferred_work"][0]["urgency"] == "soon" and {w["item"] for w in ready["wear"]} >= {"pad_front"}


def test_a_stock_out_waits_for_parts_warns_the_advisor_and_resumes_when_issued(shop):
    order = shop.order()
    oid = order["order_id"]
    shop.run(workshop.dispatch, oid, technician_id="T001", bay_id="B1")
    shop.run(clock.clock_job, oid, 1, action="start", actor="T001")
    shop.work.handle(
        wire_event(
            names.PARTS_ISSUE_REFUSED,
            {"request_id": "r", "order_id": oid, "lines": [{"line_no": 2, "reason": "out_of_stock"}]},
        ),
        clock.take_issue_refused,
    )
    assert shop.view(oid)["waiting_parts"] and shop.job(oid, 1)["clock"] == "paused"
    assert shop.job(oid, 1)["pause_reason"] == "waiting_parts"
    shop.work.handle(
        wire_event(
            names.PARTS_BACKORDERED,
            {
                "backorder_id": "b",
                "purchase_order_id": "p",
                "order_id": oid,
                "lines": [{"part_no": "P-OIL-5W30", "quantity": "1", "expected_on": date(2026, 12, 11)}],
            },
        ),
        clock.take_backordered,
    )
    assert shop.view(oid)["parts_expected_on"] == date(2026, 12, 11)
    [risk] = outbox(shop.work, names.ORDER_AT_RISK)
    assert risk["reason"] == "waiting_parts"
    oil_issued(shop, oid)
    assert not shop.view(oid)["waiting_parts"] and shop.job(oid, 1)["clock"] == "running"


def test_an_expert_ticket_unanswered_past_the_target_alerts_the_manager_once(shop):
    order = shop.order(lines_extra=())
    oid = order["order_id"]
    shop.run(workshop.dispatch, oid, technician_id="T001", bay_id="B1")
    with pytest.raises(DomainError) as empty:
        shop.run(expert.ask_expert, oid, 1, question=" ", photos=[], actor="T001")
    assert empty.value.field == "question"
    ticket = shop.run(
        expert.ask_expert, oid, 1, question="怠速抖动？", photos=[("image/png", b"\x89PNG")], actor="T001"
    )
    assert shop.work.run(expert.alert_manager, 30) == 0
    with time_machine.travel(MORNING + timedelta(minutes=31), tick=False):
        assert shop.work.read(expert.overdue_tickets, MORNING + timedelta(minutes=31), 30) == [ticket.ticket_id]
        assert shop.work.run(expert.alert_manager, 30) == 1
        assert shop.work.run(expert.alert_manager, 30) == 0
        shop.run(expert.answer_ticket, ticket.ticket_id, answer="检查进气歧管", actor="E001")
    [alert] = shop.work.read(expert.alerts)
    assert alert["kind"] == "expert_late"
    [seen] = shop.view(oid)["help_tickets"]
    assert seen["late"] and seen["answer"] == "检查进气歧管" and seen["photos"]


def test_a_car_back_for_the_same_concern_is_linked_to_its_first_order(shop):
    first = shop.order(lines_extra=())
    again = shop.order(lines_extra=(), vehicle={**first["vehicle"]})
    other = shop.order(lines_extra=())
    assert shop.view(again["order_id"])["comeback_of"] == first["order_id"]
    assert shop.view(other["order_id"])["comeback_of"] is None


def test_technicians_and_experts_come_from_the_staff_directory(shop):
    record = {"staff_id": "T077", "name": "马师傅", "department": "workshop", "roles": ["technician"], "active": True}
    shop.work.handle(wire_event(names.STAFF_REGISTERED, record), floor.take_staff)
    expert_record = {**record, "staff_id": "E001", "name": "黄工", "roles": ["technical_expert"]}
    shop.work.handle(wire_event(names.STAFF_REGISTERED, expert_record), floor.take_staff)
    assert shop.work.read(floor.experts_on_duty) == ["E001"]
    order = shop.order(lines_extra=())
    with pytest.raises(DomainError):  # mechanical only until the foreman adds quick service
        shop.run(
            dispatching.assign_job,
            order["order_id"],
            1,
            technician_id="T077",
            bay_id="B1",
            starts_at=None,
            roles=("dispatcher",),
        )
    shop.run(floor.set_skills, "T077", skills=["quick"], shift_starts=None, shift_ends=None)
    shop.run(
        dispatching.assign_job,
        order["order_id"],
        1,
        technician_id="T077",
        bay_id="B1",
        starts_at=None,
        roles=("dispatcher",),
    )
    left = {**record, "active": False, "change": "active"}
    shop.work.handle(wire_event(names.STAFF_CHANGED, left), floor.take_staff)
    board = shop.work.read(boards.dispatch_board, MORNING, floor.FloorSettings(), "D001", ("dispatcher",))
    assert "T077" not in [t["technician_id"] for t in board["technicians"]]
    assert SIGNATURE_PNG


def test_a_walk_in_takes_capacity_like_a_booking(shop):
    """R-WS-7: an order without an appointment holds the workshop's capacity from when it arrives."""
    walk_in = shop.order(appointment_id=None)
    hold = shop.work.read(workshop.hold_view, f"w-{walk_in['order_id']}")
    assert hold["status"] == "confirmed" and hold["labour"] == ["LAB-OIL", "LAB-THROTTLE"]
    booked = shop.order(appointment_id="a-" + walk_in["order_id"][:30])
    assert shop.work.read(workshop.hold_view, f"w-{booked['order_id']}") is None  # its appointment holds it


def test_the_load_view_counts_clocked_work(shop):
    order = shop.order(lines_extra=())
    shop.run(workshop.dispatch, order["order_id"], technician_id="T001", bay_id="B1")
    shop.run(clock.clock_job, order["order_id"], 1, action="start", actor="T001")
    settings = floor.FloorSettings()
    with time_machine.travel(MORNING + timedelta(minutes=40), tick=False):
        rules = CapacityRules()
        view = shop.work.read(
            workshop.load_view,
            MORNING.astimezone(settings.hours.tz).date(),
            MORNING + timedelta(minutes=40),
            rules=rules,
            tz=settings.hours.tz,
        )
    assert sum(float(h["clocked_hours"]) for h in view["by_hour"]) > 0


def test_a_start_time_far_off_is_refused_naming_it(shop):
    order = shop.order(lines_extra=())
    with pytest.raises(DomainError) as refused:
        shop.run(
            dispatching.assign_job,
            order["order_id"],
            1,
            technician_id="T001",
            bay_id="B1",
            starts_at=MORNING + timedelta(days=40),
            roles=("dispatcher",),
        )
    assert refused.value.field == "starts_at"


def test_a_floor_commands_answer_is_the_orders_view_as_read_afterwards(shop):
    """Dispatch, finish and the quality check (a fail, the rework, a pass) answer with the order's view built in
    their own transaction: the same as the view read after they committed, side tables and all."""
    order = shop.order()
    oid = order["order_id"]

    def answered(command, *args, **kwargs):
        answer = shop.run(views.answered_from_tables(command), oid, *args, **kwargs)  # as their routes answer
        read = shop.view(oid)
        assert answer == read and json.dumps(answer, cls=JSONEncoder) == json.dumps(read, cls=JSONEncoder)
        return answer

    assert answered(workshop.dispatch, technician_id="T001", bay_id="B1")["parts_requested"]
    shop.run(expert.ask_expert, oid, 1, question="怠速抖动？", photos=[], actor="T001")
    oil_issued(shop, oid)
    shop.run(clock.clock_job, oid, 1, action="start", actor="T001")  # finished with its clock running
    with time_machine.travel(MORNING + timedelta(minutes=25), tick=False):
        for line_no in (1, 3):
            answered(clock.finish_job, line_no, **finish_body(shop.job(oid, line_no)), actor="T001")
        assert shop.job(oid, 1)["clocked_minutes"] == 25 and shop.job(oid, 1)["clock"] == "done"
    failing = inspection_body(shop.view(oid), fail={"leaks": (3, "节气门垫片渗油")})
    assert answered(quality.quality_check, **failing, actor="Q001")["non_conformances"]
    answered(clock.finish_job, 3, **finish_body(shop.job(oid, 3)), actor="T001")
    ready = answered(quality.quality_check, **inspection_body(shop.view(oid)), actor="Q001")
    assert ready["status"] == "ready" and len(ready["quality_checks"]) == 2 and ready["help_tickets"]
    # the four side tables read by one statement say what each table's own ordered read says
    each = shop.work.read(
        lambda s: {
            name: [
                {c: getattr(row, c) for c in columns}
                for row in s.scalars(sa.select(model).filter_by(order_id=oid).order_by(getattr(model, by)))
            ]
            for name, (model, columns, by) in side.TABLES.items()
        }
    )
    assert all(each.values()) and shop.work.read(side.side_rows, oid) == each
    # the dispatch board's timeline still shows the finished car's jobs of the day, each labelled with its plate
    board = shop.work.read(boards.dispatch_board, MORNING, floor.FloorSettings.load(), "D001", ("dispatcher",))
    labels = {bar["label"] for row in board["timeline"]["rows"] for bar in row["bars"]}
    assert oid not in [o["order_id"] for o in board["orders"]]
    assert {f"{order['vehicle']['plate']} {job['description']}" for job in ready["jobs"]} <= labels


def test_the_floor_settings_are_derived_again_when_a_setting_changes(monkeypatch):
    """Derived once for each set of values (not per request), and again as soon as one of them changes."""
    monkeypatch.setenv("WORKSHOP_EXPERT_TARGET_MINUTES", "45")
    monkeypatch.setenv("WORKSHOP_OPENS", "09:00")
    assert floor.FloorSettings.load() is floor.FloorSettings.load()
    assert floor.FloorSettings.load().expert_target_minutes == 45
    assert floor.capacity_settings()[0].opens.hour == 9
    monkeypatch.setenv("WORKSHOP_EXPERT_TARGET_MINUTES", "20")
    monkeypatch.setenv("WORKSHOP_OPENS", "08:00")
    assert floor.FloorSettings.load().expert_target_minutes == 20
    assert floor.capacity_settings()[0].opens.hour == 8 and floor.FloorSettings.load().hours.opens.hour == 8
    monkeypatch.setenv("DEALER_TIMEZONE", "Asia/Urumqi")
    assert str(floor.capacity_settings()[1]) == "Asia/Urumqi" == str(floor.FloorSettings.load().hours.tz)
