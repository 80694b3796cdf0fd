"""Proactive 主动预约 (R-BK-1) and inbound 被动预约 (R-BK-2) booking calls: the call list from the due list,
every outcome recorded, "booked" through the same booking command, inbound suggestions priced (R-KB-1)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from contracts import names
from kit.db import outbox_table
from kit.errors import DomainError
from services.billing import seed as billing_seed
from services.booking import handlers
from services.booking.domain.slots import SlotUnavailable
from services.booking.handlers import calls, customer_file
from services.booking.models import Appointment, CallOutcome
from tests.support.db import service_work, snapshot, wire_event
from tests.support.factories import make_mobile, make_plate, make_vin

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")
TOMORROW_9 = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)


def booking_work(tmp_path):
    work = service_work("booking", tmp_path)
    work.clock = lambda: T0
    return work


def due_customer(work, name="张三", advisor="A002"):
    """A car bought 23 months and 2 weeks ago: the brake fluid (24 months, R-KB-2) comes due within 30 days."""
    vin = make_vin()
    work.run(
        customer_file.save_customer,
        {
            "name": name,
            "mobile": make_mobile(),
            "preferred_advisor_id": advisor,
            "vehicles": [{"vin": vin, "plate": make_plate(), "model": "帕萨特", "purchase_date": date(2024, 12, 15)}],
        },
    )
    return vin


def outcomes(work, call_id):
    return work.read(lambda s: list(s.scalars(sa.select(CallOutcome).filter_by(call_id=call_id))))


def booked_events(work):
    def query(session):
        outbox = outbox_table(session.info["metadata"])
        return session.execute(sa.select(outbox.c.body).where(outbox.c.event_type == names.APPOINTMENT_BOOKED)).all()

    return work.read(query)


# --- proactive -----------------------------------------------------------------------------------------


def test_the_call_list_holds_who_is_due_in_the_next_days_and_why_once(tmp_path):
    work = booking_work(tmp_path)
    vin = due_customer(work)
    created = work.run(calls.build_call_list, T0.date(), 30, actor_id="B001")
    [call] = work.read(calls.call_list, "proactive")
    assert created == [call["call_id"]] and call["vehicle"]["vin"] == vin
    brake = next(i for i in call["due_items"] if i["code"] == "BRAKE-FLUID")
    assert brake["reason"] == "months" and brake["due_on"] == "2026-12-15"
    assert work.run(calls.build_call_list, T0.date(), 30) == []  # already listed: not twice


def test_every_outcome_is_recorded_with_who_when_and_note(tmp_path):
    work = booking_work(tmp_path)
    due_customer(work)
    [call_id] = work.run(calls.build_call_list, T0.date(), 30)
    work.run(calls.record_outcome, call_id, {"outcome": "unreachable", "note": "无人接听"}, actor_id="B001")
    back = T0 + timedelta(hours=6)
    work.run(
        calls.record_outcome,
        call_id,
        {"outcome": "call_back", "call_back_at": back, "note": "下午再打"},
        actor_id="B002",
    )
    work.run(calls.record_outcome, call_id, {"outcome": "declined", "note": "已在别处保养"}, actor_id="B001")
    rows = outcomes(work, call_id)
    assert [(o.outcome, o.by, o.at, o.note) for o in rows] == [
        ("unreachable", "B001", T0, "无人接听"),
        ("call_back", "B002", T0, "下午再打"),
        ("declined", "B001", T0, "已在别处保养"),
    ]
    assert rows[1].call_back_at == back
    assert work.read(calls.call_list, "proactive") == []  # declined: off the list
    with pytest.raises(DomainError) as closed:
        work.run(calls.record_outcome, call_id, {"outcome": "unreachable"})
    assert closed.value.field == "call_id"


def test_a_call_back_needs_a_time_later_than_now(tmp_path):
    work = booking_work(tmp_path)
    due_customer(work)
    [call_id] = work.run(calls.build_call_list, T0.date(), 30)
    for when in (None, T0 - timedelta(minutes=1)):
        with pytest.raises(DomainError) as refused:
            work.run(calls.record_outcome, call_id, {"outcome": "call_back", "call_back_at": when})
        assert refused.value.field == "call_back_at"
    assert outcomes(work, call_id) == []


def test_booked_creates_the_appointment_through_the_booking_command_with_what_is_due(tmp_path):
    work = booking_work(tmp_path)
    vin = due_customer(work, advisor="A002")
    [call_id] = work.run(calls.build_call_list, T0.date(), 30)
    outcome = work.run(
        calls.record_outcome, call_id, {"outcome": "booked", "booking": {"starts_at": TOMORROW_9}}, actor_id="B001"
    )
    appointment = work.read(handlers.appointment, outcome.appointment_id)
    assert appointment["vehicle"]["vin"] == vin and appointment["starts_at"] == TOMORROW_9
    assert appointment["advisor_id"] == "A002"  # the customer's preferred advisor
    assert "LAB-BRAKE-FLUID" in appointment["planned_labour"]
    assert {"part_no": "P-DOT4", "quantity": "1"} in appointment["planned_parts"]
    assert len(booked_events(work)) == 1  # parts and reception hear of it as of any booking
    assert work.read(calls.call, call_id)["status"] == "booked"


def test_booked_is_refused_like_any_booking_and_then_nothing_is_recorded(tmp_path):
    work = booking_work(tmp_path)
    due_customer(work, advisor="A002")
    other = due_customer(work, name="李四", advisor="A002")
    first, second = work.run(calls.build_call_list, T0.date(), 30)
    work.run(calls.record_outcome, first, {"outcome": "booked", "booking": {"starts_at": TOMORROW_9}})
    before = snapshot(work)
    with pytest.raises(SlotUnavailable) as taken:
        work.run(calls.record_outcome, second, {"outcome": "booked", "booking": {"starts_at": TOMORROW_9}})
    assert taken.value.code == "slot_taken" and taken.value.details["alternatives"][0].endswith("09:15:00+08:00")
    with pytest.raises(DomainError) as past:
        work.run(calls.record_outcome, second, {"outcome": "booked", "booking": {"starts_at": T0 - timedelta(hours=1)}})
    assert past.value.field == "starts_at"
    assert snapshot(work) == before
    assert work.read(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Appointment))) == 1
    assert other


# --- inbound -------------------------------------------------------------------------------------------


def take_price_list(tmp_path):
    consumer = service_work("booking", tmp_path, consumer="booking.take_price_list")
    consumer.handle(wire_event(names.PRICE_LIST_PUBLISHED, billing_seed.PRICE_LIST), handlers.take_price_list)


def test_an_inbound_call_is_recorded_in_the_customers_words_with_suggestions_priced_from_the_price_list(tmp_path):
    work = booking_work(tmp_path)
    take_price_list(tmp_path)
    recorded = work.run(
        calls.record_inbound_call,
        {
            "customer": {"name": "李女士", "mobile": make_mobile()},
            "vehicle": {"plate": "沪B88K21"},
            "words": "时速60左右踩刹车方向盘抖",
        },
        actor_id="B001",
    )
    call = work.read(calls.call, recorded.call_id)
    assert call["kind"] == "inbound" and call["words"] == "时速60左右踩刹车方向盘抖"
    assert call["customer"]["name"] == "李女士" and call["vehicle"]["plate"] == "沪B88K21"
    [judder] = call["suggestions"]
    assert judder["code"] == "BRAKE-JUDDER" and judder["causes"]["zh_CN"] == ["制动盘端面跳动超差"]
    estimate = judder["estimate"]
    assert estimate["price_list_version"] == "2026.11-1" and estimate["hours"] == "1.5"
    assert Decimal(estimate["gross"]) == Decimal("2203.50")  # (1.5 h x 300 + 2 x 560 + 380) x 1.13


def test_without_a_price_list_the_call_is_still_recorded_and_the_estimate_says_so(tmp_path):
    work = booking_work(tmp_path)
    recorded = work.run(
        calls.record_inbound_call,
        {"customer": {"name": "王先生", "mobile": make_mobile()}, "vehicle": {}, "words": "冷车启动抖动"},
    )
    [idle] = work.read(calls.call, recorded.call_id)["suggestions"]
    assert idle["code"] == "COLD-ROUGH-IDLE" and idle["estimate"] is None


def test_an_inbound_call_with_a_wrong_mobile_is_refused_and_nothing_is_stored(tmp_path):
    work = booking_work(tmp_path)
    before = snapshot(work)
    with pytest.raises(DomainError) as refused:
        work.run(calls.record_inbound_call, {"customer": {"name": "王", "mobile": "123"}, "words": "抖"})
    assert refused.value.field == "customer.mobile"
    assert snapshot(work) == before


def test_an_inbound_call_turns_into_an_appointment_with_the_suggested_jobs(tmp_path):
    work = booking_work(tmp_path)
    take_price_list(tmp_path)
    recorded = work.run(
        calls.record_inbound_call,
        {
            "customer": {"name": "李女士", "mobile": make_mobile()},
            "vehicle": {"plate": make_plate(), "vin": make_vin(), "model": "速腾"},
            "words": "刹车时方向盘抖动",
        },
    )
    outcome = work.run(
        calls.record_outcome,
        recorded.call_id,
        {"outcome": "booked", "booking": {"starts_at": TOMORROW_9, "advisor_id": "A001"}},
        actor_id="B001",
    )
    appointment = work.read(handlers.appointment, outcome.appointment_id)
    assert appointment["complaint"] == "刹车时方向盘抖动"
    assert appointment["planned_labour"] == ["LAB-BRAKE-DISC"]
    assert appointment["planned_parts"] == [
        {"part_no": "P-DISC-F", "quantity": "2"},
        {"part_no": "P-PAD-F", "quantity": "1"},
    ]
    assert work.read(calls.call, recorded.call_id)["customer_id"] == appointment["customer_id"]


def test_an_inbound_booking_without_an_advisor_or_plate_is_refused_naming_the_field(tmp_path):
    work = booking_work(tmp_path)
    recorded = work.run(
        calls.record_inbound_call,
        {"customer": {"name": "王先生", "mobile": make_mobile()}, "vehicle": {}, "words": "冷车抖"},
    )
    for booking, field in (({"starts_at": TOMORROW_9}, "advisor_id"), ({"advisor_id": "A001"}, "starts_at")):
        with pytest.raises(DomainError) as refused:
            work.run(calls.record_outcome, recorded.call_id, {"outcome": "booked", "booking": booking})
        assert refused.value.field == field
    with pytest.raises(DomainError) as no_plate:
        work.run(
            calls.record_outcome,
            recorded.call_id,
            {"outcome": "booked", "booking": {"starts_at": TOMORROW_9, "advisor_id": "A001"}},
        )
    assert no_plate.value.field == "plate"
