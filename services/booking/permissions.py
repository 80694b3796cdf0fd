"""Who may do what at the booking desk (R-BK-*): action -> the roles allowed."""

from kit.auth import FRONT_DESK

PERMISSIONS: dict[str, frozenset[str]] = {
    "booking.view": frozenset(FRONT_DESK | {"booking_clerk", "hq_viewer"}),
    "booking.book": frozenset(FRONT_DESK | {"booking_clerk"}),
    # the customer file holds personal data (mobile, birthday): the front desk and booking clerks only
    "booking.customer_file": frozenset(FRONT_DESK | {"booking_clerk"}),
    "booking.customer_edit": frozenset(FRONT_DESK | {"booking_clerk"}),
    "booking.call": frozenset(FRONT_DESK | {"booking_clerk"}),  # proactive and inbound calls (R-BK-1, R-BK-2)
    "booking.confirm": frozenset(FRONT_DESK | {"booking_clerk"}),  # confirmation calls (R-BK-7)
    "booking.prepare": frozenset({"service_advisor", "service_assistant", "service_manager"}),  # R-BK-6
}
