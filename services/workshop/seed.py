"""Reference data: the workshop's technicians (skills and shifts) and bays.

Enough capacity that the demo and the benchmark (bench/: one advisor's 24 receptions a day, day after day)
never run out at the default 60 % bookable share (R-BK-4): ten technicians, eight bays.
"""

from datetime import time

from .handlers import capacity, orders
from .models import Technician

# (id, name, skill as shown, skills for capacity, shift start, shift end); None: the workshop's hours
TECHNICIANS = [
    ("T001", "刘师傅", "机电", "mechanical,quick", None, None),
    ("T002", "陈师傅", "机电", "mechanical,electrical", None, None),
    ("T003", "赵师傅", "钣喷", "body", None, None),
    ("T004", "孙师傅", "快修", "quick", None, None),
    ("T005", "周师傅", "机电", "mechanical,quick", None, None),
    ("T006", "吴师傅", "电气", "electrical,mechanical", None, None),
    ("T007", "郑师傅", "快修", "quick,mechanical", None, None),
    ("T008", "王师傅", "快修", "quick", None, None),
    ("T009", "冯师傅", "钣喷", "body", None, None),
    ("T010", "钱师傅", "机电", "mechanical", time(10, 0), None),
]
BAYS = [
    ("B1", "一号工位"),
    ("B2", "二号工位"),
    ("B3", "三号工位(举升机)"),
    ("B4", "快修工位"),
    ("B5", "五号工位(举升机)"),
    ("B6", "六号工位"),
    ("B7", "钣喷工位"),
    ("B8", "快修二号工位"),
]


def reference_data(work, demo: bool = False) -> None:
    def add_all(uow):
        for technician_id, name, skill, skills, starts, ends in TECHNICIANS:
            if uow.session.get(Technician, technician_id) is None:
                orders.add_technician(uow, technician_id, name, skill)
                uow.session.flush()
                capacity.set_technician_capacity(
                    uow, technician_id, skills=skills, shift_starts=starts, shift_ends=ends
                )
        for bay in BAYS:
            orders.add_bay(uow, *bay)

    work.run(add_all)
