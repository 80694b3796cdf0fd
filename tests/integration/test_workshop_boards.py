"""The dispatcher's board 派工看板 on a real migrated schema, read as table columns (R-WS-1, R-WS-7): every order
waiting or in repair with its jobs and forecast as the order's own view shows them, the people by the directory's
names, and the day's timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from contracts import names
from contracts.events import OrderSchema
from kit.orders import OrderSigner, OrderVerifier
from services.workshop import handlers as workshop
from services.workshop.handlers import boards, clock, floor, views
from services.workshop.models import FloorStaff, Job, Technician, WorkOrder
from tests.integration.test_workshop_floor import MORNING, Shop
from tests.support.db import wire_event
from tests.support.factories import make_order_body
from tests.support.visit import finish_body


@pytest.fixture
def shop(tmp_path):
    with time_machine.travel(MORNING, tick=False):
        yield Shop(tmp_path)


def _rename(session, staff_id: str, directory: str, technician: str) -> None:
    session.add(FloorStaff(staff_id=staff_id, name=directory, roles=["technician"], active=True))
    session.execute(sa.update(Technician).where(Technician.technician_id == staff_id).values(name=technician))


def test_the_board_shows_each_open_order_as_its_view_does_and_the_days_timeline(shop):
    waiting = shop.order(lines_extra=(), promised_at=MORNING + timedelta(hours=9))
    late = shop.order(promised_at=MORNING + timedelta(hours=2))  # forecast past the promise: at risk
    ready = shop.order(lines_extra=(), promised_at=MORNING + timedelta(hours=1))
    for order, technician, bay in ((late, "T001", "B1"), (ready, "T004", "B2")):
        shop.run(workshop.dispatch, order["order_id"], technician_id=technician, bay_id=bay)
    rid = ready["order_id"]
    shop.run(clock.finish_job, rid, 1, **finish_body(shop.job(rid, 1)), actor="T004")
    shop.work.run(  # handed over (the quality check's own tests are in test_workshop_floor.py)
        lambda uow: uow.session.execute(sa.update(WorkOrder).where(WorkOrder.order_id == rid).values(status="ready"))
    )
    shop.work.run(lambda uow: _rename(uow.session, "T004", "周师傅", "旧名"))

    settings = floor.FloorSettings.load()
    board = shop.work.read(boards.dispatch_board, MORNING, settings, "D001", ("dispatcher",))

    # oldest promise first, the ready car no longer on it
    assert [o["order_id"] for o in board["orders"]] == [late["order_id"], waiting["order_id"]]
    for entry in board["orders"]:
        view = shop.view(entry["order_id"])
        assert entry["forecast_at"] == (view["forecast_at"] or entry["forecast_at"])
        assert entry["plate"] == view["plate"] and entry["promised_at"] == view["promised_at"]
        assert entry["jobs"] == [
            {key: job[key] for key in ("line_no", "code", "description", "hours", "status", "technician_id")}
            | {"bay_id": job["bay_id"], "clock": job["clock"], "planned_start": job["planned_start"]}
            for job in view["jobs"]
        ]
    assert [o["order_id"] for o in board["at_risk"]] == [late["order_id"]] and board["comebacks"] == []
    technicians = shop.work.read(
        lambda s: s.execute(sa.select(Technician.technician_id).where(Technician.active.is_(True))).scalars().all()
    )
    assert [t["technician_id"] for t in board["technicians"]] == sorted(technicians)
    assert next(t for t in board["technicians"] if t["technician_id"] == "T004")["name"] == "旧名"
    assert board["bays"] == sorted(board["bays"]) and "B1" in board["bays"]
    rows = {(r["kind"], r["id"]): r for r in board["timeline"]["rows"]}
    assert rows[("technician", "T004")]["name"] == "周师傅"  # the directory's name on the timeline
    plates = shop.work.read(lambda s: dict(s.execute(sa.select(WorkOrder.order_id, WorkOrder.plate)).all()))
    labels = [bar["label"] for bay in ("B1", "B2") for bar in rows[("bay", bay)]["bars"]]
    assert sorted(labels) == sorted(
        f"{plates[o['order_id']]} {job['description']}"
        for o in (late, ready)
        for job in shop.view(o["order_id"])["jobs"]
        if job["planned_start"] is not None
    )
    assert [bar["state"] for bar in rows[("technician", "T004")]["bars"]] == ["done"]


def test_a_teams_order_is_on_its_leaders_board_only(shop):
    """R-WS-1 team mode: A002 leads T002 and T005; their orders skip the dispatcher's board."""
    teams = {"A002": ("T002", "T005")}
    signed = OrderSigner(shop.keys).sign(OrderSchema().load({**make_order_body(), "advisor_id": "A002"}))
    shop.work.handle(
        wire_event(names.ORDER_SIGNED, signed), workshop.take_signed_order, OrderVerifier(shop.keys).verify, teams
    )
    team = signed["order"]
    other = shop.order(lines_extra=())
    settings = floor.FloorSettings(teams=teams)
    seen = {
        actor: [o["order_id"] for o in shop.work.read(boards.dispatch_board, MORNING, settings, actor, roles)["orders"]]
        for actor, roles in (("D001", ("dispatcher",)), ("A002", ("service_advisor",)), ("M001", ("service_manager",)))
    }
    assert seen["D001"] == [other["order_id"]] and seen["A002"] == [team["order_id"]]
    assert sorted(seen["M001"]) == sorted([team["order_id"], other["order_id"]])


