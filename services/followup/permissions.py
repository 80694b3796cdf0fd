"""Who may do what in follow-up (R-FU-*): action -> the roles allowed."""

PERMISSIONS: dict[str, frozenset[str]] = {
    "followup.view": frozenset({"followup_agent", "service_assistant", "service_manager", "hq_viewer"}),
}
