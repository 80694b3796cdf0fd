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
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())  # staff_changed (active)


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
    # the floor (issue: dispatch, stock-outs, comebacks, forecast)
    vin: Mapped[str | None] = mapped_column(sa.String(17), index=True)
    mileage_km: Mapped[int | None]
    concerns: Mapped[list | None] = mapped_column(sa.JSON)  # labour codes and symptom codes (comebacks)
    comeback_of: Mapped[str | None] = mapped_column(sa.String(40))  # the first order of the same concern
    team_leader: Mapped[str | None] = mapped_column(sa.String(40))  # R-WS-1 team mode: the advisor leading it
    waiting_parts: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    parts_expected_on = mapped_column(sa.Date, nullable=True)
    at_risk_told: Mapped[str | None] = mapped_column(sa.String(80))  # the last order_at_risk sent (reason:time)


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
    # dispatch and the job clock (R-WS-1, R-WS-2, R-WS-6)
    bay_id: Mapped[str | None] = mapped_column(sa.String(20))
    planned_start = mapped_column(UtcDateTime, nullable=True)
    planned_end = mapped_column(UtcDateTime, nullable=True)
    clock: Mapped[str] = mapped_column(sa.String(12), default="assigned", server_default="assigned")
    pause_reason: Mapped[str | None] = mapped_column(sa.String(20))
    self_check: Mapped[dict | None] = mapped_column(sa.JSON)
    repair_report: Mapped[dict | None] = mapped_column(sa.JSON)  # {"concern", "cause", "correction"}
    signature: Mapped[str | None] = mapped_column(sa.Text)  # the technician's signature (PNG data URL)
    signed_by: Mapped[str | None] = mapped_column(sa.String(40))
    reworks: Mapped[int] = mapped_column(default=0, server_default="0")


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
    # the inspection to the written standard (R-QC-1..4)
    items: Mapped[dict | None] = mapped_column(sa.JSON)
    road_test: Mapped[dict | None] = mapped_column(sa.JSON)
    wear: Mapped[list | None] = mapped_column(sa.JSON)
    deferred_work: Mapped[list | None] = mapped_column(sa.JSON)
    washed: Mapped[bool | None]
    finished_bay: Mapped[str | None] = mapped_column(sa.String(20))


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
    """One row per planned day: every change of the load updates the rows of its days first, in date order, which
    serialises the changes touching the same day (handlers/capacity.py; `holds` counts them)."""

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

    __table_args__ = (sa.Index("ix_capacity_holds_status_expires_at", "status", "expires_at"),)  # lapsed holds


class CapacityChunk(Base):
    """Minutes of one skill's work in one clock hour, taken by a hold (deleted when it is released)."""

    __tablename__ = "capacity_chunks"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    appointment_id: Mapped[str] = mapped_column(sa.ForeignKey("capacity_holds.appointment_id"), index=True)
    hour = mapped_column(UtcDateTime, nullable=False, index=True)
    skill: Mapped[str] = mapped_column(sa.String(20))
    minutes: Mapped[int]


class CapacityLoad(Base):
    """Minutes taken in one clock hour from one resource (a skill, "technicians", "bays") by the chunks of every
    held or confirmed hold: changed in the same transaction as the chunks (handlers/load_table.py `write_plan`), so
    a hold or a promise reads the hours it needs instead of summing every chunk of the window."""

    __tablename__ = "capacity_load"
    hour = mapped_column(UtcDateTime, primary_key=True)
    resource: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    minutes: Mapped[int] = mapped_column(default=0)


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


# --- the floor: job clock, expert help, non-conformances, alerts, staff (services/workshop/handlers/floor.py …) -----


class JobInterval(Base):
    """One stretch of clocked work on a job (start/resume -> pause/finish)."""

    __tablename__ = "job_intervals"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    line_no: Mapped[int]
    technician_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    started_at = mapped_column(UtcDateTime, nullable=False)
    ended_at = mapped_column(UtcDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))  # a pause reason, or "finish"


class ClockCorrection(Base):
    """R-WS-2: the foreman's correction of a job clock, with the reason (also in the audit trail)."""

    __tablename__ = "clock_corrections"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    line_no: Mapped[int]
    minutes: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.String(200))
    corrected_by: Mapped[str] = mapped_column(sa.String(40))
    corrected_at = mapped_column(UtcDateTime, nullable=False)


class HelpTicket(Base):
    """R-WS-4: a technician's question to the expert on duty, on a job; the record stays on the order."""

    __tablename__ = "help_tickets"
    ticket_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    line_no: Mapped[int]
    asked_by: Mapped[str] = mapped_column(sa.String(40))
    question: Mapped[str] = mapped_column(sa.Text)
    asked_at = mapped_column(UtcDateTime, nullable=False)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_by: Mapped[str | None] = mapped_column(sa.String(40))
    answered_at = mapped_column(UtcDateTime, nullable=True)
    alerted_at = mapped_column(UtcDateTime, nullable=True)  # the service manager was alerted (late)


class HelpPhoto(Base):
    __tablename__ = "help_photos"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(sa.ForeignKey("help_tickets.ticket_id"), index=True)
    content_type: Mapped[str] = mapped_column(sa.String(20))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)


class NonConformance(Base):
    """R-QC-2: a failed inspection item on a job, sent back to the technician who did it."""

    __tablename__ = "non_conformances"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    check_id: Mapped[int] = mapped_column(sa.ForeignKey("quality_checks.id"), index=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    line_no: Mapped[int]
    item: Mapped[str] = mapped_column(sa.String(80))
    cause: Mapped[str] = mapped_column(sa.String(500))
    technician_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    created_at = mapped_column(UtcDateTime, nullable=False)


class ManagerAlert(Base):
    """What the service manager must look at: an expert ticket unanswered past its target (R-WS-4)."""

    __tablename__ = "manager_alerts"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    subject_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_id: Mapped[str] = mapped_column(sa.String(40))
    created_at = mapped_column(UtcDateTime, nullable=False)


class FloorStaff(Base):
    """The workshop's people as the staff directory publishes them (staff_registered / staff_changed)."""

    __tablename__ = "floor_staff"
    staff_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    roles: Mapped[list] = mapped_column(sa.JSON)
    active: Mapped[bool]
