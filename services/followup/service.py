"""Follow-up 跟踪回访: a call after every delivery, never by the advisor who served the customer."""

from contracts import names
from kit.extensions import Database, on_event
from kit.service import KitEndpoints
from kit.web import api, page

from . import handlers, seed
from .models import Base


class Service(KitEndpoints):
    name = names.FOLLOWUP
    db = Database(Base.metadata, seed=seed.reference_data)

    @on_event(names.VEHICLE_DELIVERED)
    def schedule_call(self, event):
        """payload: {"invoice_id", "order_id", "advisor_id": "A001", "customer", "vehicle", "total", "delivered_at"}"""
        self.db.handle(event, handlers.schedule_call)

    @api("GET", "/api/calls", action="followup.view")
    def list_calls(self, request):
        return {"calls": self.db.read(handlers.calls)}

    @api("GET", "/", action="followup.view")
    def index(self, request):
        return page(self.name, "回访任务", "index.html", request, calls=self.db.read(handlers.calls))
