"""Pay types (R-RC-5): the customer, the maker's warranty 保修 or the dealership itself (internal) pays a line.
The order's pay type is every line's default; the warranty assessor moves lines to warranty. An order that
mixes pay types is settled as one invoice per payer."""

from __future__ import annotations

from decimal import Decimal

from kit.errors import DomainError
from kit.i18n import N_

from .money import ZERO, split_totals

PAYERS = ("customer", "warranty", "internal")


def payer_of(line: dict, assigned: dict, default: str) -> str:
    return assigned.get(str(line["line_no"]), default)


def split_by_payer(lines: list[dict], assigned: dict, default: str, vat_rate: Decimal, discount=ZERO) -> dict:
    """{payer: {"lines", "labour", "materials", "discount", "subtotal", "vat", "total"}} for each payer that has
    a line; the discount (a concession to the customer) goes on the customer's invoice only."""
    bills = {}
    for payer in PAYERS:
        own = [line for line in lines if payer_of(line, assigned, default) == payer]
        if own:
            bills[payer] = {"lines": own, **split_totals(own, vat_rate, discount if payer == "customer" else ZERO)}
    return bills


def check_assignment(line_nos: set[int], line_no, payer: str) -> None:
    if not str(line_no).isdigit() or int(line_no) not in line_nos:
        raise DomainError(N_("Line {line_no} is not on this invoice"), field="line_no", line_no=str(line_no)[:6])
    if payer not in PAYERS:
        raise DomainError(N_("Choose who pays: customer, warranty or internal"), field="pay_type")


WARRANTY_CLAIM_FIELDS = ("vin", "mileage_km", "failure_code", "labour", "parts", "old_part_kept")


def warranty_claim(vin: str, mileage_km: int, failure_code: str, lines: list[dict]) -> dict:
    """The maker's warranty claim for the warranty lines: VIN, mileage, failure code, labour, parts, and the
    old parts kept for the maker (kept_for_warranty at delivery)."""
    if not failure_code or not 2 <= len(failure_code.strip()) <= 20:
        raise DomainError(N_("Give the maker's failure code (2 to 20 characters)"), field="failure_code")
    return {
        "vin": vin,
        "mileage_km": mileage_km,
        "failure_code": failure_code.strip(),
        "labour": [{"code": line["code"], "hours": line["quantity"]} for line in lines if line["kind"] == "labour"],
        "parts": [
            {"part_no": line["code"], "quantity": line["quantity"]} for line in lines if line["kind"] != "labour"
        ],
        "old_part_kept": True,
    }
