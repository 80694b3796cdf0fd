"""The figures table as CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl), headed in the reader's language."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from kit.i18n import N_, translate

from ..domain import figures as rules


def _header(figures: dict, locale: str) -> list[str]:
    titles = [
        translate(title, locale) + (" (%)" if name in rules.RATE_COLUMNS else "") for name, title in rules.TABLE_COLUMNS
    ]
    complaint = translate(N_("Complaints"), locale)
    return titles + [
        f"{complaint}: {translate(rules.CAUSE_TITLES.get(c, c), locale)}" for c in rules.table_causes(figures)
    ]


def _cells(figures: dict, locale: str) -> list[list]:
    rows = rules.table_rows(figures)
    basis = [name for name, _ in rules.TABLE_COLUMNS].index("satisfaction_basis")
    for row in rows:
        if row[0] == rules.GROUP:
            row[0] = translate(N_("Group"), locale)
        if row[basis] is not None:
            row[basis] = translate(rules.BASIS_TITLES.get(row[basis], row[basis]), locale)
    return rows


def csv_bytes(figures: dict, locale: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header(figures, locale))
    for row in _cells(figures, locale):
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(figures: dict, locale: str, period: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "HQ"
    sheet.append([translate(N_("Period"), locale), period])
    sheet.append(_header(figures, locale))
    for row in _cells(figures, locale):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    days = sheet.parent.create_sheet(translate(N_("Visits per day"), locale))
    dealers = list(figures)
    days.append(
        [translate(N_("Day"), locale)] + [translate(N_("Group"), locale) if d == rules.GROUP else d for d in dealers]
    )
    for day in sorted(figures[rules.GROUP].visits_by_day):
        days.append([day.isoformat()] + [figures[d].visits_by_day.get(day, 0) for d in dealers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
