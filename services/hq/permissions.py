"""Who may do what at the group HQ: action -> the roles allowed."""

PERMISSIONS: dict[str, frozenset[str]] = {
    "hq.view": frozenset({"hq_viewer", "admin"}),  # the group dashboard, drill-down, exports, the intake's state
    "hq.replay": frozenset({"admin"}),  # read the whole retained stream again
}
