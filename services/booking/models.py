"""Booking's own tables: the customer file 客户档案, appointments, calls, preparation and confirmations."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from kit.db import service_base
from kit.price_list import PriceListCopyColumns
from kit.types import UtcDateTime

from .domain.customers import name_key

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
    birthday = mapped_column(sa.Date, nullable=True)  # R-CR-3: birthday greetings
    preferred_advisor_id: Mapped[str | None] = mapped_column(sa.String(40))  # proposed first when booking
    pinyin: Mapped[str] = mapped_column(sa.String(200), default="", server_default="", index=True)

    @validates("name")
    def _keep_pinyin(self, _key, name):
        # search by pinyin: "zhangsan zs" finds 张三 whether the desk types the full pinyin or the initials
        self.pinyin = name_key(name)
        return name


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
    status: Mapped[str] = mapped_column(sa.String(16), default="booked")  # booked | cancelled | no_show
    cancelled_at = mapped_column(UtcDateTime, nullable=True)
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    parts_status: Mapped[str] = mapped_column(sa.String(16), default="pending")  # pending | reserved | short
    parts_short: Mapped[list] = mapped_column(sa.JSON, default=list)
    booked_by: Mapped[str | None] = mapped_column(sa.String(40))
    booked_at = mapped_column(UtcDateTime, nullable=False)


class MileageReading(Base):
    """An odometer reading with its date (from a call, the desk, or a delivery): each car's own km per day."""

    __tablename__ = "mileage_readings"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    vin: Mapped[str] = mapped_column(sa.ForeignKey("vehicles.vin"), index=True)
    read_on = mapped_column(sa.Date, nullable=False)
    mileage_km: Mapped[int]
    source: Mapped[str] = mapped_column(sa.String(16))  # call | desk
    recorded_by: Mapped[str | None] = mapped_column(sa.String(40))
    recorded_at = mapped_column(UtcDateTime, nullable=False)


class Call(Base):
    """A booking call: proactive (we call a customer who is due, R-BK-1) or inbound (they call us, R-BK-2)."""

    __tablename__ = "calls"
    call_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(12), index=True)  # proactive | inbound
    customer_id: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    vin: Mapped[str | None] = mapped_column(sa.String(17), index=True)
    caller: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # inbound: name, mobile, plate as given
    words: Mapped[str] = mapped_column(sa.Text, default="")  # inbound: the fault in the customer's own words
    due_items: Mapped[list] = mapped_column(sa.JSON, default=list)  # proactive: what is due and why
    suggestions: Mapped[list] = mapped_column(sa.JSON, default=list)  # inbound: knowledge base, priced
    price_list_version: Mapped[str | None] = mapped_column(sa.String(40))
    # open | booked | declined | call_back | unreachable (the latest outcome)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    call_back_at = mapped_column(UtcDateTime, nullable=True)
    appointment_id: Mapped[str | None] = mapped_column(sa.String(40))
    created_by: Mapped[str | None] = mapped_column(sa.String(40))
    created_at = mapped_column(UtcDateTime, nullable=False)


class CallOutcome(Base):
    """Every outcome of every call, kept (who, when, note)."""

    __tablename__ = "call_outcomes"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(sa.ForeignKey("calls.call_id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    call_back_at = mapped_column(UtcDateTime, nullable=True)
    appointment_id: Mapped[str | None] = mapped_column(sa.String(40))
    by: Mapped[str | None] = mapped_column(sa.String(40))
    at = mapped_column(UtcDateTime, nullable=False)


class PriceListCopy(PriceListCopyColumns, Base):
    """Billing's published price list as booking last heard it (price_list_published): phone estimates."""


class PreparationItem(Base):
    """One line of an appointment's preparation checklist (R-BK-6), ticked by the advisor or by the system."""

    __tablename__ = "preparation_items"
    appointment_id: Mapped[str] = mapped_column(sa.ForeignKey("appointments.appointment_id"), primary_key=True)
    item: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    done: Mapped[bool] = mapped_column(default=False)
    auto: Mapped[bool] = mapped_column(default=False)  # ticked by the system (parts on the shelf)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    done_by: Mapped[str | None] = mapped_column(sa.String(40))
    done_at = mapped_column(UtcDateTime, nullable=True)


class ConfirmationTask(Base):
    """R-BK-7: confirm the day before and one hour before; unanswered by `answer_by`, it escalates."""

    __tablename__ = "confirmation_tasks"
    task_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    appointment_id: Mapped[str] = mapped_column(sa.ForeignKey("appointments.appointment_id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # day_before | hour_before
    for_starts_at = mapped_column(UtcDateTime, nullable=False)  # the appointment time it confirms
    due_at = mapped_column(UtcDateTime, nullable=False, index=True)
    answer_by = mapped_column(UtcDateTime, nullable=False, index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")  # open | confirmed | cannot_come | void
    attempts: Mapped[list] = mapped_column(sa.JSON, default=list)  # every outcome: {"outcome", "by", "at", "note"}
    answered_by: Mapped[str | None] = mapped_column(sa.String(40))
    answered_at = mapped_column(UtcDateTime, nullable=True)
    escalated_at = mapped_column(UtcDateTime, nullable=True)
