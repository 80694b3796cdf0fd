"""Follow-up's own tables: callers, calls and their attempts, complaints and their actions, and customer care
(the care file, its tasks and contact log, invitations, referrals)."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import service_base
from kit.types import Money, UtcDateTime

Base = service_base()


class Caller(Base):
    """A follow-up agent 回访员 or service assistant 服务助理: never the advisor who served the car (R-FU-2).

    Learnt from the staff directory's events; `active` false when the person left or no longer calls."""

    __tablename__ = "callers"
    staff_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    role: Mapped[str] = mapped_column(sa.String(30))
    active: Mapped[bool] = mapped_column(default=True)


class FollowUpCall(Base):
    __tablename__ = "follow_up_calls"
    # each delivery counts every caller's open calls (R-FU-2: the least loaded calls): by this index, not a scan of
    # every call ever made for each caller
    __table_args__ = (sa.Index("ix_follow_up_calls_assigned_to_status", "assigned_to", "status"),)
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
    # scheduled | unassigned | call_back | unreachable | done
    status: Mapped[str] = mapped_column(sa.String(16), default="scheduled")
    deadline = mapped_column(UtcDateTime, nullable=True)  # R-FU-1: 7 days after delivery
    labour_codes: Mapped[list | None] = mapped_column(sa.JSON, nullable=True)  # the work done, in brief
    outcome: Mapped[str | None] = mapped_column(sa.String(16), nullable=True)
    words: Mapped[str | None] = mapped_column(sa.Text, nullable=True)  # R-FU-4: in full
    answers: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)
    scores: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)
    call_back_at = mapped_column(UtcDateTime, nullable=True)
    completed_at = mapped_column(UtcDateTime, nullable=True)
    completed_by: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    escalated_at = mapped_column(UtcDateTime, nullable=True)  # overdue past day 7
    fallback: Mapped[str | None] = mapped_column(sa.String(12), nullable=True)  # sms | letter, once sent


class CallAttempt(Base):
    """Every attempt, reached or not (the retry ladder reads the unreachable ones)."""

    __tablename__ = "call_attempts"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    call_id: Mapped[str] = mapped_column(sa.ForeignKey("follow_up_calls.call_id"), index=True)
    at = mapped_column(UtcDateTime, nullable=False)
    by: Mapped[str] = mapped_column(sa.String(40))
    outcome: Mapped[str] = mapped_column(sa.String(16))


class Complaint(Base):
    """R-FU-5: classified by cause, routed to the department's manager, closed with the customer's agreement."""

    __tablename__ = "complaints"
    complaint_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    call_id: Mapped[str | None] = mapped_column(sa.String(40), nullable=True, index=True)
    order_id: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    customer: Mapped[dict] = mapped_column(sa.JSON)
    vehicle: Mapped[dict] = mapped_column(sa.JSON)
    advisor_id: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    cause: Mapped[str] = mapped_column(sa.String(20), index=True)
    department: Mapped[str] = mapped_column(sa.String(20))
    manager_id: Mapped[str] = mapped_column(sa.String(40))
    words: Mapped[str] = mapped_column(sa.Text)
    technical: Mapped[bool] = mapped_column(default=False)
    opened_at = mapped_column(UtcDateTime, nullable=False)
    recontact_by = mapped_column(UtcDateTime, nullable=False)
    recontacted_at = mapped_column(UtcDateTime, nullable=True)
    recontact_note: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    escalated_at = mapped_column(UtcDateTime, nullable=True)
    remedy: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    state: Mapped[str] = mapped_column(sa.String(12), default="open")  # open | recontacted | escalated | closed
    closed_at = mapped_column(UtcDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    agreement_note: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    booked_appointment: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)


class ComplaintAction(Base):
    __tablename__ = "complaint_actions"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    complaint_id: Mapped[str] = mapped_column(sa.ForeignKey("complaints.complaint_id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(12))  # remedy | preventive | corrective
    text: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str] = mapped_column(sa.String(40))
    due_on: Mapped[sa.Date] = mapped_column(sa.Date)
    done_at = mapped_column(UtcDateTime, nullable=True)
    created_at = mapped_column(UtcDateTime, nullable=False)


class CareCustomer(Base):
    """The care file 客户关怀档案 of an owner (keyed by mobile): consent-gated personal details, opted-out channels."""

    __tablename__ = "care_customers"
    customer_key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    mobile: Mapped[str] = mapped_column(sa.String(20))
    city: Mapped[str] = mapped_column(sa.String(40), default="", index=True)
    vin: Mapped[str] = mapped_column(sa.String(17), default="")
    plate: Mapped[str] = mapped_column(sa.String(16), default="")
    model: Mapped[str] = mapped_column(sa.String(60), default="")
    birthday: Mapped[sa.Date | None] = mapped_column(sa.Date, nullable=True)
    handed_over_at = mapped_column(UtcDateTime, nullable=True)
    salesperson: Mapped[str] = mapped_column(sa.String(40), default="")
    sales_manager: Mapped[str] = mapped_column(sa.String(40), default="")
    consent: Mapped[bool] = mapped_column(default=False)
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # R-CR-5: only with consent
    opted_out: Mapped[list] = mapped_column(sa.JSON, default=list)
    referred_by: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)  # R-CR-6


class CareTask(Base):
    """A care contact to make (R-CR-1..3), or a technician's callback on a technical question (R-FU-3)."""

    __tablename__ = "care_tasks"
    task_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    customer_key: Mapped[str] = mapped_column(sa.String(40), index=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    channel: Mapped[str] = mapped_column(sa.String(12), default="phone")
    owner: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    due_at = mapped_column(UtcDateTime, nullable=False, index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    about: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)  # the call it came from
    status: Mapped[str] = mapped_column(sa.String(12), default="open")  # open | done
    done_at = mapped_column(UtcDateTime, nullable=True)


class ContactLog(Base):
    """The survey log 回访记录: every care contact's result (R-CR-2, R-CR-5a)."""

    __tablename__ = "contact_log"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    customer_key: Mapped[str] = mapped_column(sa.String(40), index=True)
    task_id: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    at = mapped_column(UtcDateTime, nullable=False)
    by: Mapped[str] = mapped_column(sa.String(40))
    channel: Mapped[str] = mapped_column(sa.String(12))
    result: Mapped[str] = mapped_column(sa.Text)
    booked_appointment: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)


class Invitation(Base):
    """R-CR-5: invitations to free-check days, talks, the year-end party, with the customer's reply."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    event_name: Mapped[str] = mapped_column(sa.String(80))
    held_on: Mapped[sa.Date] = mapped_column(sa.Date)
    customer_key: Mapped[str] = mapped_column(sa.String(40), index=True)
    channel: Mapped[str] = mapped_column(sa.String(12))
    reply: Mapped[str] = mapped_column(sa.String(8), default="pending")  # pending | yes | no
    sent_at = mapped_column(UtcDateTime, nullable=False)


class Referral(Base):
    """R-CR-6: who introduced whom."""

    __tablename__ = "referrals"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    referrer_key: Mapped[str] = mapped_column(sa.String(40), index=True)
    referred_name: Mapped[str] = mapped_column(sa.String(80))
    referred_mobile: Mapped[str] = mapped_column(sa.String(20))
    at = mapped_column(UtcDateTime, nullable=False)
