"""Who may do what in the workshop (R-WS-*, R-QC-*): action -> the roles allowed."""

from kit.auth import FRONT_DESK, WORKSHOP_FLOOR

PERMISSIONS: dict[str, frozenset[str]] = {
    "workshop.view": frozenset(WORKSHOP_FLOOR | FRONT_DESK | {"parts_clerk", "hq_viewer"}),
    # dispatch by the dispatcher, or by the advisor leading a team (R-WS-1)
    "workshop.dispatch": frozenset({"dispatcher", "service_advisor", "service_manager"}),
    "workshop.finish_job": frozenset({"technician", "technical_expert"}),
    "workshop.quality_check": frozenset({"qc_inspector"}),
    # R-WS-3: the technician reports found work to the advisor (never changes the order)
    "workshop.request_additional_work": frozenset({"technician", "technical_expert", "dispatcher"}),
}
