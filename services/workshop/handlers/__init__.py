"""Workshop's use cases, by feature: commands and event handlers `f(uow, ...)` and the queries the pages read.

orders (the signed order: dispatch, parts issued, jobs, quality check, the board), additional_work (R-WS-3),
capacity (holds for appointments, R-BK-4), load (promised times and the load views, R-BK-10, R-RC-5, R-WS-7);
capacity_rpc is the adapter the capacity RPC entrypoints call. The names below are the use cases as one set,
for the service's callers that want them so (seed, tests).
"""

from .additional_work import notices_for, request_additional_work, take_amended_order, take_declined_work
from .capacity import (
    confirm_booked,
    expire_lapsed,
    hold,
    lapsed_count,
    move_rescheduled,
    release,
    release_for_event,
    set_technician_capacity,
    take_price_list,
)
from .load import hold_view, load_view, promise_time
from .orders import (
    add_bay,
    add_technician,
    dispatch,
    finish_job,
    quality_check,
    take_parts_issued,
    take_signed_order,
    work_order,
    work_orders,
)

__all__ = [
    "add_bay",
    "add_technician",
    "confirm_booked",
    "dispatch",
    "expire_lapsed",
    "finish_job",
    "hold",
    "hold_view",
    "lapsed_count",
    "load_view",
    "move_rescheduled",
    "notices_for",
    "promise_time",
    "quality_check",
    "release",
    "release_for_event",
    "request_additional_work",
    "set_technician_capacity",
    "take_amended_order",
    "take_declined_work",
    "take_parts_issued",
    "take_price_list",
    "take_signed_order",
    "work_order",
    "work_orders",
]
