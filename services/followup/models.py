"""Follow-up's own tables: the people who call, and the calls."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import service_base
from kit.types import Money, UtcDateTime

Base = service_base()


class Caller(Base):
    """A follow-up agent 回访员 or service assistant 服务助理: never the advisor who served the car (R-FU-2)."""

    __tablename__ = "callers"
    staff_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[str] = mapped_column(sa.String(30))
    active: Mapped[bool] = mapped_column(default=True)


class FollowUpCall(Base):
    __tablename__ = "follow_up_calls"
    call_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    visit_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    invoice_id: Mapped[str] = mapped_column(sa.String(40))
    customer: Mapped[dict] = mapped_column(sa.JSON)
    vehicle: Mapped[dict] = mapped_column(sa.JSON)
    advisor_id: Mapped[str] = mapped_column(sa.String(40))
    total = mapped_column(Money, nullable=False)
    delivered_at = mapped_column(UtcDateTime, nullable=False)
    due_from = mapped_column(UtcDateTime, nullable=False)
    due_by = mapped_column(UtcDateTime, nullable=False)
    assigned_to: Mapped[str | None] = mapped_column(sa.ForeignKey("callers.staff_id"))
    status: Mapped[str] = mapped_column(sa.String(16), default="scheduled")  # scheduled | unassigned
