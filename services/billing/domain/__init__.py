"""Billing's rules, plain Python (no nameko, no SQLAlchemy): the invoice audit (audit), money and payments
(money), corrections within a discount limit (corrections), pay types (pay_types), warranty periods
(warranty), the gate pass (gate_pass) and the delivery checklist (delivery)."""

from contracts.pricing import PriceBook

from .audit import CENT, InvoiceDraft, audit_quote, build_invoice, check_chain, yuan
from .money import PAYMENT_METHODS, check_payment

__all__ = [
    "CENT",
    "PAYMENT_METHODS",
    "InvoiceDraft",
    "PriceBook",
    "audit_quote",
    "build_invoice",
    "check_chain",
    "check_payment",
    "yuan",
]
