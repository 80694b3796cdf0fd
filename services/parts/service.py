"""Parts 备件: the parts master, stock by location and its ledger, the appointment shelf, the counter's queue,
backorders and goods-in, returns and old parts, counts.

The nameko class only: it gathers the web mixins (web/) and declares the event handlers and the timer."""

from nameko.timer import timer

from contracts import names
from kit.clock import timer_seconds
from kit.config import Settings
from kit.extensions import SignedOrders, on_event
from kit.providers import Database, OutboxRelay, Seeding
from kit.service import KitEndpoints
from kit.types import utcnow

from . import handlers, seed
from .models import Base
from .permissions import PERMISSIONS
from .web.counter import CounterViews
from .web.stock import StockViews
from .web.supply import SupplyViews

EXPIRY_CHECK_SECONDS = 300


def auto_issue() -> bool:
    """PARTS_AUTO_ISSUE (default on): the counter issues a workshop request at once; "0": requests wait on the
    counter's queue for the clerk to scan."""
    return Settings.value("PARTS_AUTO_ISSUE", "1").strip().lower() not in ("0", "false", "no")


class Service(CounterViews, SupplyViews, StockViews, KitEndpoints):
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
        "lines": [{"line_no": 2, "quantity": "1"}]}: on the counter's queue (issued at once with PARTS_AUTO_ISSUE)"""
        self.db.handle(event, handlers.issue_against_order, self.orders.verify, auto_issue())

    @on_event(names.PRICE_LIST_PUBLISHED)
    def take_price_list(self, event):
        """payload: {"version", "effective_from", "labour_rate", "vat_rate", "labour_operations", "parts": [{"part_no",
        "name", "unit_price"}]}: the retail prices the parts master shows"""
        self.db.handle(event, handlers.take_price_list)

    @on_event(names.OLD_PARTS_DECIDED)
    def take_old_parts(self, event):
        """payload: {"order_id", "decided_by", "decided_at", "parts": [{"line_no", "part_no", "quantity", "fate"}]}"""
        self.db.handle(event, handlers.record_old_parts)

    @timer(interval=timer_seconds(EXPIRY_CHECK_SECONDS))
    def release_expired(self):
        """R-BK-6: a shelf reservation whose visit is two days past and never issued goes back to the store."""
        if self.db.read(handlers.expired, utcnow()):
            self.db.run(handlers.release_expired)
