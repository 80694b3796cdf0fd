"""Parts 备件: stock, the appointment shelf, and issuing against signed orders."""

from contracts import names
from kit.extensions import SignedOrders, on_event
from kit.providers import Database, OutboxRelay, Seeding
from kit.service import KitEndpoints

from . import handlers, seed
from .models import Base
from .permissions import PERMISSIONS
from .web import StockEndpoints


class Service(StockEndpoints, KitEndpoints):
    name = names.PARTS
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    seeding = Seeding(db, seed.reference_data)
    orders = SignedOrders()

    @on_event(names.APPOINTMENT_BOOKED)
    def reserve_on_shelf(self, event):
        """payload: {"appointment_id", "visit_id", "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": "1"}], …}"""
        self.db.handle(event, handlers.reserve_for_appointment)

    @on_event(names.APPOINTMENT_CANCELLED)
    def release_shelf(self, event):
        """payload: {"appointment_id", "visit_id", "reason": "客户改期", "by_dealership": false}"""
        self.db.handle(event, handlers.release_for_cancelled)

    @on_event(names.APPOINTMENT_RESCHEDULED)
    def move_shelf(self, event):
        """payload: {"appointment_id", "visit_id", "starts_at", "previous_starts_at", "advisor_id", "reason",
        "by_dealership"}: the reservation stays on the shelf, moved to the new time in the ledger"""
        self.db.handle(event, handlers.move_for_rescheduled)

    @on_event(names.APPOINTMENT_NO_SHOW)
    def release_shelf_no_show(self, event):
        """payload: {"appointment_id", "visit_id", "starts_at"}: the customer did not come; the shelf is released"""
        self.db.handle(event, handlers.release_for_no_show)

    @on_event(names.PARTS_REQUESTED)
    def issue_parts(self, event):
        """payload: {"request_id", "technician_id", "signed_order": {"order", "signature", "key_id"},
        "lines": [{"line_no": 2, "quantity": "1"}]}"""
        self.db.handle(event, handlers.issue_against_order, self.orders.verify)
