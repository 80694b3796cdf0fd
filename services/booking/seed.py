"""Demo appointments for `make run` (tomorrow morning, R-BK-3 slots 9:00, 9:15, 9:30), and a customer file whose
car comes due soon, so the proactive call list (R-BK-1) has someone to call."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from .handlers import appointment_commands, customer_file
from .models import Appointment

DEMO = [
    (
        "王建国",
        "13801380001",
        "LSVAM4187C2184847",
        "沪A·D1234",
        "帕萨特",
        time(9, 0),
        "冷车启动怠速抖动，热车后好转",
        ["LAB-THROTTLE", "LAB-OIL"],
        [("P-OIL-5W30", "1"), ("P-FILTER-OIL", "1")],
    ),
    (
        "李秀英",
        "13901390002",
        "LFV2A21KX73000011",
        "沪B·88K21",
        "速腾",
        time(9, 15),
        "刹车时方向盘抖动(约60公里/小时)",
        ["LAB-BRAKE-DISC"],
        [("P-DISC-F", "2"), ("P-PAD-F", "1")],
    ),
    (
        "张伟",
        "13601360003",
        "LSGPC52U5AF102030",
        "沪C·5M678",
        "朗逸",
        time(9, 30),
        "到期保养，制动液已两年未换",
        ["LAB-OIL", "LAB-BRAKE-FLUID"],
        [("P-OIL-5W30", "1"), ("P-FILTER-OIL", "1"), ("P-DOT4", "1")],
    ),
]


def demo_data(work, demo: bool = False) -> None:
    if not demo or work.read(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Appointment))):
        return
    tz = ZoneInfo("Asia/Shanghai")
    tomorrow = (datetime.now(tz) + timedelta(days=1)).date()
    for name, mobile, vin, plate, model, at, complaint, labour, parts in DEMO:
        work.run(
            appointment_commands.book_appointment,
            {
                "customer": {"name": name, "mobile": mobile},
                "vehicle": {"vin": vin, "plate": plate, "model": model},
                "starts_at": datetime.combine(tomorrow, at, tz),
                "advisor_id": "A001",
                "complaint": complaint,
                "planned_labour": labour,
                "planned_parts": [{"part_no": p, "quantity": q} for p, q in parts],
            },
            actor_id="B001",
        )

    # R-BK-1 / R-KB-2: bought 23 months and a half ago, about 40 km a day: the brake fluid comes due this month
    purchased = (datetime.now(tz) - timedelta(days=715)).date()
    work.run(
        customer_file.save_customer,
        {
            "name": "张三",
            "mobile": "13701370004",
            "salutation": "先生",
            "birthday": date(1985, 3, 2),
            "preferred_advisor_id": "A002",
            "vehicles": [
                {"vin": "LSVAU218XN2183294", "plate": "沪D·12345", "model": "帕萨特", "purchase_date": purchased}
            ],
        },
        actor_id="B001",
    )
    work.run(customer_file.record_mileage, "LSVAU218XN2183294", 28600, purchased + timedelta(days=700), "call")
