"""Service and event names: the only place they are spelled (style rule 3)."""

STAFF = "staff"  # the staff directory and sign-in for all department UIs
BOOKING = "booking"
RECEPTION = "reception"
WORKSHOP = "workshop"
PARTS = "parts"
BILLING = "billing"
FOLLOWUP = "followup"

DEPARTMENTS = (BOOKING, RECEPTION, WORKSHOP, PARTS, BILLING, FOLLOWUP)
SERVICES = (STAFF, *DEPARTMENTS)
# The dealer group's HQ 集团总部: not a department of a dealership's line (not in SERVICES, so a line never starts
# it); it reads every store's feed from its own vhost (`python -m kit.serve hq`).
HQ = "hq"

# Events are facts, named in the past tense.
APPOINTMENT_BOOKED = "appointment_booked"
APPOINTMENT_CANCELLED = "appointment_cancelled"
APPOINTMENT_RESCHEDULED = "appointment_rescheduled"
APPOINTMENT_NO_SHOW = "appointment_no_show"
CONFIRMATION_ESCALATED = "confirmation_escalated"  # R-BK-7: a confirmation unanswered in time, to the manager
PARTS_RESERVED = "parts_reserved"
PARTS_SHORT = "parts_short"
PRICE_LIST_PUBLISHED = "price_list_published"
ORDER_SIGNED = "order_signed"
ORDER_AMENDED = "order_amended"  # R-WS-3: a new signed version after the customer's consent
ADDITIONAL_WORK_REQUESTED = "additional_work_requested"  # R-WS-3: the workshop found more work
ADDITIONAL_WORK_DECLINED = "additional_work_declined"  # R-WS-3: the customer declined all of it
PRE_INSPECTION_CONGESTED = "pre_inspection_congested"
PARTS_REQUESTED = "parts_requested"
PARTS_ISSUED = "parts_issued"
PARTS_ISSUE_REFUSED = "parts_issue_refused"
PARTS_BACKORDERED = "parts_backordered"  # a shortage became a purchase order with an expected date
PARTS_RECEIVED = "parts_received"  # goods-in allocated a delivery to waiting backorders
PARTS_RETURNED = "parts_returned"  # unused parts back to stock against an order (R-BL-3)
QC_FAILED = "qc_failed"  # R-QC-2: the quality check failed; jobs back to their technicians
ORDER_AT_RISK = "order_at_risk"  # R-WS-7: the on-time forecast says the promise will be missed
OLD_PARTS_DECIDED = "old_parts_decided"  # R-BL-3: each old part's fate, chosen with the customer at delivery
WORK_STARTED = "work_started"  # R-PN-1: the workshop began work on an order (the customer is told)
VEHICLE_READY = "vehicle_ready"
INVOICE_BLOCKED = "invoice_blocked"
VEHICLE_DELIVERED = "vehicle_delivered"
FOLLOWUP_SCHEDULED = "followup_scheduled"
FOLLOWUP_CALL_RECORDED = "followup_call_recorded"  # R-FU-4: a call's outcome and scores (HQ's satisfaction)
FOLLOWUP_OVERDUE = "followup_overdue"  # R-FU-1: not called by day 7, escalated to the after-sales manager
COMPLAINT_OPENED = "complaint_opened"  # R-FU-5: classified by cause, routed to the department's manager
COMPLAINT_ESCALATED = "complaint_escalated"  # R-FU-5: not re-contacted within 24 hours
COMPLAINT_CLOSED = "complaint_closed"  # R-FU-5: closed with the customer's agreement
STAFF_REGISTERED = "staff_registered"
STAFF_CHANGED = "staff_changed"
SESSIONS_REVOKED = "sessions_revoked"  # sign-out, new roles or password: no service accepts those sessions
