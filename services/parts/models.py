"""Parts' own tables: parts master, stock by location, shelf reservations, issues and the stock ledger."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import service_base
from kit.types import Quantity, UtcDateTime

Base = service_base()

MAIN = "MAIN"  # the warehouse
APPOINTMENT_SHELF = "APPT-SHELF"  # 预约备件货架 (R-BK-6)


class Part(Base):
    __tablename__ = "parts"
    part_no: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    lead_time_days: Mapped[int] = mapped_column(default=3)


class StockLevel(Base):
    __tablename__ = "stock_levels"
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"), primary_key=True)
    location: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    quantity = mapped_column(Quantity, nullable=False)


class Reservation(Base):
    """Parts set aside on the appointment shelf for one visit."""

    __tablename__ = "reservations"
    reservation_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    appointment_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    visit_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"))
    quantity = mapped_column(Quantity, nullable=False)  # still on the shelf
    status: Mapped[str] = mapped_column(sa.String(16), default="reserved")  # reserved | issued | released
    reserved_at = mapped_column(UtcDateTime, nullable=False)


class IssueLine(Base):
    """A part handed to a technician against one line of a signed order (R-WS-2)."""

    __tablename__ = "issue_lines"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_version: Mapped[int]
    visit_id: Mapped[str] = mapped_column(sa.String(40))
    line_no: Mapped[int]
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"))
    quantity = mapped_column(Quantity, nullable=False)
    from_location: Mapped[str] = mapped_column(sa.String(20))
    technician_id: Mapped[str] = mapped_column(sa.String(40))
    issued_at = mapped_column(UtcDateTime, nullable=False)


class StockMove(Base):
    """The stock ledger: every movement, with what caused it."""

    __tablename__ = "stock_moves"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    part_no: Mapped[str] = mapped_column(sa.ForeignKey("parts.part_no"))
    from_location: Mapped[str | None] = mapped_column(sa.String(20))
    to_location: Mapped[str | None] = mapped_column(sa.String(20))  # None: left stock (issued to a job)
    quantity = mapped_column(Quantity, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(40))
    reference: Mapped[str] = mapped_column(sa.String(80))
    moved_at = mapped_column(UtcDateTime, nullable=False)


class CancelledAppointment(Base):
    """Appointments booking has cancelled; a late `appointment_booked` for one of them changes nothing."""

    __tablename__ = "cancelled_appointments"
    appointment_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    cancelled_at = mapped_column(UtcDateTime, nullable=False)
