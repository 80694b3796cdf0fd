"""Workshop 维修作业: signed orders in, dispatch, parts against the order, jobs, additional work, quality check, and
the workshop's capacity (R-BK-4).

The nameko class only: it gathers the web mixins (web/) and declares the event handlers, the capacity RPC and
the lapse timer."""

from nameko.timer import timer

from contracts import names
from kit.clock import timer_seconds
from kit.extensions import SignedOrders, on_event
from kit.providers import Database, OutboxRelay, Seeding
from kit.rpc import rpc
from kit.service import KitEndpoints
from kit.types import utcnow

from . import seed
from .handlers import additional_work, capacity, capacity_rpc, clock, expert
from .handlers import orders as signed_orders
from .handlers.floor import FloorSettings, take_staff
from .models import Base
from .permissions import PERMISSIONS
from .web.additional_work import AdditionalWorkViews
from .web.capacity import CapacityViews
from .web.floor import FloorViews
from .web.quality import QualityViews
from .web.technicians import TechnicianViews
from .web.work_orders import WorkOrderViews

LAPSE_CHECK_SECONDS = 30
FLOOR_WATCH_SECONDS = 30


class Service(
    WorkOrderViews, FloorViews, QualityViews, TechnicianViews, AdditionalWorkViews, CapacityViews, KitEndpoints
):
    name = names.WORKSHOP
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    seeding = Seeding(db, seed.reference_data)
    orders = SignedOrders()

    # --- the signed order and the parts issued against it ----------------------------------------------

    @on_event(names.ORDER_SIGNED)
    def take_signed_order(self, event):
        """payload: {"order": {...order body...}, "signature": "base64", "key_id": "…"}"""
        settings = FloorSettings.load()
        self.db.handle(event, signed_orders.take_signed_order, self.orders.verify, settings.teams, settings.comebacks)

    @on_event(names.PARTS_ISSUED)
    def take_parts_issued(self, event):
        """payload: {"request_id", "order_id", "order_version", "lines": [{"line_no", "part_no", "quantity", …}]}:
        recorded against the order; an order waiting for parts resumes when nothing is outstanding."""
        self.db.handle(event, clock.take_parts_issued)

    # --- stock-outs: the job waits for parts with the expected date, the advisor warned if late ----------

    @on_event(names.PARTS_ISSUE_REFUSED)
    def take_issue_refused(self, event):
        """payload: {"request_id", "order_id", "lines": [{"line_no", "reason": "out_of_stock"}]}"""
        self.db.handle(event, clock.take_issue_refused)

    @on_event(names.PARTS_BACKORDERED)
    def take_backordered(self, event):
        """payload: {"backorder_id", "purchase_order_id", "order_id", "request_id", "lines": [{"part_no",
        "quantity", "expected_on": "2026-12-09", "line_no"}]} (appointment backorders are not the workshop's)"""
        self.db.handle(event, clock.take_backordered)

    @on_event(names.PARTS_RECEIVED)
    def take_parts_received(self, event):
        """payload: {"receipt_id", "purchase_order_ids", "received_at", "allocated": [{"order_id", …}]}"""
        self.db.handle(event, clock.take_received)

    # --- the staff directory: technicians, experts, inspectors ------------------------------------------

    @on_event(names.STAFF_REGISTERED)
    def take_staff_registered(self, event):
        """payload: {"staff_id": "T003", "name": "赵师傅", "department": "workshop", "roles": ["technician"],
        "active": true}"""
        self.db.handle(event, take_staff)

    @on_event(names.STAFF_CHANGED)
    def take_staff_changed(self, event):
        """payload: the staff record and {"change": "roles" | "active" | …}"""
        self.db.handle(event, take_staff)

    # --- additional work (R-WS-3) -----------------------------------------------------------------------

    @on_event(names.ORDER_AMENDED)
    def take_amended_order(self, event):
        """payload: {"amendment_id", "signed_order": {"order": {...version 2...}, "signature", "key_id"},
        "version": 2, "previous_version": 1, "previous_sha256": "…", "request_id": "…"}"""
        self.db.handle(event, additional_work.take_amended_order, self.orders.verify)

    @on_event(names.ADDITIONAL_WORK_DECLINED)
    def take_declined_work(self, event):
        """payload: {"request_id", "order_id", "amendment_id", "order_version": 1, "declined": [{"kind", "code",
        "description"}], "consent": {"method": "phone", "at", "staff_id", "customer_words": "这次都不做"}}"""
        self.db.handle(event, additional_work.take_declined_work)

    # --- capacity: RPC for booking and reception, the appointment events, the lapse timer ----------------

    @rpc
    def hold(self, appointment_id, starts_at, labour_codes=(), candidates=()):
        """Hold the booked share of capacity for an appointment (R-BK-4), atomically, idempotent by id.

        hold(appointment_id="9b2…", starts_at="2026-12-01T09:30:00+08:00", labour_codes=["LAB-OIL"],
             candidates=["2026-12-01T10:00:00+08:00", …])
        -> {"held": true, "appointment_id", "status": "held", "starts_at", "finishes_at", "hours": "0.5",
            "expires_at"}  (confirmed by appointment_booked; lapses after WORKSHOP_HOLD_MINUTES otherwise)
        -> {"held": false, "appointment_id", "alternatives": ["2026-12-02T09:00:00+08:00", …]}
           (the candidates, or the workshop's quarter hours when none are given, at which the job would fit)
        """
        return capacity_rpc.hold(self.db, appointment_id, starts_at, labour_codes, candidates)

    @rpc
    def release(self, appointment_id):
        """release(appointment_id="9b2…") -> {"released": true}: the booking could not be stored after all."""
        return capacity_rpc.release(self.db, appointment_id)

    @rpc
    def promise_time(self, hours, not_before, skill="mechanical"):
        """R-RC-5: the earliest time a job of `hours` standard hours can be finished, given the current load.

        promise_time(hours="2.5", not_before="2026-12-01T10:20:00+08:00", skill="mechanical")
        -> {"promised_at": "2026-12-01T14:00:00+00:00", "hours": "2.5"}   (UTC; null if not within 14 days)
        The whole workshop counts (the car is here, so the share held back for walk-ins may be used), less
        everything booked or held; the work starts no earlier than `not_before`, nor now.
        """
        return capacity_rpc.promise_time(self.db, hours, not_before, skill)

    @rpc
    def load(self, day, days=14):
        """R-BK-10: load(day="2026-12-01") -> booked vs bookable vs all technician hours, by hour and by day."""
        return capacity_rpc.load_view(self.db, day, days)

    @on_event(names.PRICE_LIST_PUBLISHED)
    def take_standard_hours(self, event):
        """payload: {"version", "effective_from", "labour_operations": [{"code", "name", "standard_hours"}], …}"""
        self.db.handle(event, capacity.take_price_list, *capacity_rpc.capacity_settings())

    @on_event(names.APPOINTMENT_BOOKED)
    def confirm_capacity(self, event):
        """payload: {"appointment_id", "starts_at", "planned_labour": ["LAB-OIL"], …}: the hold is confirmed."""
        rules, tz = capacity_rpc.capacity_settings()
        self.db.handle(event, capacity.confirm_booked, rules=rules, tz=tz)

    @on_event(names.APPOINTMENT_RESCHEDULED)
    def move_capacity(self, event):
        """payload: {"appointment_id", "starts_at", "previous_starts_at", …}: the hold moves with it."""
        rules, tz = capacity_rpc.capacity_settings()
        self.db.handle(event, capacity.move_rescheduled, rules=rules, tz=tz)

    @on_event(names.APPOINTMENT_CANCELLED)
    def release_cancelled(self, event):
        """payload: {"appointment_id", "visit_id", "reason", "by_dealership"}: the capacity is free again."""
        self.db.handle(event, capacity.release_for_event, *capacity_rpc.capacity_settings())

    @on_event(names.APPOINTMENT_NO_SHOW)
    def release_no_show(self, event):
        """payload: {"appointment_id", "visit_id", "starts_at"}: the capacity is free again."""
        self.db.handle(event, capacity.release_for_event, *capacity_rpc.capacity_settings())

    @timer(interval=timer_seconds(FLOOR_WATCH_SECONDS))
    def watch_floor(self):
        """R-WS-4: an expert ticket unanswered past its target alerts the service manager; R-WS-7: an order whose
        forecast passes its promise warns the advisor (order_at_risk). Read first: an idle round writes nothing."""
        target = FloorSettings.load().expert_target_minutes
        if self.db.read(expert.overdue_tickets, utcnow(), target):
            self.db.run(expert.alert_manager, target)
        if self.db.read(clock.forecasts_to_warn, utcnow()):
            self.db.run(clock.watch_forecasts)

    @timer(interval=timer_seconds(LAPSE_CHECK_SECONDS))
    def tidy_lapsed_holds(self):
        """Holds a crashed booking never confirmed stop counting when they lapse; this clears them away."""
        if self.db.read(capacity.lapsed_count, utcnow()):
            self.db.run(capacity.expire_lapsed, capacity_rpc.capacity_settings()[1])
