"""Who may do what in follow-up (R-FU-*, R-CR-*): action -> the roles allowed."""

CALLERS = frozenset({"followup_agent", "service_assistant"})  # R-FU-2: never the serving advisor (checked per call)
MANAGERS = frozenset({"service_manager"})  # the after-sales manager

PERMISSIONS: dict[str, frozenset[str]] = {
    "followup.view": CALLERS | MANAGERS | {"hq_viewer", "dispatcher"},
    "followup.call": CALLERS,  # make the call: outcome, words, scores
    "followup.assign": MANAGERS,  # assign and reassign calls
    # department managers handle the complaints routed to them (the workshop's: the dispatcher)
    "followup.complaint": MANAGERS | {"dispatcher"},
    "followup.report": MANAGERS | {"hq_viewer"},
    "followup.care": CALLERS | MANAGERS,  # care contacts, the care file, hand-over uploads, invitations
    "followup.callbacks": MANAGERS | {"technician", "technical_expert"},  # R-FU-3: technical questions
    "followup.book": CALLERS | MANAGERS | {"dispatcher"},  # book the next visit through booking (R-CR-4)
}
