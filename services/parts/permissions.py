"""Who may do what at the parts counter: action -> the roles allowed."""

PERMISSIONS: dict[str, frozenset[str]] = {
    "parts.view": frozenset(
        {"parts_clerk", "dispatcher", "technician", "service_advisor", "service_manager", "hq_viewer"}
    ),
    # R-WS-2: issue against a signed order line from the counter's queue; a line short of stock to a backorder
    "parts.issue": frozenset({"parts_clerk"}),
    # R-WS-2: the technician confirms receipt of the parts issued to them
    "parts.confirm_receipt": frozenset({"technician"}),
    # R-BK-6: confirm the pick list's lines on the appointment shelf
    "parts.pick": frozenset({"parts_clerk"}),
    # goods-in against purchase orders
    "parts.receive": frozenset({"parts_clerk"}),
    # R-BL-3: unused parts back to stock
    "parts.return": frozenset({"parts_clerk"}),
    # cycle counts: the clerk counts, the manager approves a variance
    "parts.count": frozenset({"parts_clerk"}),
    "parts.approve_count": frozenset({"service_manager"}),
    # the parts master (numbers, units, bins, supersession, min/max, cost)
    "parts.master": frozenset({"parts_clerk", "service_manager"}),
    # stock value, turnover, fill rate, reorder suggestions
    "parts.figures": frozenset({"parts_clerk", "service_manager", "hq_viewer"}),
}
