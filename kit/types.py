"""Column types: money as integer fen, quantities as exact decimal text, times always UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from . import clock as kit_clock

CENT = Decimal("0.01")


def yuan(value) -> Decimal:
    """Round to the fen, half up, as a Chinese invoice does."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


class Money(sa.types.TypeDecorator):
    """Decimal yuan in Python, integer fen in the database (no float anywhere)."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        fen = yuan(value) * 100
        return int(fen)

    def process_result_value(self, value, dialect):
        return None if value is None else (Decimal(value) / 100).quantize(CENT)


class Quantity(sa.types.TypeDecorator):
    """Exact decimal stored as text in plain notation (hours 0.5, litres 4.5, 1000 and never 1E+3)."""

    impl = sa.String(32)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else format(Decimal(str(value)).normalize(), "f")

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(format(Decimal(value), "f"))  # rows written as 1E+3 read as 1000


class UtcDateTime(sa.types.TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out (SQLite forgets the zone otherwise)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store times in UTC with their zone")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The kit clock's time (kit.clock.now), aware UTC."""
    return kit_clock.now()
