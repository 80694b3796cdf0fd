"""The price list's versions: the maker's parts price file read (CSV or XLSX rows), a version checked before
it is published by another person than the one who prepared it, and two versions compared (diff)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from kit.errors import DomainError
from kit.i18n import N_

from .money import exact_fen

MAX_ROWS = 20000
HEADERS = {
    "part_no": ("part_no", "零件号", "配件编号"),
    "name": ("name", "名称", "零件名称"),
    "unit_price": ("unit_price", "零售价", "价格"),
}


def parts_from_rows(rows: list[list]) -> list[dict]:
    """Rows of the price file (first row the header: part_no,name,unit_price or 零件号,名称,零售价) as parts;
    a row with a bad price (not a number, more than two decimals, negative) is refused naming its row."""
    if not rows:
        raise DomainError(N_("The price file is empty"), field="file")
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    columns = {}
    for key, names in HEADERS.items():
        found = [i for i, cell in enumerate(header) if cell in names]
        if not found:
            raise DomainError(N_("The price file has no column {column}"), field="file", column=key)
        columns[key] = found[0]
    if len(rows) - 1 > MAX_ROWS:
        raise DomainError(N_("The price file has more than {max} rows"), field="file", max=MAX_ROWS)
    parts, seen = [], set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(str(cell or "").strip() for cell in row):
            continue
        cells = {key: str(row[i] if i < len(row) and row[i] is not None else "").strip() for key, i in columns.items()}
        if not cells["part_no"] or len(cells["part_no"]) > 40 or not cells["name"] or len(cells["name"]) > 120:
            raise DomainError(
                N_("Row {row} of the price file: part number and name are required"), field="file", row=number
            )
        try:
            price = exact_fen(cells["unit_price"], field="file")
        except DomainError:
            raise DomainError(
                N_("Row {row} of the price file: the price is not an amount in yuan"), field="file", row=number
            ) from None
        if cells["part_no"] in seen:
            raise DomainError(
                N_("Row {row} of the price file: part {part_no} appears twice"),
                field="file",
                row=number,
                part_no=cells["part_no"],
            )
        seen.add(cells["part_no"])
        parts.append({"part_no": cells["part_no"], "name": cells["name"], "unit_price": price})
    return parts


def check_version(version: str, labour_rate, vat_rate) -> tuple[Decimal, Decimal]:
    if not version or len(version) > 40:
        raise DomainError(N_("Give the version (at most 40 characters)"), field="version")
    rate = exact_fen(labour_rate, field="labour_rate")
    try:
        vat = Decimal(str(vat_rate))
    except InvalidOperation:
        raise DomainError(N_("The VAT rate must be between 0 and 1"), field="vat_rate") from None
    if not vat.is_finite() or not Decimal("0") <= vat < Decimal("1") or vat.as_tuple().exponent < -4:
        raise DomainError(N_("The VAT rate must be between 0 and 1"), field="vat_rate")
    return rate, vat


def check_publisher(prepared_by: str, publisher: str, already: str | None) -> None:
    """Two people: the one who prepared a version does not publish it."""
    if already:
        raise DomainError(N_("This version has already been published"), code="already_published")
    if prepared_by == publisher:
        raise DomainError(
            N_("A price list version is published by another person than the one who prepared it"),
            field="published_by",
            code="same_person",
        )


def diff(old: dict, new: dict) -> dict:
    """Two versions compared: labour rate and VAT, and each labour operation or part added, removed or changed."""

    def table(version: dict, kind: str, key: str, value: str) -> dict:
        return {row[key]: row for row in version.get(kind, [])}

    out = {"labour_rate": (old["labour_rate"], new["labour_rate"]), "vat_rate": (old["vat_rate"], new["vat_rate"])}
    for kind, key, value in (("parts", "part_no", "unit_price"), ("labour_operations", "code", "standard_hours")):
        before, after = table(old, kind, key, value), table(new, kind, key, value)
        out[kind] = {
            "added": [after[k] for k in sorted(set(after) - set(before))],
            "removed": [before[k] for k in sorted(set(before) - set(after))],
            "changed": [
                {key: k, "name": after[k]["name"], "before": before[k][value], "after": after[k][value]}
                for k in sorted(set(before) & set(after))
                if Decimal(str(before[k][value])) != Decimal(str(after[k][value]))
            ],
        }
    return out
