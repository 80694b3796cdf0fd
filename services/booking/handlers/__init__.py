"""Booking's use cases, by feature: commands and event handlers `f(uow, ...)` and the queries the pages read.

appointment_commands (book, cancel, reschedule, no-show, answer a confirmation), checklist (R-BK-6), confirmations
(R-BK-7), appointment_views, calls (R-BK-1/2), customer_file, maintenance (history and the due list),
price_list, schedule (booked times and free slots); booking_desk and workshop_capacity run the desk's commands
around the workshop's capacity RPC (R-BK-4). The names below are the use cases as one set, for the service's
callers that want them so (seed, tests).
"""

from .appointment_commands import (
    answer_confirmation,
    book_appointment,
    cancel_appointment,
    mark_no_show,
    reschedule_appointment,
)
from .appointment_views import advisor_appointments, appointment, appointments, welcome_board
from .checklist import note_parts_reserved, note_parts_short, preparation, tick_preparation
from .confirmations import confirmation_task, confirmation_tasks, escalate_overdue_confirmations, overdue_confirmations
from .maintenance import due_list, record_service
from .price_list import current_price_book, take_price_list
from .schedule import booked_times, offered_times, open_slots

__all__ = [
    "advisor_appointments",
    "answer_confirmation",
    "appointment",
    "appointments",
    "book_appointment",
    "booked_times",
    "cancel_appointment",
    "confirmation_task",
    "confirmation_tasks",
    "current_price_book",
    "due_list",
    "escalate_overdue_confirmations",
    "mark_no_show",
    "note_parts_reserved",
    "note_parts_short",
    "offered_times",
    "open_slots",
    "overdue_confirmations",
    "preparation",
    "record_service",
    "reschedule_appointment",
    "take_price_list",
    "tick_preparation",
    "welcome_board",
]
