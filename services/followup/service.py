"""Follow-up 跟踪回访: a call after every delivery, never by the advisor who served the customer."""

from contracts import names
from kit.extensions import on_event
from kit.i18n import N_
from kit.paging import page_args
from kit.providers import Database, OutboxRelay, Seeding
from kit.service import KitEndpoints
from kit.web import api, page

from . import handlers, seed
from .models import Base
from .permissions import PERMISSIONS


class Service(KitEndpoints):
    name = names.FOLLOWUP
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    seeding = Seeding(db, seed.reference_data)

    @on_event(names.VEHICLE_DELIVERED)
    def schedule_call(self, event):
        """payload: {"invoice_id", "order_id", "advisor_id": "A001", "customer", "vehicle", "total", "delivered_at"}"""
        self.db.handle(event, handlers.schedule_call)

    @api("GET", "/api/calls", action="followup.view")
    def list_calls(self, request):
        """?q=<plate, name or mobile>&order_id=…&page=1&per_page=50"""
        number, per_page, q = page_args(request.args)
        result = self.db.read(handlers.calls, number, per_page, q, request.args.get("order_id"))
        return result.as_dict("calls")

    @api("GET", "/", action="followup.view")
    def index(self, request):
        number, per_page, q = page_args(request.args)
        result = self.db.read(handlers.calls, number, per_page, q)
        return page(self.name, N_("Follow-up calls"), "index.html", request, calls=result.items, result=result, q=q)
