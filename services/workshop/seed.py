"""Reference data: the workshop's technicians and bays."""

from . import handlers

TECHNICIANS = [
    ("T001", "刘师傅", "机电"),
    ("T002", "陈师傅", "机电"),
    ("T003", "赵师傅", "钣喷"),
    ("T004", "孙师傅", "快修"),
]
BAYS = [("B1", "一号工位"), ("B2", "二号工位"), ("B3", "三号工位(举升机)"), ("B4", "快修工位")]


def reference_data(work, demo: bool = False) -> None:
    def add_all(uow):
        for technician in TECHNICIANS:
            handlers.add_technician(uow, *technician)
        for bay in BAYS:
            handlers.add_bay(uow, *bay)

    work.run(add_all)
