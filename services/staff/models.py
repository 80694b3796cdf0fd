"""The staff directory: who works here, in which department, with which roles."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import service_base
from kit.types import UtcDateTime

Base = service_base()


class Staff(Base):
    __tablename__ = "staff"
    staff_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    mobile: Mapped[str] = mapped_column(sa.String(20))
    department: Mapped[str] = mapped_column(sa.String(40))
    roles: Mapped[list] = mapped_column(sa.JSON)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)
    updated_by: Mapped[str | None] = mapped_column(sa.String(40))


class SignInAttempt(Base):
    """Each sign-in tried, by account and address: what throttles and locks out guessing (issue 12, item 4)."""

    __tablename__ = "sign_in_attempts"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(10))  # ok | failed | locked
    at = mapped_column(UtcDateTime, nullable=False)
