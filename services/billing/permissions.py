"""Who may do what in settlement and delivery: prices and money, so no follow-up agent, no technician."""

PERMISSIONS: dict[str, frozenset[str]] = {
    "billing.view": frozenset({"cashier", "service_advisor", "service_manager", "hq_viewer"}),
    "billing.pay": frozenset({"cashier"}),
    # R-BL-1: a blocked invoice put right by a manager's adjustment, within the role's discount limit
    "billing.adjust": frozenset({"service_manager"}),
    # pay types per line and the maker's warranty claim (the service manager assesses warranty)
    "billing.assign_pay_type": frozenset({"service_manager"}),
    "billing.refund": frozenset({"cashier"}),
    "billing.approve_refund": frozenset({"service_manager"}),
    # R-BL-2..6: the delivery checklist on the advisor's tablet (a manager delivers only with an override)
    "billing.deliver": frozenset({"service_advisor", "service_manager"}),
    # R-BL-6: the gate pass checked at the gate
    "billing.gate": frozenset({"security_guard", "service_manager"}),
    # the price list: a clerk prepares a version, the service manager publishes it (two people)
    "billing.prepare_prices": frozenset({"cashier", "parts_clerk"}),
    "billing.publish_prices": frozenset({"service_manager"}),
    "billing.numbers": frozenset({"service_manager", "hq_viewer"}),
}
