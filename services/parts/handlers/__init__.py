"""Parts' use cases, by feature: the ledger, the appointment shelf, the counter, supply (backorders and
goods-in), returns and old parts, counts and figures, the parts master."""

from .auto_issue import issue_against_order
from .counter import (
    backorder_line,
    confirm_receipt,
    issue_at_counter,
    queue,
    queue_request,
    request_view,
)
from .counts import counts, decide_count, figures, record_count, reorder_suggestions
from .master import (
    issues,
    receive_stock,
    reservations,
    save_part,
    search_parts,
    stock,
    stock_moves,
    take_price_list,
)
from .returns import old_parts, record_old_parts, return_parts, returns
from .shelf import (
    confirm_pick,
    expired,
    move_for_rescheduled,
    pick_list,
    release_expired,
    release_for_cancelled,
    release_for_no_show,
    reserve_for_appointment,
)
from .supply import backorders, goods_in, purchase_orders

__all__ = [
    "backorder_line",
    "backorders",
    "confirm_pick",
    "confirm_receipt",
    "counts",
    "decide_count",
    "expired",
    "figures",
    "goods_in",
    "issue_against_order",
    "issue_at_counter",
    "issues",
    "move_for_rescheduled",
    "old_parts",
    "pick_list",
    "purchase_orders",
    "queue",
    "queue_request",
    "receive_stock",
    "record_count",
    "record_old_parts",
    "release_expired",
    "release_for_cancelled",
    "release_for_no_show",
    "reorder_suggestions",
    "request_view",
    "reservations",
    "reserve_for_appointment",
    "return_parts",
    "returns",
    "save_part",
    "search_parts",
    "stock",
    "stock_moves",
    "take_price_list",
]
