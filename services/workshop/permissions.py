"""Who may do what in the workshop (R-WS-*, R-QC-*): action -> the roles allowed.

The dispatcher is the workshop's foreman 车间主管: besides dispatching they correct job clocks, act on any job and
edit technicians' skills and shifts. Whether a technician may act on a job is decided per job as well: only the
technician it is assigned to (or the foreman) - others get 403 (domain.job_clock.may_act)."""

from kit.auth import FRONT_DESK, WORKSHOP_FLOOR

FOREMAN = frozenset({"dispatcher", "service_manager"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "workshop.view": frozenset(WORKSHOP_FLOOR | FRONT_DESK | {"parts_clerk", "hq_viewer"}),
    # dispatch by the dispatcher, or by the advisor leading a team (R-WS-1)
    "workshop.dispatch": frozenset({"dispatcher", "service_advisor", "service_manager"}),
    # the job clock and finishing (R-WS-2, R-WS-6): the technicians, and the foreman
    "workshop.work_job": frozenset({"technician", "technical_expert"} | FOREMAN),
    "workshop.finish_job": frozenset({"technician", "technical_expert"} | FOREMAN),
    "workshop.correct_clock": FOREMAN,
    "workshop.edit_technicians": FOREMAN,
    # expert help (R-WS-4)
    "workshop.ask_expert": frozenset({"technician"} | FOREMAN),
    "workshop.answer_expert": frozenset({"technical_expert"}),
    "workshop.quality_check": frozenset({"qc_inspector"}),
    "workshop.numbers": frozenset({"service_manager", "dispatcher", "hq_viewer"}),
    # R-WS-3: the technician reports found work to the advisor (never changes the order)
    "workshop.request_additional_work": frozenset({"technician", "technical_expert", "dispatcher"}),
}
