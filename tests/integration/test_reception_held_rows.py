"""Reception's write-up commands hold the visit's rows as plain rows read by one Core statement and write what they
change at once (handlers/visits.py `saved`, `inserted`): after every command the rows it held are the rows the
tables hold, a new sheet or write-up is written whole by the command that starts it, and a column given its own
value again is not written (as the ORM's flush did)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from contracts import names
from kit.errors import DomainError
from services.billing.seed import PRICE_LIST
from services.reception.handlers import arrivals, prices, walk_around, write_up
from services.reception.handlers.visits import Held, rows_of
from services.reception.models import Order, Visit, WalkAround, WriteUp
from tests.integration.test_reception_mileage import visit_of, write
from tests.support.db import service_work, wire_event
from tests.support.factories import make_vin

CHECKS = {
    n: {"state": "ok"} for n in ("tyres", "lights", "glass", "interior", "oil_dipstick", "coolant", "brake_fluid")
}


def _work(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_price_list")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), prices.take_price_list)
    return work


def _columns(row, model) -> dict:
    return {c.key: getattr(row, c.key) for c in model.__table__.c}


def _as_stored(work, visit_id) -> dict:
    """Each of the visit's rows as the ORM reads it afresh (None: no row)."""

    def read(session):
        order = session.scalars(sa.select(Order).filter_by(visit_id=visit_id)).first()
        return {
            "visit": _columns(session.get(Visit, visit_id), Visit),
            "order": order and _columns(order, Order),
            "sheet": (s := session.get(WalkAround, visit_id)) and _columns(s, WalkAround),
            "write_up": (w := session.get(WriteUp, visit_id)) and _columns(w, WriteUp),
        }

    return work.read(read)


def _held_after(command):
    """`command`, answering with the rows its unit of work held when it finished."""

    def run(uow, visit_id, *args):
        command(uow, visit_id, *args)
        rows = rows_of(uow.session, visit_id)
        models = {"visit": Visit, "order": Order, "sheet": WalkAround, "write_up": WriteUp}
        return {name: (row := getattr(rows, name)) and _columns(row, models[name]) for name in models}

    run.__name__ = command.__name__
    return run


def test_after_every_command_the_rows_held_are_the_rows_stored(tmp_path):
    work = _work(tmp_path)
    visit = visit_of(work, make_vin())
    vin = visit.vehicle["vin"]
    steps = [
        (walk_around.mark_damage, {"zone": "roof", "kind": "dent"}),  # the sheet starts here: written whole
        (walk_around.remove_damage, 0),
        (write_up.record_diagnosis, {"customer_words": "冷车抖动", "cause": "节气门积碳"}),  # the write-up starts
        (write_up.add_jobs, {"lines": [{"kind": "labour", "code": "LAB-OIL"}]}),
        (walk_around.record_walk_around, {"vin": vin, "fuel_eighths": 5, "checks": CHECKS, "mileage_km": 1200}),
        (walk_around.record_walk_around, {"valuables": {"left": False}, "first_service": True}),
    ]
    for command, cmd in steps:
        assert work.run(_held_after(command), visit.visit_id, cmd) == _as_stored(work, visit.visit_id), command
    order = write(work, visit.visit_id, 1300)
    assert isinstance(order, Held) and _columns(order, Order) == _as_stored(work, visit.visit_id)["order"]
    # a draft written already follows the write-up (refresh_draft writes it in the same unit of work)
    held = work.run(_held_after(write_up.record_diagnosis), visit.visit_id, {"correction": "清洗节气门"})
    assert held == _as_stored(work, visit.visit_id)
    assert held["order"]["draft"]["complaint"]["correction"] == "清洗节气门"


def test_a_command_that_changes_nothing_but_the_time_writes_only_the_time(tmp_path):
    work = _work(tmp_path)
    visit = visit_of(work, make_vin())
    record = {"vin": visit.vehicle["vin"], "fuel_eighths": 5, "checks": CHECKS, "mileage_km": 1200}
    work.run(walk_around.record_walk_around, visit.visit_id, record)
    engine = work.session_factory.kw["bind"]
    written = []

    def statement(conn, cursor, text, params, context, executemany):
        if text.startswith("UPDATE"):
            written.append(text)

    sa.event.listen(engine, "before_cursor_execute", statement)
    try:
        work.run(walk_around.record_walk_around, visit.visit_id, record)
    finally:
        sa.event.remove(engine, "before_cursor_execute", statement)
    assert written == ["UPDATE walk_arounds SET updated_at=? WHERE walk_arounds.visit_id = ?"]


def _booked(appointment_id: str) -> dict:
    return {
        "appointment_id": appointment_id,
        "visit_id": f"v-{appointment_id}",
        "customer": {"name": "王先生", "mobile": "13800000000"},
        "vehicle": {"vin": make_vin(), "plate": "沪a 12345", "model": ""},
        "starts_at": datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
        "advisor_id": "A001",
        "planned_labour": ["LAB-OIL"],
        "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": "1"}],
    }


def test_a_booking_is_expected_once_never_after_its_cancellation_and_checked_in_once(tmp_path):
    """R-BK-5 and issue 12, item 6: the arrival is written by one statement whose own conditions skip a booking
    re-sent under a new event id and one cancelled before it arrived; check-in marks it arrived by one statement
    and still says why it cannot (not expected, or checked in already)."""
    work = _work(tmp_path)
    booked = _booked("ap-1")
    for _ in range(2):  # two events (two ids) about the same booking
        work.handle(wire_event(names.APPOINTMENT_BOOKED, booked, "v-ap-1"), arrivals.expect_arrival)
    [arrival] = work.read(arrivals.expected_arrivals, "ap-1")
    assert arrival["plate"] == "沪A12345" and arrival["complaint"] == "" and arrival["arrived"] is False
    assert arrival["planned_parts"] == booked["planned_parts"] and arrival["starts_at"] == booked["starts_at"]
    cancelled = {"appointment_id": "ap-2", "visit_id": "v-ap-2", "reason": "", "by_dealership": False}
    work.handle(wire_event(names.APPOINTMENT_CANCELLED, cancelled, "v-ap-2"), arrivals.forget_arrival)
    work.handle(wire_event(names.APPOINTMENT_BOOKED, _booked("ap-2"), "v-ap-2"), arrivals.expect_arrival)
    assert work.read(arrivals.expected_arrivals, "ap-2") == []

    visit = arrivals.checked_in(work, {"appointment_id": "ap-1"}, actor_id="A001")
    assert arrivals.visit_view(visit, None) == work.read(arrivals.visit, "v-ap-1")
    assert work.read(arrivals.expected_arrivals, "ap-1")[0]["arrived"] is True
    for appointment_id, code in (("ap-1", "already_checked_in"), ("ap-2", "not_found"), ("ap-9", "not_found")):
        with pytest.raises(DomainError) as refused:
            arrivals.checked_in(work, {"appointment_id": appointment_id}, actor_id="A001")
        assert (refused.value.code, refused.value.field) == (code, "appointment_id")
