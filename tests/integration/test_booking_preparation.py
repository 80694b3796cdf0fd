"""R-BK-6: a preparation checklist per appointment (draft order, parts, technician and bay, tools, documents),
ticked by the advisor (who, when), the parts line ticked by the system once parts has them on the shelf."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from contracts import names
from kit.errors import DomainError, NotFound
from services.booking import handlers
from services.booking.models import PreparationItem
from tests.support.db import service_work, wire_event
from tests.support.factories import make_mobile, make_plate, make_vin

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def booking_work(tmp_path):
    work = service_work("booking", tmp_path)
    work.clock = lambda: T0
    return work


def book(work, parts=(("P-OIL-5W30", "1"),), at=datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)):
    return work.run(
        handlers.book_appointment,
        {
            "customer": {"name": "王先生", "mobile": make_mobile()},
            "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": "帕萨特"},
            "starts_at": at,
            "advisor_id": "A001",
            "planned_labour": ["LAB-OIL"],
            "planned_parts": [{"part_no": p, "quantity": q} for p, q in parts],
        },
        actor_id="B001",
    )


def checklist(work, appointment_id):
    return {i["item"]: i for i in work.read(handlers.preparation, appointment_id)}


def parts_event(tmp_path, event_type, payload, handler):
    consumer = service_work("booking", tmp_path, consumer=f"booking.{event_type}")
    consumer.handle(wire_event(event_type, payload), handler)


def test_a_new_appointment_has_the_five_items_open(tmp_path):
    work = booking_work(tmp_path)
    appointment = book(work)
    items = checklist(work, appointment.appointment_id)
    assert list(items) == ["draft_order", "parts", "technician_bay", "tools", "documents"]
    assert not any(i["done"] for i in items.values())


def test_with_no_parts_planned_the_parts_line_is_ticked_by_the_system(tmp_path):
    work = booking_work(tmp_path)
    appointment = book(work, parts=())
    parts = checklist(work, appointment.appointment_id)["parts"]
    assert parts["done"] and parts["auto"] and parts["done_by"] is None


def test_the_advisor_ticks_an_item_and_who_and_when_are_kept(tmp_path):
    work = booking_work(tmp_path)
    appointment = book(work)
    work.run(
        handlers.tick_preparation, appointment.appointment_id, "technician_bay", True, "工位2 T001", actor_id="A001"
    )
    bay = checklist(work, appointment.appointment_id)["technician_bay"]
    assert (bay["done"], bay["auto"], bay["done_by"], bay["done_at"], bay["note"]) == (
        True,
        False,
        "A001",
        T0,
        "工位2 T001",
    )
    work.run(handlers.tick_preparation, appointment.appointment_id, "technician_bay", False, "", actor_id="A001")
    assert not checklist(work, appointment.appointment_id)["technician_bay"]["done"]


def test_parts_reserved_ticks_the_parts_line_and_a_shortage_keeps_it_open(tmp_path):
    work = booking_work(tmp_path)
    reserved = book(work)
    short = book(work, parts=(("P-DISC-F", "2"),), at=datetime(2026, 12, 2, 9, 15, tzinfo=SHANGHAI))
    parts_event(
        tmp_path,
        names.PARTS_RESERVED,
        {"appointment_id": reserved.appointment_id, "reserved": [{"part_no": "P-OIL-5W30", "quantity": "1"}]},
        handlers.note_parts_reserved,
    )
    parts_event(
        tmp_path,
        names.PARTS_SHORT,
        {
            "appointment_id": short.appointment_id,
            "reserved": [],
            "short": [{"part_no": "P-DISC-F", "quantity_short": "2", "expected_on": "2026-12-04"}],
        },
        handlers.note_parts_short,
    )
    assert checklist(work, reserved.appointment_id)["parts"]["done"]
    assert checklist(work, reserved.appointment_id)["parts"]["auto"]
    assert not checklist(work, short.appointment_id)["parts"]["done"]
    with pytest.raises(DomainError) as refused:  # short parts cannot be ticked as ready by hand
        work.run(handlers.tick_preparation, short.appointment_id, "parts", True, "", actor_id="A001")
    assert refused.value.code == "parts_short"


def test_parts_reserved_after_a_shortage_or_a_tick_by_hand_ticks_the_line_and_clears_the_shortage(tmp_path):
    work = booking_work(tmp_path)
    short = book(work)
    by_hand = book(work, at=datetime(2026, 12, 2, 9, 15, tzinfo=SHANGHAI))
    unlisted = book(work, at=datetime(2026, 12, 2, 9, 30, tzinfo=SHANGHAI))
    shortage = [{"part_no": "P-OIL-5W30", "quantity_short": "1", "expected_on": "2026-12-04"}]
    payload = {"appointment_id": short.appointment_id, "reserved": [], "short": shortage}
    parts_event(tmp_path, names.PARTS_SHORT, payload, handlers.note_parts_short)
    work.run(handlers.tick_preparation, by_hand.appointment_id, "parts", True, "已备", actor_id="A001")
    # an appointment booked before checklists existed has no parts line
    work.run(
        lambda uow: uow.session.execute(
            sa.delete(PreparationItem).where(PreparationItem.appointment_id == unlisted.appointment_id)
        )
    )
    for appointment in (short, by_hand, unlisted):
        payload = {
            "appointment_id": appointment.appointment_id,
            "reserved": [{"part_no": "P-OIL-5W30", "quantity": "1"}],
        }
        parts_event(tmp_path, names.PARTS_RESERVED, payload, handlers.note_parts_reserved)
        view = work.read(handlers.appointment, appointment.appointment_id)
        assert (view["parts_status"], view["parts_short"]) == ("reserved", [])
        parts = checklist(work, appointment.appointment_id)["parts"]
        assert (parts["done"], parts["auto"], parts["note"], parts["done_by"]) == (True, True, "parts_reserved", None)
        assert parts["done_at"] is not None
    with pytest.raises(NotFound):
        payload = {"appointment_id": "no-such-appointment", "reserved": []}
        parts_event(tmp_path, names.PARTS_RESERVED, payload, handlers.note_parts_reserved)


def test_an_unknown_item_or_a_cancelled_appointment_is_refused(tmp_path):
    work = booking_work(tmp_path)
    appointment = book(work)
    with pytest.raises(DomainError) as unknown:
        work.run(handlers.tick_preparation, appointment.appointment_id, "coffee", True, "")
    assert unknown.value.field == "item"
    work.run(handlers.cancel_appointment, appointment.appointment_id, reason="", by_dealership=False)
    with pytest.raises(DomainError) as cancelled:
        work.run(handlers.tick_preparation, appointment.appointment_id, "tools", True, "")
    assert cancelled.value.code == "not_booked"


def test_the_advisors_view_shows_each_appointment_with_its_checklist_and_confirmations(tmp_path):
    work = booking_work(tmp_path)
    appointment = book(work, parts=())
    for item in ("draft_order", "technician_bay", "tools", "documents"):
        work.run(handlers.tick_preparation, appointment.appointment_id, item, True, "", actor_id="A001")
    [view] = work.read(handlers.advisor_appointments, "A001", T0, 2, SHANGHAI)
    assert view["prepared"] and len(view["preparation"]) == 5
    assert [c["kind"] for c in view["confirmations"]] == ["day_before", "hour_before"]
    assert work.read(handlers.advisor_appointments, "A002", T0, 2, SHANGHAI) == []
