"""Reception's own tables: expected arrivals, visits, work orders and their signed versions."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kit.db import service_base
from kit.price_list import PriceListCopyColumns
from kit.types import Money, UtcDateTime

Base = service_base()


class PriceListCopy(PriceListCopyColumns, Base):
    """Billing's published price list as reception last heard it (price_list_published)."""


class ExpectedArrival(Base):
    __tablename__ = "expected_arrivals"
    appointment_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    visit_id: Mapped[str] = mapped_column(sa.String(40), unique=True)
    plate: Mapped[str] = mapped_column(sa.String(16), index=True)
    customer: Mapped[dict] = mapped_column(sa.JSON)
    vehicle: Mapped[dict] = mapped_column(sa.JSON)
    starts_at = mapped_column(UtcDateTime, nullable=False)
    advisor_id: Mapped[str] = mapped_column(sa.String(40))
    complaint: Mapped[str] = mapped_column(sa.Text, default="")
    planned_labour: Mapped[list] = mapped_column(sa.JSON)
    planned_parts: Mapped[list] = mapped_column(sa.JSON)
    arrived: Mapped[bool] = mapped_column(default=False)


class Visit(Base):
    __tablename__ = "visits"
    visit_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    appointment_id: Mapped[str | None] = mapped_column(sa.String(40))
    plate: Mapped[str] = mapped_column(sa.String(16), index=True)
    customer: Mapped[dict] = mapped_column(sa.JSON)
    vehicle: Mapped[dict] = mapped_column(sa.JSON)
    advisor_id: Mapped[str] = mapped_column(sa.String(40))
    complaint: Mapped[str] = mapped_column(sa.Text, default="")
    checked_in_at = mapped_column(UtcDateTime, nullable=False)
    checked_in_by: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(16), default="checked_in")  # checked_in | order_signed
    # R-RC-8: the car waits in the pre-inspection area until it is taken onto a pre-inspection bay
    pre_inspection_started_at = mapped_column(UtcDateTime, nullable=True)
    pre_inspection_bay: Mapped[str | None] = mapped_column(sa.String(20))
    # R-RC-8: the bay the car is on now (NULL before and after): unique, so two cars never share a bay
    on_bay: Mapped[str | None] = mapped_column(sa.String(20))
    pre_inspection_left_at = mapped_column(UtcDateTime, nullable=True)
    # R-RC-8: the queue ticket 叫号牌 given at check-in, numbered per day in the dealership's time zone;
    # (day, number) is unique, so two advisors checking in at the same moment never hand out the same ticket
    ticket_day = mapped_column(sa.Date, nullable=True)
    ticket_no: Mapped[int | None]
    ticket_called_at = mapped_column(UtcDateTime, nullable=True)  # when the car was called onto a bay
    ticket_called_by: Mapped[str | None] = mapped_column(sa.String(40))

    __table_args__ = (
        sa.UniqueConstraint("ticket_day", "ticket_no", name="uq_visits_ticket"),
        sa.UniqueConstraint("on_bay", name="uq_visits_on_bay"),
    )


class MileageReading(Base):
    """Odometer readings taken at reception (from each signed order): the next one may not be lower."""

    __tablename__ = "mileage_readings"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    vin: Mapped[str] = mapped_column(sa.String(17), index=True)
    mileage_km: Mapped[int]
    read_at = mapped_column(UtcDateTime, nullable=False)
    order_id: Mapped[str] = mapped_column(sa.String(40))


class CongestionIncident(Base):
    """A congested pre-inspection area (R-RC-8): when, why, who was responsible, what was done."""

    __tablename__ = "congestion_incidents"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    raised_at = mapped_column(UtcDateTime, nullable=False)
    cause: Mapped[str] = mapped_column(sa.String(10))  # queue | wait
    waiting: Mapped[int]
    longest_wait_seconds: Mapped[int]
    cleared_at = mapped_column(UtcDateTime, nullable=True)
    responsible_id: Mapped[str | None] = mapped_column(sa.String(40))
    actions: Mapped[str] = mapped_column(sa.Text, default="", server_default="")  # the corrective action
    # R-RC-8: the service manager's review (services/reception/handlers/incidents.py): root cause from a list, and notes
    root_cause: Mapped[str | None] = mapped_column(sa.String(30))
    root_cause_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(40))
    reviewed_at = mapped_column(UtcDateTime, nullable=True)


