"""Follow-up 跟踪回访: a call after every delivery, never by the advisor who served the customer."""

from contracts import names
from kit.extensions import on_event
from kit.providers import Database, OutboxRelay, Seeding
from kit.service import KitEndpoints

from . import handlers, seed
from .models import Base
from .permissions import PERMISSIONS
from .web import CallEndpoints


class Service(CallEndpoints, KitEndpoints):
    name = names.FOLLOWUP
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    seeding = Seeding(db, seed.reference_data)

    @on_event(names.VEHICLE_DELIVERED)
    def schedule_call(self, event):
        """payload: {"invoice_id", "order_id", "advisor_id": "A001", "customer", "vehicle", "total", "delivered_at"}"""
        self.db.handle(event, handlers.schedule_call)
