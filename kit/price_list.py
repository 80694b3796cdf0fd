"""A service's own copy of billing's published price list (`price_list_published`), so that it prices while
billing is away: booking (phone estimates, R-BK-2) and reception (orders, R-RC-5) keep one the same way.

    class PriceListCopy(PriceListCopyColumns, Base):     # services/<svc>/models.py
        \"\"\"Billing's published price list as <svc> last heard it.\"\"\"

    price_list.take(uow, event, PriceListCopy)           # the price_list_published handler
    price_list.current(session, PriceListCopy)           # the PriceBook in force, or None
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from contracts.envelope import Envelope
from contracts.pricing import PriceBook

from .types import Money, Quantity, UtcDateTime


class PriceListCopyColumns:
    """The columns of a copy (one row per published version); mixed into each service's own model."""

    __tablename__ = "price_list_copies"
    version: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    effective_from = mapped_column(UtcDateTime, nullable=False)
    labour_rate = mapped_column(Money, nullable=False)
    vat_rate = mapped_column(Quantity, nullable=False)
    labour: Mapped[dict] = mapped_column(sa.JSON)  # code -> {"name", "standard_hours"}
    parts: Mapped[dict] = mapped_column(sa.JSON)  # part_no -> {"name", "unit_price"}


def take(uow, event: Envelope, model) -> None:
    """price_list_published -> a new row; a version already held is left as it is (versions are immutable)."""
    p = event.payload
    if uow.session.get(model, p["version"]) is not None:
        return
    uow.session.add(
        model(
            version=p["version"],
            effective_from=p["effective_from"],
            labour_rate=p["labour_rate"],
            vat_rate=p["vat_rate"],
            labour={
                op["code"]: {"name": op["name"], "standard_hours": str(op["standard_hours"])}
                for op in p["labour_operations"]
            },
            parts={
                part["part_no"]: {"name": part["name"], "unit_price": str(part["unit_price"])} for part in p["parts"]
            },
        )
    )


def book_of(copy) -> PriceBook:
    return PriceBook(
        version=copy.version,
        labour_rate=copy.labour_rate,
        vat_rate=Decimal(copy.vat_rate),
        labour={code: (v["name"], Decimal(v["standard_hours"])) for code, v in copy.labour.items()},
        parts={no: (v["name"], Decimal(v["unit_price"])) for no, v in copy.parts.items()},
    )


def current(session, model, now: datetime | None = None) -> PriceBook | None:
    """The newest published version (with `now`: the newest already in force), or None before the first."""
    query = sa.select(model).order_by(model.effective_from.desc())
    if now is not None:
        query = query.where(model.effective_from <= now)
    copy = session.scalars(query.limit(1)).first()
    return None if copy is None else book_of(copy)


def version(session, model, version: str) -> PriceBook | None:
    """One published version (the one an order was priced from), or None if it never arrived."""
    copy = session.get(model, version)
    return None if copy is None else book_of(copy)
