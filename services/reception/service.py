"""Reception 接车制单: check-in, the pre-inspection area, the write-up, the work order priced from the published
list and signed, amendments and progress notices. The nameko class: it gathers the web mixins (web/) and
declares the event handlers and timers; the use cases are in handlers/, the rules in domain/."""

from __future__ import annotations

from nameko.timer import timer

from contracts import names
from kit.clock import timer_seconds
from kit.extensions import SignedOrders, on_event
from kit.providers import Database, Notifications, OutboxRelay
from kit.service import KitEndpoints
from kit.types import utcnow

from .handlers import amendments, arrivals, directory, notices, pre_inspection, prices, write_up
from .models import Base
from .permissions import PERMISSIONS
from .web.amendments import AmendmentsWeb
from .web.check_in import CheckInWeb
from .web.gate_in import GateInWeb
from .web.incidents import IncidentsWeb
from .web.notices import NoticesWeb
from .web.orders import OrdersWeb
from .web.pre_inspection import PreInspectionWeb
from .web.walk_around import WalkAroundWeb
from .web.write_up import WriteUpWeb


class Service(
    CheckInWeb,
    GateInWeb,
    PreInspectionWeb,
    IncidentsWeb,
    WalkAroundWeb,
    WriteUpWeb,
    OrdersWeb,
    AmendmentsWeb,
    NoticesWeb,
    KitEndpoints,
):
    name = names.RECEPTION
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    notifications = Notifications(db)
    orders = SignedOrders(signer=True)
    verifier = SignedOrders()  # R-WS-3: stored versions are verified when read back

    @on_event(names.PRICE_LIST_PUBLISHED)
    def take_price_list(self, event):
        """payload: {"version": "2026.11-1", "labour_rate": "300.00", "vat_rate": "0.13", "labour_operations": [...],
        "parts": [...]}"""
        self.db.handle(event, prices.take_price_list)

    @on_event(names.APPOINTMENT_BOOKED)
    def expect_arrival(self, event):
        """payload: {"appointment_id", "visit_id", "customer", "vehicle", "starts_at", "advisor_id", …}"""
        self.db.handle(event, arrivals.expect_arrival)

    @on_event(names.APPOINTMENT_CANCELLED)
    def forget_arrival(self, event):
        """payload: {"appointment_id", "visit_id", "reason", "by_dealership"}"""
        self.db.handle(event, arrivals.forget_arrival)

    @on_event(names.APPOINTMENT_RESCHEDULED)
    def move_arrival(self, event):
        """payload: {"appointment_id", "visit_id", "starts_at", "previous_starts_at", "advisor_id", …}"""
        self.db.handle(event, arrivals.move_arrival)

    @on_event(names.APPOINTMENT_NO_SHOW)
    def drop_arrival(self, event):
        """payload: {"appointment_id", "visit_id", "starts_at"}"""
        self.db.handle(event, arrivals.drop_arrival)

    @on_event(names.STAFF_REGISTERED)
    def take_staff_registered(self, event):
        """payload: {"staff_id": "A001", "name": "李明", "department", "roles", "active"}: names for print."""
        self.db.handle(event, directory.take_staff_record)

    @on_event(names.STAFF_CHANGED)
    def take_staff_changed(self, event):
        """payload: a staff record with "change": "details" | "roles" | …"""
        self.db.handle(event, directory.take_staff_record)

    @on_event(names.ADDITIONAL_WORK_REQUESTED)
    def take_additional_work(self, event):
        """payload: {"request_id", "order_id", "order_version": 1, "visit_id", "plate", "reported_by": "T001",
        "reason": "前刹车片磨损至极限", "lines": [{"kind": "labour", "code": "LAB-BRAKE-DISC"}, …]}"""
        self.db.handle(event, amendments.take_additional_work)

    @on_event(names.WORK_STARTED)
    def tell_work_started(self, event):
        """payload: {"order_id", "order_version", "technician_id", "bay_id", "started_at"} (R-PN-1)"""
        self.db.handle(event, notices.started)

    @on_event(names.QC_FAILED)
    def tell_qc_failed(self, event):
        """payload: {"order_id", "order_version", "visit_id", "inspector_id", "failed_at", "non_conformances":
        [{"line_no", "item", "cause", "technician_id"}]} (R-QC-2: the advisor is told at once)"""
        self.db.handle(event, notices.qc_failed)

    @on_event(names.ORDER_AT_RISK)
    def tell_at_risk(self, event):
        """payload: {"order_id", "visit_id", "promised_at", "forecast_at", "reason": "waiting_parts"} (R-WS-7)"""
        self.db.handle(event, notices.order_at_risk)

    @on_event(names.VEHICLE_READY)
    def tell_ready(self, event):
        """payload: {"order_id", "order_version", "jobs_done", "parts_used", "inspector_id", "ready_at"} (R-PN-1)"""
        self.db.handle(event, notices.vehicle_ready)

    @on_event(names.VEHICLE_DELIVERED)
    def close_visit(self, event):
        """payload: {"invoice_id", "order_id", "delivered_at", …}: the key tag of the visit is released."""
        self.db.handle(event, write_up.close_visit)

    @timer(interval=timer_seconds(15))
    def watch_pre_inspection(self):
        """R-RC-8: a car waiting over 20 minutes raises the alert even when nobody checks in."""
        self.db.run(pre_inspection.watch_pre_inspection)

    @timer(interval=timer_seconds(15))
    def watch_progress(self):
        """R-PN-1: the customer is told of a priced change waiting for their consent, and when the promised
        time passes with the car not ready (each read first: an idle round writes nothing)."""
        if self.db.read(notices.consents_to_tell):
            self.db.run(notices.tell_consent_requests)
        if self.db.read(notices.missed_promises, utcnow()):
            self.db.run(notices.watch_promises)
