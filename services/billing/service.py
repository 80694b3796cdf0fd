"""Billing 结算/交车: invoices audited against the signed quote and the published prices, corrected, split by
payer and settled; the delivery checklist on the advisor's tablet; the gate pass checked at the gate."""

import hashlib
import hmac

from nameko.extensions import DependencyProvider

from contracts import names
from kit.auth import load_or_create_secret
from kit.config import Settings
from kit.extensions import SignedOrders, on_event
from kit.providers import Database, OutboxRelay, Seeding
from kit.service import KitEndpoints

from . import handlers, seed
from .models import Base
from .permissions import PERMISSIONS
from .web import (
    DeliveryEndpoints,
    DocumentEndpoints,
    GateEndpoints,
    InvoiceEndpoints,
    NumbersEndpoints,
    PriceListEndpoints,
)


class GateSecret(DependencyProvider):
    """The key the gate pass 门证 is signed with (R-BL-6): derived from the dealership's secret (AUTH_SECRET, or
    `auth.secret` in the key directory)."""

    def setup(self):
        key_dir = Settings.load(self.container.config).signing_key_dir
        secret = load_or_create_secret(key_dir).encode()
        self.secret = hmac.new(secret, b"billing.gate-pass.v1", hashlib.sha256).digest()

    def get_dependency(self, worker_ctx):
        return self.secret


class Service(
    InvoiceEndpoints,
    DeliveryEndpoints,
    GateEndpoints,
    DocumentEndpoints,
    PriceListEndpoints,
    NumbersEndpoints,
    KitEndpoints,
):
    name = names.BILLING
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    seeding = Seeding(db, seed.reference_data)
    orders = SignedOrders()
    gate_secret = GateSecret()

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

    @on_event(names.PARTS_RETURNED)
    def take_parts_returned(self, event):
        """payload: {"return_id", "order_id", "order_version", "returned_at", "lines": [{"line_no", "part_no",
        "quantity"}]}: the bill is the parts issued less these (R-BL-3)."""
        self.db.handle(event, handlers.record_parts_returned)

    @on_event(names.VEHICLE_READY)
    def take_vehicle_ready(self, event):
        """payload: {"order_id", "order_version", "jobs_done": [...], "parts_used": [...], "inspector_id",
        "deferred_work", "wear", "finished_bay", "washed"} (the QC findings shown at delivery, R-QC-3)"""
        self.db.handle(event, handlers.record_vehicle_ready)
