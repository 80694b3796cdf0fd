"""Billing's use cases: `f(uow, ...)` each one transaction with the events it emits, and the queries
`f(session, ...)` the pages read: the invoice (invoices), the cashier (settlement), delivery and the gate
(delivery), the documents (documents), the price list (prices) and the numbers (numbers)."""

from .delivery import check_gate_pass, deliver, delivery_view, gate_view
from .invoices import (
    invoice_list,
    invoice_of_order,
    invoice_view,
    keep_signed_version,
    publish_price_list,
    published_price_list,
    rebuild_invoice,
    record_amended_order,
    record_parts_issued,
    record_parts_returned,
    record_signed_order,
    record_vehicle_ready,
)
from .settlement import (
    adjust,
    approve_refund,
    assign_pay_types,
    customer_due,
    pay,
    request_refund,
    settle,
    settlement_view,
)

__all__ = [
    "adjust",
    "approve_refund",
    "assign_pay_types",
    "check_gate_pass",
    "customer_due",
    "deliver",
    "delivery_view",
    "gate_view",
    "invoice_list",
    "invoice_of_order",
    "invoice_view",
    "keep_signed_version",
    "pay",
    "publish_price_list",
    "published_price_list",
    "rebuild_invoice",
    "record_amended_order",
    "record_parts_issued",
    "record_parts_returned",
    "record_signed_order",
    "record_vehicle_ready",
    "request_refund",
    "settle",
    "settlement_view",
]
