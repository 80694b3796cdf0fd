"""The customer file 客户档案 (issue #4 item 1, R-BK-1): birthday, preferred advisor, dated mileage readings
feeding each car's own km/day, one file per customer, search by plate, mobile, VIN, name and pinyin."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.booking import handlers
from services.booking.domain.customers import name_key
from services.booking.domain.maintenance import plan_for
from services.booking.handlers import customer_file
from tests.support.db import service_work, snapshot
from tests.support.factories import make_mobile, make_plate, make_vin

T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 08:00 in Shanghai
SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def booking_work(tmp_path):
    work = service_work("booking", tmp_path)
    work.clock = Clock(T0)
    return work


def new_customer(work, **overrides):
    cmd = {
        "name": "张三",
        "mobile": make_mobile(),
        "salutation": "先生",
        "birthday": date(1985, 3, 2),
        "preferred_advisor_id": "A002",
        "vehicles": [{"vin": make_vin(), "plate": make_plate(), "model": "帕萨特", "purchase_date": date(2026, 9, 1)}],
    }
    cmd.update(overrides)
    return work.run(customer_file.save_customer, cmd, actor_id="B001"), cmd


def found(work, q):
    return [c["name"] for c in work.read(customer_file.search, q).items]


def test_pinyin_initials_find_the_customer_as_do_full_pinyin_name_mobile_plate_and_vin(tmp_path):
    work = booking_work(tmp_path)
    _, zhang = new_customer(work)
    new_customer(work, name="李秀英", vehicles=[{"vin": make_vin(), "plate": make_plate()}])
    assert name_key("张三") == "zhangsan zs"
    assert found(work, "zs") == ["张三"]
    assert found(work, "ZhangSan") == ["张三"]
    assert found(work, "lxy") == ["李秀英"]
    assert found(work, "张") == ["张三"]
    assert found(work, zhang["mobile"][-6:]) == ["张三"]
    assert found(work, zhang["vehicles"][0]["plate"].lower()) == ["张三"]
    assert found(work, zhang["vehicles"][0]["vin"][-8:]) == ["张三"]
    assert found(work, "wjg") == []


def test_customers_booked_before_the_file_had_pinyin_are_found_by_it_too(tmp_path):
    """The booking path creates customers too; their pinyin is kept with the name."""
    work = booking_work(tmp_path)
    work.run(
        handlers.book_appointment,
        {
            "customer": {"name": "王建国", "mobile": make_mobile()},
            "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
            "starts_at": datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI),
            "advisor_id": "A001",
        },
    )
    assert found(work, "wjg") == ["王建国"]


def test_the_file_keeps_birthday_and_preferred_advisor(tmp_path):
    work = booking_work(tmp_path)
    customer, cmd = new_customer(work)
    view = work.read(customer_file.customer_file, customer.customer_id, T0.date())
    assert view["birthday"] == date(1985, 3, 2) and view["preferred_advisor_id"] == "A002"
    assert [v["vin"] for v in view["vehicles"]] == [cmd["vehicles"][0]["vin"]]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"vehicles": [{"vin": "LSVAM4188C2184847", "plate": "沪A12345"}]}, "vehicles[0].vin"),
        ({"mobile": "1380013"}, "mobile"),
        ({"birthday": date(2030, 1, 1)}, "birthday"),
    ],
)
def test_a_bad_customer_file_is_refused_naming_the_field_and_nothing_is_stored(tmp_path, change, field):
    work = booking_work(tmp_path)
    before = snapshot(work)
    with pytest.raises(Exception) as refused:
        new_customer(work, **change)
    assert refused.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in refused.value.message)
    assert snapshot(work) == before


def test_mileage_readings_give_the_cars_own_km_per_day_and_bring_the_oil_change_forward(tmp_path):
    """R-KB-2 / R-BK-1: 100 km a day reaches the 10,000 km oil interval long before the 12 months."""
    work = booking_work(tmp_path)
    customer, cmd = new_customer(work)
    vin = cmd["vehicles"][0]["vin"]
    # at the default 40 km/day the oil change is not due within 30 days of three months' use
    assert all(i["code"] != "OIL" for car in work.read(handlers.due_list, T0.date(), 30) for i in car["items"])
    work.run(customer_file.record_mileage, vin, 1000, date(2026, 9, 11), "call")
    work.run(customer_file.record_mileage, vin, 6000, date(2026, 10, 31), "desk")  # 5,000 km in 50 days
    car = work.read(customer_file.customer_file, customer.customer_id, T0.date())["vehicles"][0]
    assert car["km_per_day"] == 100 and car["km_per_day_estimated"]
    assert [r["mileage_km"] for r in car["readings"]] == [1000, 6000]
    [due] = work.read(handlers.due_list, T0.date(), 30)
    oil = next(i for i in due["items"] if i["code"] == "OIL")
    every_km = plan_for("帕萨特").item("OIL").every_km  # 7,500 km for this model
    assert oil["reason"] == "km" and oil["due_km"] == every_km
    assert oil["due_on"] == date(2026, 10, 31) + timedelta(days=(every_km - 6000) // 100) and oil["overdue"]


def test_a_reading_lower_than_an_earlier_one_or_in_the_future_is_refused(tmp_path):
    work = booking_work(tmp_path)
    _, cmd = new_customer(work)
    vin = cmd["vehicles"][0]["vin"]
    work.run(customer_file.record_mileage, vin, 6000, date(2026, 11, 1), "desk")
    with pytest.raises(Exception) as lower:
        work.run(customer_file.record_mileage, vin, 5900, date(2026, 11, 20), "desk")
    assert lower.value.field == "mileage_km" and "6000" in lower.value.message
    with pytest.raises(Exception) as future:
        work.run(customer_file.record_mileage, vin, 7000, T0.date() + timedelta(days=2), "desk")
    assert future.value.field == "read_on"
    assert [km for _, km in work.read(customer_file.readings, vin)] == [6000]


def test_the_file_page_data_has_vehicles_history_appointments_and_calls(tmp_path):
    from contracts import names
    from services.booking.handlers import calls
    from tests.support.db import wire_event
    from tests.support.factories import make_delivered

    work = booking_work(tmp_path)
    customer, cmd = new_customer(work)
    vehicle = cmd["vehicles"][0]
    delivered = make_delivered(
        vehicle={"vin": vehicle["vin"], "plate": vehicle["plate"], "model": "帕萨特"},
        mileage_km=5200,
        labour_codes=["LAB-OIL"],
        delivered_at=T0 - timedelta(days=10),
    )
    consumer = service_work("booking", tmp_path, consumer="booking.service_history")
    consumer.handle(wire_event(names.VEHICLE_DELIVERED, delivered), handlers.record_service)
    work.run(
        handlers.book_appointment,
        {
            "customer": {"name": "张三", "mobile": cmd["mobile"]},
            "vehicle": {"vin": vehicle["vin"], "plate": vehicle["plate"], "model": "帕萨特"},
            "starts_at": datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI),
            "advisor_id": "A002",
        },
    )
    work.run(
        calls.record_inbound_call,
        {"customer": {"name": "张三", "mobile": cmd["mobile"]}, "vehicle": {}, "words": "空调不冷"},
        actor_id="B001",
    )
    view = work.read(customer_file.customer_file, customer.customer_id, T0.date())
    car = view["vehicles"][0]
    assert [h["mileage_km"] for h in car["history"]] == [5200]
    assert car["readings"][-1]["mileage_km"] == 5200  # a delivery is a reading too
    every_km = plan_for("帕萨特").item("OIL").every_km
    assert any(d["code"] == "OIL" and d["due_km"] == 5200 + every_km for d in car["next_due"])
    assert [a["advisor_id"] for a in view["appointments"]] == ["A002"]
    assert [(c["kind"], c["words"]) for c in view["calls"]] == [("inbound", "空调不冷")]


def test_the_appointment_board_is_searchable_by_pinyin_initials_too(tmp_path):
    work = booking_work(tmp_path)
    work.run(
        handlers.book_appointment,
        {
            "customer": {"name": "张三", "mobile": make_mobile()},
            "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
            "starts_at": datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI),
            "advisor_id": "A001",
        },
    )
    assert [a["customer"]["name"] for a in work.read(handlers.appointments, 1, 50, "zs").items] == ["张三"]
    assert work.read(handlers.appointments, 1, 50, "lxy").items == []
