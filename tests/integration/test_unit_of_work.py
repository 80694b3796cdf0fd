"""The outbox is written in the same transaction as the state change, or not at all."""

import pytest
import sqlalchemy as sa

from contracts import ContractError, names
from kit.db import outbox_table
from services.booking import handlers as booking
from tests.support.db import service_work
from tests.support.factories import make_booking


def outbox_rows(work):
    return work.read(lambda s: s.execute(sa.select(outbox_table(s.info["metadata"]))).all())


def command(**overrides):
    from datetime import datetime

    cmd = make_booking(**overrides)
    cmd["vehicle"]["vin"] = cmd.pop("vin")
    cmd["starts_at"] = datetime.fromisoformat(cmd["starts_at"])
    return cmd


def test_a_command_commits_its_state_and_its_event_together(tmp_path):
    work = service_work("booking", tmp_path)
    appointment = work.run(booking.book_appointment, command(), actor_id="B001")
    [row] = outbox_rows(work)
    assert row.event_type == names.APPOINTMENT_BOOKED
    assert row.correlation_id == appointment.visit_id
    assert row.published_at is None
    assert '"actor_id": "B001"' in row.body
    assert work.read(booking.appointment, appointment.appointment_id)["visit_id"] == appointment.visit_id


def test_a_command_that_fails_after_emitting_leaves_neither_state_nor_event(tmp_path):
    work = service_work("booking", tmp_path)

    def book_then_fail(uow, cmd):
        booking.book_appointment(uow, cmd)
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        work.run(book_then_fail, command())
    assert outbox_rows(work) == []
    assert work.read(booking.appointments).items == []


def test_an_event_that_breaks_its_contract_is_not_written(tmp_path):
    work = service_work("booking", tmp_path)

    def emit_bad(uow):
        uow.emit(names.APPOINTMENT_BOOKED, {"appointment_id": "a1"}, correlation_id="v1")

    with pytest.raises(ContractError, match="visit_id"):
        work.run(emit_bad)
    assert outbox_rows(work) == []


def test_a_service_cannot_emit_another_services_event(tmp_path):
    work = service_work("booking", tmp_path)
    with pytest.raises(ContractError, match="produced by billing"):
        work.run(lambda uow: uow.emit(names.VEHICLE_DELIVERED, {}, correlation_id="v1"))


def test_a_command_answering_reads_what_it_wrote_in_its_own_transaction_and_is_audited_under_its_name(tmp_path):
    from kit.uow import answering, audit_trail

    work = service_work("booking", tmp_path)
    views = []

    def book(uow, cmd):
        return booking.book_appointment(uow, cmd)

    def view(session, cmd):
        views.append(session.in_transaction())  # the command's transaction, not a new one
        return session.execute(sa.select(outbox_table(session.info["metadata"]).c.event_type)).scalars().all()

    assert work.run(answering(book, view), command(), actor_id="B001") == [names.APPOINTMENT_BOOKED]
    assert views == [True]
    [row] = outbox_rows(work)
    assert [e["action"] for e in work.read(audit_trail, row.correlation_id)] == ["book"]
