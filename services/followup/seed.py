"""Reference data: the demo directory's callers (agents and a service assistant, R-FU-2), so calls are assigned from
the first start; the staff directory's staff_registered / staff_changed events keep the list current."""

from .handlers import directory

CALLERS = [
    ("F001", "周静", "followup_agent"),
    ("F002", "吴敏", "followup_agent"),
    ("S001", "郑洁", "service_assistant"),
]


def reference_data(work, demo: bool = False) -> None:
    def add_all(uow):
        for caller in CALLERS:
            directory.add_caller(uow, *caller)

    work.run(add_all)
