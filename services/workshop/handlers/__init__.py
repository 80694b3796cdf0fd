"""Workshop's use cases, by feature: commands and event handlers `f(uow, ...)` and the queries the pages read.

orders (the signed order as received, parts issued), dispatching (R-WS-1, R-WS-7), clock (the job clock, finishing,
the on-time forecast, stock-outs), quality (R-QC-1..4), expert (R-WS-4), floor (settings, the staff directory's
people, skills and shifts), boards (the dispatch board's timeline, the manager's numbers), views (what pages read),
additional_work (R-WS-3), capacity (holds for appointments, R-BK-4), load (promised times and the load views,
R-BK-10, R-RC-5, R-WS-7); capacity_rpc is the adapter the capacity RPC entrypoints call. The names below are the use
cases as one set, for the service's callers that want them so (seed, tests).
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
from .clock import clock_job, correct_clock, finish_job, take_parts_issued
from .dispatching import assign_job, dispatch
from .load import hold_view, load_view, promise_time
from .load_table import current_load, recomputed_load
from .orders import add_bay, add_technician, take_signed_order
from .quality import quality_check
from .views import work_order, work_orders

__all__ = [
    "add_bay",
    "add_technician",
    "assign_job",
    "clock_job",
    "confirm_booked",
    "current_load",
    "correct_clock",
    "dispatch",
    "expire_lapsed",
    "finish_job",
    "hold",
    "hold_view",
    "lapsed_count",
    "load_view",
    "move_rescheduled",
    "recomputed_load",
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
