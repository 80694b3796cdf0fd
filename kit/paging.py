"""Paged, searchable lists for every department table (`?q=...&page=2`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self, key: str) -> dict:
        return {key: self.items, "page": self.page, "per_page": self.per_page, "total": self.total, "pages": self.pages}


def page_args(args) -> tuple[int, int, str]:
    """(page, per_page, search text) from a request's query string, clamped to sane values."""
    try:
        page = max(1, int(args.get("page", 1)))
        per_page = min(MAX_PER_PAGE, max(1, int(args.get("per_page", PER_PAGE))))
    except ValueError:
        page, per_page = 1, PER_PAGE
    return page, per_page, (args.get("q") or "").strip()


def paginate(session, query: sa.Select, page: int, per_page: int, view=lambda row: row) -> Page:
    """A page of `query` and the total. The total is counted only when the page cannot tell it: a page that
    is not full, read from the first row on or with at least one row, ends the list (most lists a visit reads
    are one short page)."""
    offset = (page - 1) * per_page
    rows = session.execute(query.limit(per_page).offset(offset)).all()
    if len(rows) < per_page and (rows or offset == 0):
        total = offset + len(rows)
    else:
        total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    return Page([view(*row) for row in rows], page, per_page, total)


def contains(text: str, *columns) -> sa.ColumnElement[bool]:
    """Case-insensitive 'any of these columns contains the text' (plate, name, mobile, number...)."""
    pattern = f"%{text}%"
    return sa.or_(*(sa.cast(column, sa.String).ilike(pattern) for column in columns))