class CongestionAction(Base):
    """R-RC-8: what the service manager did while the area was congested (one of the plan's two actions),
    who and when; at most once per action and incident."""

    __tablename__ = "congestion_actions"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(sa.ForeignKey("congestion_incidents.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))  # pre_inspection.ACTIONS
    note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    taken_by: Mapped[str] = mapped_column(sa.String(40))
    taken_at = mapped_column(UtcDateTime, nullable=False)

    __table_args__ = (sa.UniqueConstraint("incident_id", "action", name="uq_congestion_actions_incident_action"),)


class Order(Base):
    """The work order 维修委托书 being written; each signature freezes a version (OrderVersion)."""

    __tablename__ = "orders"
    order_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    visit_id: Mapped[str] = mapped_column(sa.ForeignKey("visits.visit_id"), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default="draft")  # draft | signed
    draft: Mapped[dict] = mapped_column(sa.JSON)
    signed_version: Mapped[int] = mapped_column(default=0)
    updated_at = mapped_column(UtcDateTime, nullable=False)


class OrderVersion(Base):
    __tablename__ = "order_versions"
    order_id: Mapped[str] = mapped_column(sa.ForeignKey("orders.order_id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    signed: Mapped[dict] = mapped_column(sa.JSON)  # {"order": body, "signature", "key_id"}
    signed_at = mapped_column(UtcDateTime, nullable=False)
    advisor_id: Mapped[str] = mapped_column(sa.String(40))


class CancelledAppointment(Base):
    """Appointments booking has cancelled; a late `appointment_booked` for one of them changes nothing."""

    __tablename__ = "cancelled_appointments"
    appointment_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    cancelled_at = mapped_column(UtcDateTime, nullable=False)


class ProgressNotice(Base):
    """R-PN-1 / R-WS-5: a progress notice the customer was sent (or, without an address, is to be phoned):
    one row per notice key, so a redelivered event or a second timer round sends nothing twice."""

    __tablename__ = "progress_notices"
    key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)  # e.g. "ready:<order_id>:1"
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # work_started | consent_needed | delay | ready
    channel: Mapped[str | None] = mapped_column(sa.String(20))  # None: no address, the advisor phones
    recipient: Mapped[str | None] = mapped_column(sa.String(200))
    created_at = mapped_column(UtcDateTime, nullable=False)
    # a notice without a channel is phoned by the advisor, who records it here
    phoned_at = mapped_column(UtcDateTime, nullable=True)
    phoned_by: Mapped[str | None] = mapped_column(sa.String(40))


class StaffName(Base):
    """The staff directory as reception last heard it (staff_registered / staff_changed): names for the
    printed order's advisor signature and the incident summary."""

    __tablename__ = "staff_names"
    staff_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))


# --- the write-up on the advisor's tablet (services/reception/handlers/walk_around.py, write_up.py) ------


class WalkAround(Base):
    """The walk-around sheet 环车检查单 of one visit (R-RC-1..3): covers, VIN, mileage, fuel, damage, checks."""

    __tablename__ = "walk_arounds"
    visit_id: Mapped[str] = mapped_column(sa.ForeignKey("visits.visit_id"), primary_key=True)
    covers: Mapped[dict] = mapped_column(sa.JSON)  # {"seat": "<UTC ISO time fitted>", …}
    covers_by: Mapped[str | None] = mapped_column(sa.String(40))
    sheet: Mapped[dict] = mapped_column(sa.JSON)  # see walk_around.empty_sheet()
    first_service: Mapped[bool] = mapped_column(default=False)
    completed_at = mapped_column(UtcDateTime, nullable=True)
    completed_by: Mapped[str | None] = mapped_column(sa.String(40))
    updated_at = mapped_column(UtcDateTime, nullable=False)


class OdometerChange(Base):
    """A service manager's confirmation that the car's odometer was changed (R-RC-2): readings before it no
    longer bound the next one."""

    __tablename__ = "odometer_changes"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    visit_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    vin: Mapped[str] = mapped_column(sa.String(17), index=True)
    previous_km: Mapped[int | None]
    reason: Mapped[str] = mapped_column(sa.Text)
    confirmed_by: Mapped[str] = mapped_column(sa.String(40))
    confirmed_at = mapped_column(UtcDateTime, nullable=False)


class WriteUp(Base):
    """What the advisor is writing for a visit besides the sheet: the customer's words apart from the
    diagnosis (R-RC-4), the requested jobs, the order's fields (R-RC-5..7)."""

    __tablename__ = "write_ups"
    visit_id: Mapped[str] = mapped_column(sa.ForeignKey("visits.visit_id"), primary_key=True)
    customer_words: Mapped[str] = mapped_column(sa.Text, default="")
    concern: Mapped[str] = mapped_column(sa.Text, default="")
    cause: Mapped[str] = mapped_column(sa.Text, default="")
    correction: Mapped[str] = mapped_column(sa.Text, default="")
    symptom_codes: Mapped[list] = mapped_column(sa.JSON, default=list)
    jobs: Mapped[list] = mapped_column(sa.JSON, default=list)  # requested lines [{"kind", "code", "quantity"}]
    pay_type: Mapped[str] = mapped_column(sa.String(12), default="customer")
    key_tag: Mapped[str | None] = mapped_column(sa.String(20))
    # the key tag while the visit is open: unique, so no two open visits share a tag (R-RC-7)
    open_key_tag: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    customer_waits: Mapped[bool | None] = mapped_column(nullable=True)
    closed_at = mapped_column(UtcDateTime, nullable=True)
    updated_at = mapped_column(UtcDateTime, nullable=False)


class Finding(Base):
    """A fault the customer had not noticed (R-RC-4), proposed as its own priced lines; the customer
    accepts (the lines join the order) or declines (recorded as declined, not on the quote)."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    visit_id: Mapped[str] = mapped_column(sa.ForeignKey("visits.visit_id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    jobs: Mapped[list] = mapped_column(sa.JSON)  # requested lines, priced when the order is written
    status: Mapped[str] = mapped_column(sa.String(10), default="proposed")  # proposed | accepted | declined
    proposed_by: Mapped[str | None] = mapped_column(sa.String(40))
    proposed_at = mapped_column(UtcDateTime, nullable=False)
    decided_at = mapped_column(UtcDateTime, nullable=True)
    recorded_by: Mapped[str | None] = mapped_column(sa.String(40))


# --- amendments (R-WS-3): domain/amendments.py, handlers/amendments.py ---------------------------------


class AdditionalWork(Base):
    """Work the workshop found on a job (additional_work_requested), waiting for the advisor and the customer."""

    __tablename__ = "additional_work"
    request_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    order_version: Mapped[int]
    visit_id: Mapped[str] = mapped_column(sa.String(40))
    plate: Mapped[str] = mapped_column(sa.String(16))
    lines: Mapped[list] = mapped_column(sa.JSON)  # as reported: [{"kind", "code", "quantity", "note"}]
    reason: Mapped[str] = mapped_column(sa.Text)
    reported_by: Mapped[str] = mapped_column(sa.String(40))
    reported_at = mapped_column(UtcDateTime, nullable=False)
    received_at = mapped_column(UtcDateTime, nullable=False)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")  # open | priced | answered
    amendment_id: Mapped[str | None] = mapped_column(sa.String(40))
    job_line_no: Mapped[int | None]  # the job it was found on


class Amendment(Base):
    """A change to a signed order, priced by the advisor; signed as a new version only after consent."""

    __tablename__ = "amendments"
    amendment_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.ForeignKey("orders.order_id"), index=True)
    request_id: Mapped[str | None] = mapped_column(sa.String(40))
    base_version: Mapped[int]
    lines: Mapped[list] = mapped_column(sa.JSON)  # proposed lines, priced, numbered after the base version's
    promised_at = mapped_column(UtcDateTime, nullable=True)  # the advisor's own estimate, if given
    status: Mapped[str] = mapped_column(sa.String(20), default="awaiting_consent")  # | signed | declined
    priced_by: Mapped[str | None] = mapped_column(sa.String(40))
    priced_at = mapped_column(UtcDateTime, nullable=False)
    accepted: Mapped[list] = mapped_column(sa.JSON, default=list)  # proposed line numbers
    declined: Mapped[list] = mapped_column(sa.JSON, default=list)
    consent: Mapped[dict | None] = mapped_column(sa.JSON)
    new_version: Mapped[int | None]
    answered_at = mapped_column(UtcDateTime, nullable=True)


class ConsentRequest(Base):
    """R-PN-1 hook: a change that needs the customer's consent. Reception writes one row per amendment when
    it is priced; the progress notices read the rows without `notified_at`, tell the customer and set it."""

    __tablename__ = "consent_requests"
    amendment_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    visit_id: Mapped[str] = mapped_column(sa.String(40))
    plate: Mapped[str] = mapped_column(sa.String(16))
    customer: Mapped[dict] = mapped_column(sa.JSON)  # {"name", "mobile", ...} as on the order
    summary: Mapped[str] = mapped_column(sa.Text)  # the items, in Chinese, as the customer is told
    added_total = mapped_column(Money, nullable=False)  # incl. VAT, if every item is accepted
    promised_at = mapped_column(UtcDateTime, nullable=False)  # the new estimate
    requested_at = mapped_column(UtcDateTime, nullable=False)
    answered_at = mapped_column(UtcDateTime, nullable=True)
    notified_at = mapped_column(UtcDateTime, nullable=True)


class SignatureCapture(Base):
    """A customer signature captured on the pad for one order version (or one amendment), by a staff member
    allowed to take it; used once, by the signing it was captured for (issue 12, item 1)."""

    __tablename__ = "signature_captures"
    capture_id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)  # the image, in the kit's signature store
    order_id: Mapped[str] = mapped_column(sa.String(40), index=True)
    version: Mapped[int]  # the version this signature agrees to
    amendment_id: Mapped[str | None] = mapped_column(sa.String(40))  # a change's consent, else the order itself
    captured_by: Mapped[str | None] = mapped_column(sa.String(40))
    captured_at = mapped_column(UtcDateTime, nullable=False)
    used_at = mapped_column(UtcDateTime, nullable=True)
