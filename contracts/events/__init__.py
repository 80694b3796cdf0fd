"""One marshmallow schema per event payload, imported by producer and consumer alike, one module per producer.

Changes are additive; a breaking change is a new schema version registered beside the old
one (see registry.py), which consumers learn before producers send it.
"""

from .. import names
from .billing import (
    OLD_PART_FATES,
    InvoiceBlocked,
    LabourOperationSchema,
    OldPartFateSchema,
    OldPartsDecided,
    PartPriceSchema,
    PriceListPublished,
    VehicleDelivered,
)
from .booking import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentNoShow,
    AppointmentRescheduled,
    ConfirmationEscalated,
    PlannedPartSchema,
)
from .common import LINE_KINDS, CustomerSchema, VehicleSchema
from .orders import (
    AdditionalWorkDeclined,
    AmendsSchema,
    ComplaintSchema,
    ConsentSchema,
    DamageMarkSchema,
    DeclinedLineSchema,
    DeclinedWorkSchema,
    FindingNoteSchema,
    OdometerChangeSchema,
    OrderAmended,
    OrderLineSchema,
    OrderSchema,
    OrderSigned,
    PreInspectionCongested,
    SignedOrderSchema,
    WalkAroundSchema,
)
from .parts import (
    AllocatedLineSchema,
    BackorderedLineSchema,
    IssuedLineSchema,
    PartsBackordered,
    PartsIssued,
    PartsIssueRefused,
    PartsReceived,
    PartsReserved,
    PartsReturned,
    PartsShort,
    RefusedLineSchema,
    ReservedLineSchema,
    ReturnedLineSchema,
    ShortLineSchema,
)
from .staff import (
    CALL_OUTCOMES,
    COMPLAINT_CAUSES,
    REACHED_OUTCOMES,
    SCORED_DEPARTMENTS,
    CallScoresSchema,
    ComplaintClosed,
    ComplaintEscalated,
    ComplaintOpened,
    FollowupCallRecorded,
    FollowupOverdue,
    FollowupScheduled,
    SessionsRevoked,
    StaffChanged,
    StaffRecord,
    StaffRegistered,
)
from .workshop import (
    URGENCIES,
    AdditionalWorkRequested,
    DeferredWorkSchema,
    FoundWorkLineSchema,
    JobDoneSchema,
    NonConformanceSchema,
    OrderAtRisk,
    PartsRequested,
    PartUsedSchema,
    QcFailed,
    RequestedLineSchema,
    VehicleReady,
    WearSchema,
    WorkStarted,
)

__all__ = [
    "OLD_PART_FATES",
    "OldPartFateSchema",
    "OldPartsDecided",
    "AllocatedLineSchema",
    "BackorderedLineSchema",
    "PartsBackordered",
    "PartsReceived",
    "PartsReturned",
    "ReturnedLineSchema",
    "URGENCIES",
    "DeferredWorkSchema",
    "NonConformanceSchema",
    "OrderAtRisk",
    "QcFailed",
    "WearSchema",
    "AdditionalWorkDeclined",
    "AdditionalWorkRequested",
    "AmendsSchema",
    "AppointmentBooked",
    "AppointmentCancelled",
    "AppointmentNoShow",
    "AppointmentRescheduled",
    "ComplaintSchema",
    "ConfirmationEscalated",
    "ConsentSchema",
    "CustomerSchema",
    "DamageMarkSchema",
    "DeclinedLineSchema",
    "DeclinedWorkSchema",
    "FindingNoteSchema",
    "FollowupScheduled",
    "FollowupOverdue",
    "FollowupCallRecorded",
    "CallScoresSchema",
    "CALL_OUTCOMES",
    "REACHED_OUTCOMES",
    "SCORED_DEPARTMENTS",
    "ComplaintOpened",
    "ComplaintEscalated",
    "ComplaintClosed",
    "COMPLAINT_CAUSES",
    "FoundWorkLineSchema",
    "InvoiceBlocked",
    "IssuedLineSchema",
    "JobDoneSchema",
    "LINE_KINDS",
    "LabourOperationSchema",
    "OdometerChangeSchema",
    "OrderAmended",
    "OrderLineSchema",
    "OrderSchema",
    "OrderSigned",
    "PartPriceSchema",
    "PartUsedSchema",
    "PartsIssueRefused",
    "PartsIssued",
    "PartsRequested",
    "PartsReserved",
    "PartsShort",
    "PlannedPartSchema",
    "PreInspectionCongested",
    "PriceListPublished",
    "RefusedLineSchema",
    "RequestedLineSchema",
    "ReservedLineSchema",
    "ShortLineSchema",
    "SignedOrderSchema",
    "StaffChanged",
    "SessionsRevoked",
    "StaffRecord",
    "StaffRegistered",
    "VehicleDelivered",
    "VehicleReady",
    "VehicleSchema",
    "WalkAroundSchema",
    "WorkStarted",
    "EVENTS",
    "SUBSCRIPTIONS",
]

