"""Parts 备件: stock, the appointment shelf, and issuing against signed orders."""

from contracts import names
from kit.extensions import SignedOrders, on_event
from kit.i18n import N_
from kit.providers import Database, OutboxRelay, Seeding
from kit.service import KitEndpoints
from kit.web import api, page

from . import handlers, seed
from .models import Base
from .permissions import PERMISSIONS


class Service(KitEndpoints):
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

    @api("GET", "/api/stock", action="parts.view")
    def stock(self, request):
        return {"stock": self.db.read(handlers.stock)}

    @api("GET", "/api/reservations", action="parts.view")
    def reservations(self, request):
        return {"reservations": self.db.read(handlers.reservations, request.args.get("appointment_id"))}

    @api("GET", "/api/stock-moves", action="parts.view")
    def stock_moves(self, request):
        """?appointment_id=… -> that appointment's moves (reserve, reschedule, release), newest first"""
        return {"moves": self.db.read(handlers.stock_moves, request.args.get("appointment_id"))}

    @api("GET", "/api/issues", action="parts.view")
    def issues(self, request):
        return {"issues": self.db.read(handlers.issues, request.args.get("order_id"))}

    @api("GET", "/", action="parts.view")
    def index(self, request):
        return page(
            self.name,
            N_("Parts stock and appointment shelf"),
            "index.html",
            request,
            stock=self.db.read(handlers.stock),
            reservations=self.db.read(handlers.reservations),
            issues=self.db.read(handlers.issues),
        )
