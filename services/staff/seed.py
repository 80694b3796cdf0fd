"""Demo staff: one or more people per role, all with the password `DEMO_PASSWORD` (printed by `make run`)."""

import sqlalchemy as sa

from kit.concurrency import offload_one_at_a_time

from . import domain, handlers
from .models import Staff

DEMO_PASSWORD = "demo1234"

STAFF = [
    ("ADMIN", "系统管理员", "13900000000", "it", ["admin"]),
    ("A001", "王芳", "13900000001", "front_desk", ["service_advisor"]),
    ("A002", "李强", "13900000002", "front_desk", ["service_advisor"]),
    ("S001", "郑洁", "13900000003", "front_desk", ["service_assistant"]),
    ("M001", "陈志明", "13900000004", "management", ["service_manager"]),
    ("B001", "赵敏", "13900000005", "front_desk", ["booking_clerk"]),
    ("D001", "钱建华", "13900000006", "workshop", ["dispatcher"]),
    ("T001", "刘师傅", "13900000007", "workshop", ["technician"]),
    ("T002", "陈师傅", "13900000008", "workshop", ["technician"]),
    ("E001", "黄工", "13900000009", "workshop", ["technical_expert"]),
    ("P001", "孙丽", "13900000010", "parts", ["parts_clerk"]),
    ("Q001", "周检", "13900000011", "workshop", ["qc_inspector"]),
    ("C001", "吴静", "13900000012", "finance", ["cashier"]),
    ("F001", "周静", "13900000013", "customer_care", ["followup_agent"]),
    ("F002", "吴敏", "13900000014", "customer_care", ["followup_agent"]),
    ("H001", "集团总部", "13900000015", "hq", ["hq_viewer"]),
    ("G001", "张卫", "13900000016", "front_desk", ["security_guard"]),
]


def reference_data(work, demo: bool = False) -> None:
    if work.read(lambda s: s.scalar(sa.select(sa.func.count()).select_from(Staff))):
        return
    # argon2 is slow on purpose: once, not once per account; and as sign-ins hash (its 12 MiB handed back after)
    demo_hash = offload_one_at_a_time(domain.hash_password, DEMO_PASSWORD)
    for staff_id, name, mobile, department, roles in STAFF:
        work.run(
            handlers.register,
            {
                "staff_id": staff_id,
                "name": name,
                "mobile": mobile,
                "department": department,
                "roles": roles,
                "password": DEMO_PASSWORD,
            },
            password_hash=demo_hash,
            actor_id="seed",
        )