def test_the_floor_watch_reads_the_orders_whose_forecast_passes_the_promise_and_not_yet_told(shop):
    """R-WS-7: the timer's read (four statements, table columns) names what reading each order in repair as an
    entity names: at risk, the advisor not yet warned of this forecast."""
    settings = floor.FloorSettings.load()
    safe = shop.order(lines_extra=(), promised_at=MORNING + timedelta(days=2))
    late = shop.order(promised_at=MORNING + timedelta(minutes=30))
    waiting = shop.order(lines_extra=(), promised_at=MORNING + timedelta(minutes=10))  # not dispatched: not in repair
    for order, technician in ((safe, "T004"), (late, "T001")):
        shop.run(workshop.dispatch, order["order_id"], technician_id=technician, bay_id="B1")

    def by_entities(session):
        orders = session.scalars(sa.select(WorkOrder).where(WorkOrder.status == "in_progress"))
        return [wo.order_id for wo in orders if clock._risk_key(session, wo, "forecast", MORNING, settings)[0]]

    assert shop.work.read(clock.forecasts_to_warn, MORNING) == shop.work.read(by_entities) == [late["order_id"]]
    assert shop.work.run(clock.watch_forecasts) == 1  # the advisor warned once
    assert shop.work.read(clock.forecasts_to_warn, MORNING) == shop.work.read(by_entities) == []
    also_late = shop.order(lines_extra=(), promised_at=MORNING + timedelta(minutes=20))
    shop.run(workshop.dispatch, also_late["order_id"], technician_id="T004", bay_id="B2")
    assert shop.work.read(clock.forecasts_to_warn, MORNING) == [also_late["order_id"]] == shop.work.read(by_entities)
    assert waiting["order_id"] not in shop.work.read(clock.forecasts_to_warn, MORNING)


def test_the_workshop_board_lists_each_latest_order_as_its_own_brief_view_does(shop):
    """The board's list (five statements for all its orders) says what each order's brief view, read on its own,
    says: jobs, clocks (one running, one corrected), parts received, the forecast."""
    orders = []
    for minutes in range(4):
        with time_machine.travel(MORNING + timedelta(minutes=minutes), tick=False):
            orders.append(shop.order(lines_extra=()) if minutes % 2 else shop.order())
    first, second, third, _waiting = (o["order_id"] for o in orders)
    for oid, technician in ((first, "T001"), (second, "T004"), (third, "T001")):
        shop.run(workshop.dispatch, oid, technician_id=technician, bay_id="B1")
    shop.run(clock.clock_job, first, 1, action="start", actor="T001")
    shop.run(clock.correct_clock, second, 1, minutes=15, reason="忘记开始", actor="F001")
    shop.work.handle(
        wire_event(
            names.PARTS_ISSUED,
            {
                "request_id": "r",
                "order_id": first,
                "order_version": 1,
                "lines": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1", "from_location": "MAIN"}],
            },
        ),
        clock.take_parts_issued,
    )

    def one_by_one(session):
        latest = session.scalars(sa.select(WorkOrder).order_by(WorkOrder.received_at.desc()).limit(200))
        return [views.work_order_view(session, wo, brief=True) for wo in latest]

    with time_machine.travel(MORNING + timedelta(minutes=50), tick=False):
        board = shop.work.read(views.work_orders)
        assert board == shop.work.read(one_by_one)
    assert [o["order_id"] for o in board] == [o["order_id"] for o in reversed(orders)]
    by_id = {o["order_id"]: o for o in board}
    assert by_id[first]["jobs"][0]["clocked_minutes"] == 50 and by_id[first]["parts_received"]
    assert by_id[second]["jobs"][0]["clocked_minutes"] == 15 and by_id[second]["forecast_at"]