# (event type, schema version) -> (producing service, payload schema)
EVENTS = {
    (names.APPOINTMENT_BOOKED, 1): (names.BOOKING, AppointmentBooked),
    (names.APPOINTMENT_CANCELLED, 1): (names.BOOKING, AppointmentCancelled),
    (names.APPOINTMENT_RESCHEDULED, 1): (names.BOOKING, AppointmentRescheduled),
    (names.APPOINTMENT_NO_SHOW, 1): (names.BOOKING, AppointmentNoShow),
    (names.CONFIRMATION_ESCALATED, 1): (names.BOOKING, ConfirmationEscalated),
    (names.PARTS_RESERVED, 1): (names.PARTS, PartsReserved),
    (names.PARTS_SHORT, 1): (names.PARTS, PartsShort),
    (names.PRICE_LIST_PUBLISHED, 1): (names.BILLING, PriceListPublished),
    (names.ORDER_SIGNED, 1): (names.RECEPTION, OrderSigned),
    (names.ORDER_AMENDED, 1): (names.RECEPTION, OrderAmended),
    (names.ADDITIONAL_WORK_REQUESTED, 1): (names.WORKSHOP, AdditionalWorkRequested),
    (names.ADDITIONAL_WORK_DECLINED, 1): (names.RECEPTION, AdditionalWorkDeclined),
    (names.PRE_INSPECTION_CONGESTED, 1): (names.RECEPTION, PreInspectionCongested),
    (names.PARTS_REQUESTED, 1): (names.WORKSHOP, PartsRequested),
    (names.PARTS_ISSUED, 1): (names.PARTS, PartsIssued),
    (names.PARTS_ISSUE_REFUSED, 1): (names.PARTS, PartsIssueRefused),
    (names.PARTS_BACKORDERED, 1): (names.PARTS, PartsBackordered),
    (names.PARTS_RECEIVED, 1): (names.PARTS, PartsReceived),
    (names.PARTS_RETURNED, 1): (names.PARTS, PartsReturned),
    (names.QC_FAILED, 1): (names.WORKSHOP, QcFailed),
    (names.ORDER_AT_RISK, 1): (names.WORKSHOP, OrderAtRisk),
    (names.OLD_PARTS_DECIDED, 1): (names.BILLING, OldPartsDecided),
    (names.WORK_STARTED, 1): (names.WORKSHOP, WorkStarted),
    (names.VEHICLE_READY, 1): (names.WORKSHOP, VehicleReady),
    (names.INVOICE_BLOCKED, 1): (names.BILLING, InvoiceBlocked),
    (names.VEHICLE_DELIVERED, 1): (names.BILLING, VehicleDelivered),
    (names.FOLLOWUP_SCHEDULED, 1): (names.FOLLOWUP, FollowupScheduled),
    (names.FOLLOWUP_OVERDUE, 1): (names.FOLLOWUP, FollowupOverdue),
    (names.FOLLOWUP_CALL_RECORDED, 1): (names.FOLLOWUP, FollowupCallRecorded),
    (names.COMPLAINT_OPENED, 1): (names.FOLLOWUP, ComplaintOpened),
    (names.COMPLAINT_ESCALATED, 1): (names.FOLLOWUP, ComplaintEscalated),
    (names.COMPLAINT_CLOSED, 1): (names.FOLLOWUP, ComplaintClosed),
    (names.STAFF_REGISTERED, 1): (names.STAFF, StaffRegistered),
    (names.STAFF_CHANGED, 1): (names.STAFF, StaffChanged),
    (names.SESSIONS_REVOKED, 1): (names.STAFF, SessionsRevoked),
}

