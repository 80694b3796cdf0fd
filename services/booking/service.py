"""Booking 维修预约: appointments, the customer file, calls, preparation and confirmations.

The nameko class only: it gathers the web mixins (web/) and declares the event handlers and the timer."""

from nameko.timer import timer

from contracts import names
from kit.clock import timer_seconds
from kit.extensions import on_event
from kit.providers import Database, Notifications, OutboxRelay, Seeding
from kit.rpc import RpcClient, rpc
from kit.service import KitEndpoints
from kit.types import utcnow

from . import seed
from .handlers import checklist, confirmations, maintenance, price_list
from .models import Base
from .permissions import PERMISSIONS
from .web.advisor import AdvisorViews
from .web.appointments import AppointmentViews, book_visit_for_another_service
from .web.calls import CallViews
from .web.customer_file import CustomerFileViews
from .web.load import LoadViews

ESCALATION_CHECK_SECONDS = 30


class Service(AppointmentViews, AdvisorViews, CustomerFileViews, CallViews, LoadViews, KitEndpoints):
    name = names.BOOKING
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    notifications = Notifications(db)
    seeding = Seeding(db, seed.demo_data)
    workshop = RpcClient(names.WORKSHOP)  # capacity holds and the load view (R-BK-4, R-BK-10)

    @on_event(names.VEHICLE_DELIVERED)
    def service_history(self, event):
        """payload: {"order_id", "vehicle": {"vin", …}, "delivered_at", "mileage_km": 35210, "labour_codes": [...]}"""
        self.db.handle(event, maintenance.record_service)

    @on_event(names.PARTS_RESERVED)
    def parts_reserved(self, event):
        """payload: {"appointment_id": "…", "reserved": [{"part_no": "P-OIL-5W30", "quantity": "1"}]}"""
        self.db.handle(event, checklist.note_parts_reserved)

    @on_event(names.PARTS_SHORT)
    def parts_short(self, event):
        """payload: {"appointment_id", "reserved": [...], "short": [{"part_no", "quantity_short", "expected_on"}]}"""
        self.db.handle(event, checklist.note_parts_short)

    @on_event(names.PRICE_LIST_PUBLISHED)
    def take_price_list(self, event):
        """payload: {"version": "2026.11-1", "labour_rate": "300.00", "vat_rate": "0.13", "labour_operations": [...],
        "parts": [...]}"""
        self.db.handle(event, price_list.take_price_list)

    @rpc
    def book_visit(self, booking, days, actor_id):
        """Follow-up books the next visit from a contact (R-CR-4, R-BL-4) or a complaint's car back with priority
        (R-FU-5): the advisor's first free slot on `days` that the workshop can take.

        book_visit(booking={"customer": {"name": "王先生", "mobile": "13800138000"}, "vehicle": {"plate": "沪A12345",
        "model": "…"}, "vin": "LSVAM4187C2184847", "advisor_id": "A001", "complaint": "回访投诉：异响"},
        days=["2026-12-07", "2026-12-08"], actor_id="F001")
        -> {"booked": true, "appointment_id", "starts_at", "advisor_id"}
        -> {"booked": false, "msgid", "params", "field", "code"}: refused, as the desk would refuse it
        """
        return book_visit_for_another_service(self.db, self.workshop, booking, days, actor_id)

    @timer(interval=timer_seconds(ESCALATION_CHECK_SECONDS))
    def escalate_confirmations(self):
        """R-BK-7: a confirmation nobody answered by its deadline goes to the service manager."""
        if self.db.read(confirmations.overdue_confirmations, utcnow()):
            self.db.run(confirmations.escalate_overdue_confirmations)
