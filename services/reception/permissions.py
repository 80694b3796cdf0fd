"""Who may do what at reception (R-RC-*): action -> the roles allowed. Only an advisor signs an order,
never a technician."""

from kit.auth import FRONT_DESK

PERMISSIONS: dict[str, frozenset[str]] = {
    "reception.view": frozenset(FRONT_DESK | {"dispatcher", "hq_viewer"}),
    "reception.check_in": frozenset(FRONT_DESK),
    "reception.write_order": frozenset({"service_advisor", "service_manager"}),
    "reception.sign_order": frozenset({"service_advisor"}),
    # the walk-around sheet with the customer (R-RC-1..3); a lower odometer reading only on the service
    # manager's own confirmation that the odometer was changed (R-RC-2)
    "reception.walk_around": frozenset(FRONT_DESK),
    "reception.confirm_odometer_change": frozenset({"service_manager"}),
    # R-RC-8: the service manager records each congestion incident's cause, responsible person and action
    "reception.review_incident": frozenset({"service_manager"}),
    # R-RC-8: while the area is congested the service manager records the action taken (temporary park with
    # queue tickets, or written-up cars moved to the workshop's waiting bays)
    "reception.act_on_congestion": frozenset({"service_manager"}),
    # R-RC-8a: the security guard records each arriving car, guides it to a free bay, alerts the manager
    "reception.gate_in": frozenset(FRONT_DESK | {"security_guard"}),
}
