"""Booking's own tables: the customer file 客户档案 (thin for now) and appointments."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import service_base
from kit.types import UtcDateTime

Base = service_base()


class Customer(Base):
    __tablename__ = "customers"
    customer_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    mobile: Mapped[str] = mapped_column(sa.String(20), unique=True)
    email: Mapped[str | None] = mapped_column(sa.String(200))  # where confirmations go (kit.notify)
    salutation: Mapped[str] = mapped_column(
        sa.String(8), default="", server_default=""
    )  # 先生 / 女士, for the welcome board
    privacy: Mapped[str] = mapped_column(
        sa.String(10), default="surname", server_default="surname"
    )  # R-BK-9: full | surname | plate


class Vehicle(Base):
    __tablename__ = "vehicles"
    vin: Mapped[str] = mapped_column(sa.String(17), primary_key=True)
    plate: Mapped[str] = mapped_column(sa.String(16), index=True)
    model: Mapped[str] = mapped_column(sa.String(80), default="")
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.customer_id"))
    purchase_date = mapped_column(sa.Date, nullable=True)


class ServiceRecord(Base):
    """Service history of the customer file, fed by deliveries (vehicle_delivered)."""

    __tablename__ = "service_records"
    order_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    vin: Mapped[str] = mapped_column(sa.String(17), index=True)
    delivered_at = mapped_column(UtcDateTime, nullable=False)
    mileage_km: Mapped[int | None]
    labour_codes: Mapped[list] = mapped_column(sa.JSON, default=list)


class Appointment(Base):
    __tablename__ = "appointments"
    # One booked customer per advisor and reception slot, also when clerks book the same slot at once (R-BK-3).
    __table_args__ = (
        sa.Index(
            "uq_booked_slot",
            "advisor_id",
            "starts_at",
            unique=True,
            sqlite_where=sa.text("status = 'booked'"),
            postgresql_where=sa.text("status = 'booked'"),
        ),
    )
    appointment_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    visit_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    customer_id: Mapped[str] = mapped_column(sa.ForeignKey("customers.customer_id"))
    vin: Mapped[str] = mapped_column(sa.ForeignKey("vehicles.vin"))
    starts_at = mapped_column(UtcDateTime, nullable=False, index=True)
    advisor_id: Mapped[str] = mapped_column(sa.String(40))
    complaint: Mapped[str] = mapped_column(sa.Text, default="")
    planned_labour: Mapped[list] = mapped_column(sa.JSON, default=list)
    planned_parts: Mapped[list] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default="booked")  # booked | cancelled
    cancelled_at = mapped_column(UtcDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    parts_status: Mapped[str] = mapped_column(sa.String(16), default="pending")  # pending | reserved | short
    parts_short: Mapped[list] = mapped_column(sa.JSON, default=list)
    booked_by: Mapped[str | None] = mapped_column(sa.String(40))
    booked_at = mapped_column(UtcDateTime, nullable=False)