# Who listens to what: consumer service -> event types. The broker topology (one durable
# quorum queue per pair, declared at start-up) is derived from this table.
SUBSCRIPTIONS = {
    names.BOOKING: (
        names.PARTS_RESERVED,
        names.PARTS_SHORT,
        names.VEHICLE_DELIVERED,
        names.PRICE_LIST_PUBLISHED,  # booking's own copy: priced phone estimates (R-BK-2)
    ),
    names.RECEPTION: (
        names.APPOINTMENT_BOOKED,
        names.APPOINTMENT_CANCELLED,
        names.APPOINTMENT_RESCHEDULED,  # the expected arrival moves
        names.APPOINTMENT_NO_SHOW,  # ... or is dropped
        names.PRICE_LIST_PUBLISHED,
        names.WORK_STARTED,  # R-PN-1: the work-started notice
        names.VEHICLE_READY,  # R-PN-1: the ready-for-pick-up notice
        names.STAFF_REGISTERED,  # staff names for the printed order and the incident summary
        names.STAFF_CHANGED,
        names.VEHICLE_DELIVERED,  # the car has left: its key tag is free again (R-RC-7)
        names.ADDITIONAL_WORK_REQUESTED,  # R-WS-3: the advisor hears of found work
        names.QC_FAILED,  # R-QC-2: the advisor is told at once (a progress notice)
        names.ORDER_AT_RISK,  # R-WS-7: the forecast passes the promise: the delay notice, early
    ),
    names.WORKSHOP: (
        names.ORDER_SIGNED,
        names.PARTS_ISSUED,
        names.PRICE_LIST_PUBLISHED,  # standard hours: what planned jobs take of the capacity (R-BK-4)
        names.APPOINTMENT_BOOKED,  # the capacity hold is confirmed ...
        names.APPOINTMENT_CANCELLED,  # ... released
        names.APPOINTMENT_RESCHEDULED,  # ... moved
        names.APPOINTMENT_NO_SHOW,  # ... released
        names.ORDER_AMENDED,  # R-WS-3: each new signed version's jobs
        names.ADDITIONAL_WORK_DECLINED,  # the technician is told not to do it
        names.PARTS_ISSUE_REFUSED,  # a stock-out: the job waits for parts ...
        names.PARTS_BACKORDERED,  # ... with the expected date ...
        names.PARTS_RECEIVED,  # ... the goods are in (the issue follows, parts_issued resumes the job)
        names.STAFF_REGISTERED,  # technicians, experts and inspectors from the staff directory
        names.STAFF_CHANGED,
    ),
    names.PARTS: (
        names.APPOINTMENT_BOOKED,
        names.APPOINTMENT_CANCELLED,
        names.APPOINTMENT_RESCHEDULED,  # the shelf reservation moves with the appointment
        names.APPOINTMENT_NO_SHOW,  # ... or is released
        names.PARTS_REQUESTED,
        names.OLD_PARTS_DECIDED,  # R-BL-3: an old part kept for a warranty claim goes into quarantine
        names.PRICE_LIST_PUBLISHED,  # the parts master's retail prices
    ),
    # parts sees new versions in parts_requested, which carries the signed order it issues against
    names.BILLING: (
        names.ORDER_SIGNED,
        names.ORDER_AMENDED,
        names.PARTS_ISSUED,
        names.PARTS_RETURNED,
        names.VEHICLE_READY,
    ),
    names.FOLLOWUP: (
        names.VEHICLE_DELIVERED,
        names.STAFF_REGISTERED,  # R-FU-2: the callers are the directory's follow-up agents and service assistants
        names.STAFF_CHANGED,
    ),
}

# Every service verifies sessions itself (kit.auth), so every one hears which have ended (kit.sessions).
SUBSCRIPTIONS = {
    service: (*SUBSCRIPTIONS.get(service, ()), names.SESSIONS_REVOKED) for service in (*names.SERVICES, *SUBSCRIPTIONS)
}
