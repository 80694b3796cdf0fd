"""Workshop's own tables: technicians, bays, work orders as signed, jobs, parts requested and received, QC."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import service_base
from kit.types import Quantity, UtcDateTime

Base = service_base()


class Technician(Base):
    __tablename__ = "technicians"
    technician_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    skill: Mapped[str] = mapped_column(sa.String(40), default="机电")
    # capacity (services/workshop/domain/capacity.py): skills as codes, the shift (None: the workshop's hours)
    skills: Mapped[str] = mapped_column(sa.String(120), default="mechanical", server_default="mechanical")
    shift_starts = mapped_column(sa.Time, nullable=True)
    shift_ends = mapped_column(sa.Time, nullable=True)


class Bay(Base):
    __tablename__ = "bays"
    bay_id: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))


class WorkOrder(Base):
    __tablename__ = "work_orders"
    order_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    version: Mapped[int]
    visit_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    signed: Mapped[dict] = mapped_column(sa.JSON)  # the signed order as received (forwarded to parts)
    plate: Mapped[str] = mapped_column(sa.String(16))
    advisor_id: Mapped[str] = mapped_column(sa.String(40))
    promised_at = mapped_column(UtcDateTime, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(20), default="waiting_dispatch")
    technician_id: Mapped[str | None] = mapped_column(sa.ForeignKey("technicians.technician_id"))
    bay_id: Mapped[str | None] = mapped_column(sa.ForeignKey("bays.bay_id"))
    received_at = mapped_column(UtcDateTime, nullable=False)
    dispatched_at = mapped_column(UtcDateTime, nullable=True)
    dispatched_by: Mapped[str | None] = mapped_column(sa.String(40))
    ready_at = mapped_column(UtcDateTime, nullable=True)


class Job(Base):
    __tablename__ = "jobs"
    order_id: Mapped[str] = mapped_column(sa.ForeignKey("work_orders.order_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.String(120))
    hours = mapped_column(Quantity, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), default="waiting")  # waiting | in_progress | done
    technician_id: Mapped[str | None] = mapped_column(sa.String(40))
    finished_at = mapped_column(UtcDateTime, nullable=True)
    report: Mapped[str] = mapped_column(sa.Text, default="")


class PartsRequest(Base):
    __tablename__ = "parts_requests"
    request_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.ForeignKey("work_orders.order_id"), index=True)
    lines: Mapped[list] = mapped_column(sa.JSON)  # [{"line_no", "part_no", "quantity"}]
    requested_at = mapped_column(UtcDateTime, nullable=False)


class PartReceived(Base):
    __tablename__ = "parts_received"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    line_no: Mapped[int]
    part_no: Mapped[str] = mapped_column(sa.String(40))
    quantity = mapped_column(Quantity, nullable=False)


class QualityCheck(Base):
    __tablename__ = "quality_checks"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(sa.ForeignKey("work_orders.order_id"), index=True)
    inspector_id: Mapped[str] = mapped_column(sa.String(40))
    passed: Mapped[bool]
    findings: Mapped[str] = mapped_column(sa.Text, default="")
    checked_at = mapped_column(UtcDateTime, nullable=False)


# --- capacity (R-BK-4, R-BK-10, R-WS-7) -----------------------------------------------------------


class StandardHours(Base):
    """The published price list's standard hours per labour operation (price_list_published)."""

    __tablename__ = "standard_hours"
    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    hours = mapped_column(Quantity, nullable=False)
    price_list_version: Mapped[str] = mapped_column(sa.String(40))
    effective_from = mapped_column(UtcDateTime, nullable=False)


class CapacityDay(Base):
    """One row per planned day: a hold updates it first, which serialises holds touching the same day."""

    __tablename__ = "capacity_days"
    day = mapped_column(sa.Date, primary_key=True)
    holds: Mapped[int] = mapped_column(default=0)


class CapacityHold(Base):
    """Capacity held for an appointment: held (until expires_at) -> confirmed (appointment_booked) -> released."""

    __tablename__ = "capacity_holds"
    appointment_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    starts_at = mapped_column(UtcDateTime, nullable=False)
    labour: Mapped[list] = mapped_column(sa.JSON, default=list)
    needs: Mapped[list] = mapped_column(sa.JSON, default=list)  # [[skill, minutes], ...]
    status: Mapped[str] = mapped_column(sa.String(12), default="held")  # held | confirmed | released
    expires_at = mapped_column(UtcDateTime, nullable=True)
    finishes_at = mapped_column(UtcDateTime, nullable=True)
    over_capacity: Mapped[bool] = mapped_column(default=False)  # booked without a hold and no room was left
    created_at = mapped_column(UtcDateTime, nullable=False)
    updated_at = mapped_column(UtcDateTime, nullable=False)


class CapacityChunk(Base):
    """Minutes of one skill's work in one clock hour, taken by a hold (deleted when it is released)."""

    __tablename__ = "capacity_chunks"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    appointment_id: Mapped[str] = mapped_column(sa.ForeignKey("capacity_holds.appointment_id"), index=True)
    hour = mapped_column(UtcDateTime, nullable=False, index=True)
    skill: Mapped[str] = mapped_column(sa.String(20))
    minutes: Mapped[int]


# --- additional work (R-WS-3): services/workshop/handlers/additional_work.py ---------------------------------


class AdditionalWorkRequest(Base):
    """Work found on a job, reported to the advisor; nobody does it before the order is amended (R-WS-3)."""

    __tablename__ = "additional_work_requests"
    request_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.ForeignKey("work_orders.order_id"), index=True)
    order_version: Mapped[int]
    lines: Mapped[list] = mapped_column(sa.JSON)  # [{"kind", "code", "quantity", "note"}]
    reason: Mapped[str] = mapped_column(sa.Text)
    reported_by: Mapped[str] = mapped_column(sa.String(40))
    reported_at = mapped_column(UtcDateTime, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), default="requested")  # requested | amended | declined
    job_line_no: Mapped[int | None]  # the job it was found on
    answered_version: Mapped[int | None]


class TechnicianNotice(Base):
    """R-WS-3: the technician is told when the order was amended: the new jobs and parts, what was declined."""

    __tablename__ = "technician_notices"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    technician_id: Mapped[str | None] = mapped_column(sa.String(40), index=True)  # None: not dispatched yet
    version: Mapped[int]
    added: Mapped[list] = mapped_column(sa.JSON)  # [{"line_no", "kind", "code", "description"}]
    declined: Mapped[list] = mapped_column(sa.JSON)  # [{"kind", "code", "description"}]
    created_at = mapped_column(UtcDateTime, nullable=False)
