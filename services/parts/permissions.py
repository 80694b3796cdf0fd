"""Who may do what at the parts counter: action -> the roles allowed."""

PERMISSIONS: dict[str, frozenset[str]] = {
    "parts.view": frozenset(
        {"parts_clerk", "dispatcher", "technician", "service_advisor", "service_manager", "hq_viewer"}
    ),
}
