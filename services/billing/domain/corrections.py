"""Putting a blocked invoice right (R-BL-1): an amendment the customer consents to (through reception), or a
manager's adjustment: waive line-level variances and/or give a discount, within the role's discount limit
(a setting), always with a reason. Every correction goes to the invoice's audit trail."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from kit.errors import DomainError
from kit.i18n import N_

from .money import ZERO, exact_fen

# BILLING_DISCOUNT_LIMITS: role -> the largest share of the bill (before VAT) that role may give away
DEFAULT_DISCOUNT_LIMITS = {"service_manager": Decimal("0.10")}


def discount_limits(setting: str | None) -> dict[str, Decimal]:
    """ "service_manager=0.10,service_advisor=0.03" -> {role: share}; the default when unset."""
    if not setting:
        return dict(DEFAULT_DISCOUNT_LIMITS)
    limits = {}
    for item in filter(None, (part.strip() for part in setting.split(","))):
        role, _, share = item.partition("=")
        try:
            value = Decimal(share.strip())
        except InvalidOperation:
            raise ValueError(f"BILLING_DISCOUNT_LIMITS: {item!r} is not role=share") from None
        if not Decimal("0") <= value <= Decimal("1"):
            raise ValueError(f"BILLING_DISCOUNT_LIMITS: {item!r} is outside 0..1")
        limits[role.strip()] = value
    return limits


def limit_for(roles, limits: dict[str, Decimal]) -> Decimal:
    """The largest limit among the staff member's roles (0 for a role without one)."""
    return max((limits.get(role, Decimal("0")) for role in roles), default=Decimal("0"))


def check_adjustment(
    *, discount, waived_value: Decimal, gross: Decimal, limit: Decimal, reason: str, variances: list[dict], waive
) -> Decimal:
    """The adjustment is allowed: the keys waived are variances of this invoice, the discount is exact to the
    fen, a reason is given, and the discount plus the list value of the waived variances is within
    `limit` × the bill before corrections (`gross`). Returns the discount."""
    amount = exact_fen(discount if discount not in (None, "") else "0", field="discount")
    if not reason or not reason.strip():
        raise DomainError(N_("Give the reason for the adjustment"), field="reason", code="reason_needed")
    known = {v["key"] for v in variances}
    unknown = sorted(set(waive) - known)
    if unknown:
        raise DomainError(
            N_("{keys} is not a variance of this invoice"), field="waive", code="unknown_variance", keys=unknown[0]
        )
    if amount == ZERO and not waive:
        raise DomainError(N_("The adjustment changes nothing"), field="discount", code="empty_adjustment")
    allowed = (gross * limit).quantize(Decimal("0.01"))
    if amount + waived_value > allowed:
        raise DomainError(
            N_("A discount of {amount} is above your limit of {allowed} for this invoice"),
            field="discount",
            code="over_limit",
            amount=amount + waived_value,
            allowed=allowed,
        )
    return amount
