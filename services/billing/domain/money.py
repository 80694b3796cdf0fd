"""Money at the cashier (R-BL-1): amounts exact to the fen, VAT with labour and materials apart, partial
payments by the dealership's methods, refunds only with a manager's approval.

Amounts are Decimal yuan; an amount with more than two decimals is refused, never rounded silently.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kit.errors import DomainError
from kit.i18n import N_

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# cash, bank card, WeChat Pay, Alipay, the fleet customer's account (monthly statement); no payment gateway
PAYMENT_METHODS = ("cash", "card", "wechat", "alipay", "account")
MAX_AMOUNT = Decimal("10000000.00")


def exact_fen(value, field: str = "amount") -> Decimal:
    """The amount as Decimal yuan, refused (naming `field`) unless it is a number with at most two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(N_("The amount must be a number in yuan"), field=field, code="bad_amount") from None
    if not amount.is_finite():
        raise DomainError(N_("The amount must be a number in yuan"), field=field, code="bad_amount")
    if amount < 0 or amount > MAX_AMOUNT:
        raise DomainError(N_("The amount must be between 0 and 10,000,000 yuan"), field=field, code="bad_amount")
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(CENT):
        raise DomainError(
            N_("The amount {amount} has more than two decimals; amounts are exact to the fen"),
            field=field,
            code="bad_amount",
            amount=value,
        )
    return amount.quantize(CENT)


def vat_of(amount: Decimal, rate: Decimal) -> Decimal:
    """VAT on an amount, rounded to the fen half up (as a Chinese invoice does)."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def split_totals(lines: list[dict], vat_rate: Decimal, discount: Decimal = ZERO) -> dict:
    """The settlement list's totals (机动车维修结算清单): labour 工时费 and materials 材料费 apart, the discount,
    the net, VAT at `vat_rate` and the total. The discount is taken off labour first, then materials."""
    labour = sum((line["amount"] for line in lines if line["kind"] == "labour"), ZERO)
    materials = sum((line["amount"] for line in lines if line["kind"] != "labour"), ZERO)
    discount = min(discount, labour + materials)
    subtotal = labour + materials - discount
    vat = vat_of(subtotal, vat_rate)
    return {
        "labour": labour,
        "materials": materials,
        "discount": discount,
        "subtotal": subtotal,
        "vat_rate": vat_rate,
        "vat": vat,
        "total": subtotal + vat,
    }


def check_payment(status: str, balance: Decimal | None, amount: Decimal, method: str) -> None:
    """R-BL-1: an invoice that disagrees cannot be settled; a payment is at most the balance still due
    (part payments by several methods add up to it) and never nothing."""
    if status == "paid":
        raise DomainError("This invoice has already been paid", code="already_paid")
    if status == "blocked":
        raise DomainError(
            "The invoice disagrees with the signed quote or the published prices; correct it before taking payment",
            code="invoice_blocked",
        )
    if status != "ready":
        raise DomainError("The car has not passed the quality check yet; it cannot be settled", code="not_ready")
    if method not in PAYMENT_METHODS:
        raise DomainError(
            "The payment method must be one of {methods}", field="method", methods=", ".join(PAYMENT_METHODS)
        )
    exact_fen(amount)
    if amount <= 0 or amount > balance:
        raise DomainError(
            "The amount received {amount} does not match the amount due {total}",
            field="amount",
            amount=amount,
            total=balance,
        )


def balance_due(total: Decimal, payments: list[dict]) -> Decimal:
    """What the payer still owes: the total less payments, plus refunds paid out."""
    paid = sum((p["amount"] for p in payments if p["kind"] == "payment"), ZERO)
    refunded = sum((p["amount"] for p in payments if p["kind"] == "refund" and p.get("approved_by")), ZERO)
    return total - paid + refunded


def check_refund(paid: Decimal, refunded: Decimal, amount: Decimal, reason: str) -> None:
    """A refund is at most what was paid and not yet refunded, with a reason; it is paid out only once a
    service manager approves it (`check_refund_approval`)."""
    exact_fen(amount)
    if not reason or not reason.strip():
        raise DomainError(N_("Give the reason for the refund"), field="reason", code="reason_needed")
    if amount <= 0 or amount > paid - refunded:
        raise DomainError(
            N_("A refund of {amount} is more than the {available} paid and not yet refunded"),
            field="amount",
            code="refund_too_large",
            amount=amount,
            available=paid - refunded,
        )


def check_refund_approval(requested_by: str, approver_id: str, approver_roles, already: str | None) -> None:
    """Refunds need a service manager's approval; the one who asked does not approve their own."""
    if already:
        raise DomainError(N_("This refund has already been approved"), code="already_approved")
    if "service_manager" not in set(approver_roles):
        raise DomainError(N_("Only a service manager approves a refund"), field="approved_by", code="not_manager")
    if requested_by == approver_id:
        raise DomainError(
            N_("The refund is approved by another person than the one who asked for it"),
            field="approved_by",
            code="same_person",
        )
