"""Billing's pages and JSON views, one mixin per feature: invoices and the cashier (invoices), delivery and
the gate (delivery), the printed documents (documents), the price list (prices), the numbers (numbers)."""

from .delivery import DeliveryEndpoints, GateEndpoints
from .documents import DocumentEndpoints
from .invoices import InvoiceEndpoints
from .numbers import NumbersEndpoints
from .prices import PriceListEndpoints

__all__ = [
    "DeliveryEndpoints",
    "DocumentEndpoints",
    "GateEndpoints",
    "InvoiceEndpoints",
    "NumbersEndpoints",
    "PriceListEndpoints",
]
