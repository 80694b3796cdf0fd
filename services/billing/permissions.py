"""Who may do what in settlement: prices and money, so no follow-up agent, no technician."""

PERMISSIONS: dict[str, frozenset[str]] = {
    "billing.view": frozenset({"cashier", "service_advisor", "service_manager", "hq_viewer"}),
    "billing.pay": frozenset({"cashier"}),
}
