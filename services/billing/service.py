"""Billing 结算/交车: invoices audited against the signed quote and the published prices; payment; delivery."""

from contracts import names
from kit.extensions import SignedOrders, on_event
from kit.providers import Database, OutboxRelay, Seeding
from kit.service import KitEndpoints

from . import handlers, seed
from .models import Base
from .permissions import PERMISSIONS
from .web import InvoiceEndpoints, PriceListEndpoints


class Service(InvoiceEndpoints, PriceListEndpoints, KitEndpoints):
    name = names.BILLING
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    seeding = Seeding(db, seed.reference_data)
    orders = SignedOrders()

    @on_event(names.ORDER_SIGNED)
    def take_signed_quote(self, event):
        """payload: {"order": {...order body...}, "signature": "base64", "key_id": "…"}"""
        self.db.handle(event, handlers.record_signed_order, self.orders.verify)

    @on_event(names.ORDER_AMENDED)
    def take_amended_quote(self, event):
        """payload: {"amendment_id", "signed_order": {"order": {...version 2...}, "signature", "key_id"},
        "version": 2, "previous_version": 1, "previous_sha256": "…", "request_id": "…"}"""
        self.db.handle(event, handlers.record_amended_order, self.orders.verify)

    @on_event(names.PARTS_ISSUED)
    def take_parts_issued(self, event):
        """payload: {"request_id", "order_id", "order_version", "lines": [{"line_no", "part_no", "quantity"}]}"""
        self.db.handle(event, handlers.record_parts_issued)

    @on_event(names.VEHICLE_READY)
    def take_vehicle_ready(self, event):
        """payload: {"order_id", "order_version", "jobs_done": [...], "parts_used": [...], "inspector_id"}"""
        self.db.handle(event, handlers.record_vehicle_ready)