def test_the_qc_queue_lists_the_orders_whose_every_job_is_signed_off_oldest_promise_first(shop):
    """R-QC-1: read in five statements, the queue says what reading each order in repair on its own says."""
    done_late, done_early, half_done = (
        shop.order(lines_extra=(), promised_at=MORNING + timedelta(hours=hours)) for hours in (6, 3, 1)
    )
    for order in (done_late, done_early, half_done):
        shop.run(workshop.dispatch, order["order_id"], technician_id="T004", bay_id="B1")
    for order in (done_late, done_early):
        oid = order["order_id"]
        shop.run(clock.finish_job, oid, 1, **finish_body(shop.job(oid, 1)), actor="T004")

    def one_by_one(session):
        orders = session.scalars(
            sa.select(WorkOrder).where(WorkOrder.status == "in_progress").order_by(WorkOrder.promised_at)
        )
        queue = []
        for wo in orders:
            states = session.scalars(sa.select(Job.status).filter_by(order_id=wo.order_id)).all()
            if all(state == "done" for state in states) and states:
                queue.append(views.work_order_view(session, wo, brief=True))
        return queue

    queue = shop.work.read(views.qc_queue)
    assert queue == shop.work.read(one_by_one)
    assert [o["order_id"] for o in queue] == [done_early["order_id"], done_late["order_id"]]
    assert all(o["stage"] == "at_qc" for o in queue)


def test_a_technicians_tablet_lists_their_unfinished_jobs_in_planned_order_with_their_clocks(shop):
    """The tablet's list (three statements) says what reading each job and its order on its own says."""
    first, second, third = (shop.order() for _ in range(3))
    for order in (first, second, third):
        shop.run(workshop.dispatch, order["order_id"], technician_id="T001", bay_id="B1")
    shop.run(clock.clock_job, second["order_id"], 1, action="start", actor="T001")
    oid = first["order_id"]
    shop.run(clock.finish_job, oid, 1, **finish_body(shop.job(oid, 1)), actor="T001")
    shop.work.run(  # an order no longer in repair: its jobs are not on the tablet
        lambda uow: uow.session.execute(
            sa.update(WorkOrder).where(WorkOrder.order_id == third["order_id"]).values(status="ready")
        )
    )

    def one_by_one(session):
        now, out = MORNING + timedelta(minutes=40), []
        jobs = session.scalars(
            sa.select(Job)
            .where(Job.technician_id == "T001", Job.status != "done")
            .order_by(Job.planned_start.is_(None), Job.planned_start, Job.order_id, Job.line_no)
        )
        for j in jobs:
            wo = session.get(WorkOrder, j.order_id)
            if wo.status == "in_progress":
                view = views.job_view(session, j, now)
                out.append({**view, "order_id": wo.order_id, "plate": wo.plate, "promised_at": wo.promised_at})
        return out

    with time_machine.travel(MORNING + timedelta(minutes=40), tick=False):
        tablet = shop.work.read(views.my_jobs, "T001")
        assert tablet == shop.work.read(one_by_one)
    assert [(j["order_id"], j["line_no"]) for j in tablet if j["order_id"] == oid] == [(oid, 3)]
    assert {j["order_id"] for j in tablet} == {oid, second["order_id"]}
    assert next(j for j in tablet if j["order_id"] == second["order_id"] and j["line_no"] == 1)["clocked_minutes"] == 40
