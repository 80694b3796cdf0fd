"""Reference data: the demo directory's callers (agents and a service assistant, R-FU-2), so calls are assigned from
the first start; the staff directory's staff_registered / staff_changed events keep the list current. With demo
data, two new-car hand-overs from the sales side and their care tasks (R-CR-1..3)."""

from datetime import date, timedelta

from kit.types import utcnow

from .handlers import care, directory

CALLERS = [
    ("F001", "周静", "followup_agent"),
    ("F002", "吴敏", "followup_agent"),
    ("S001", "郑洁", "service_assistant"),
]
# name, mobile, VIN, plate, model, city, birthday, handed over (hours ago)
HANDOVERS = [
    ("孙悦", "13700137001", "LSVAM4187C2184847", "沪C8D201", "途观L", "上海", date(1988, 3, 14), 20),
    ("钱伟", "13700137002", "LFV5X16B2EJ76NU3K", "沪A5K372", "帕萨特", "上海", None, 150),
]


def reference_data(work, demo: bool = False) -> None:
    def add_all(uow):
        for caller in CALLERS:
            directory.add_caller(uow, *caller)

    work.run(add_all)
    if demo:
        now = utcnow().replace(minute=0, second=0, microsecond=0)
        for name, mobile, vin, plate, model, city, birthday, hours in HANDOVERS:
            handover = {
                "name": name,
                "mobile": mobile,
                "vin": vin,
                "plate": plate,
                "model": model,
                "city": city,
                "birthday": birthday,
                "handed_over_at": now - timedelta(hours=hours),
                "salesperson": "SP01",
                "sales_manager": "SM01",
            }
            if not work.read(lambda s, m=mobile: s.get(care.CareCustomer, m)):
                work.run(care.take_handover, handover)
