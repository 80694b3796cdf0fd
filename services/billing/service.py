"""Billing 结算/交车: invoices audited against the signed quote and the published prices; payment; delivery."""

from marshmallow import Schema, fields, validate

from contracts import names
from kit.errors import NotFound
from kit.extensions import SignedOrders, on_event
from kit.i18n import N_
from kit.paging import page_args
from kit.providers import Database, OutboxRelay, Seeding
from kit.service import KitEndpoints
from kit.web import api, page, read_json

from . import handlers, repository, seed
from .models import Base
from .permissions import PERMISSIONS


class PaySchema(Schema):
    amount = fields.Decimal(required=True, places=2)
    method = fields.String(required=True, validate=validate.Length(min=1))


class Service(KitEndpoints):
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

    @api("GET", "/api/invoices", action="billing.view")
    def list_invoices(self, request):
        """?q=<plate, customer or order number>&page=1&per_page=50"""
        result = self.db.read(repository.invoices, *page_args(request.args))
        return {**result.as_dict("invoices"), "invoices": [handlers.invoice_view(i) for i in result.items]}

    @api("GET", "/api/invoices/by-order/<order_id>", action="billing.view")
    def invoice_for_order(self, request, order_id):
        view = self.db.read(lambda s: (i := repository.invoice_for_order(s, order_id)) and handlers.invoice_view(i))
        if not view:
            raise NotFound("This order has no invoice yet")
        return view

    @api("POST", "/api/invoices/<invoice_id>/pay", action="billing.pay")
    def pay(self, request, invoice_id):
        """{"amount": "1234.56", "method": "wechat"} (taken by the signed-in cashier)"""
        cmd = read_json(request, PaySchema())
        invoice = self.db.run(
            handlers.pay, invoice_id, amount=cmd["amount"], method=cmd["method"], actor_id=request.staff.staff_id
        )
        return handlers.invoice_view(invoice)

    @api("GET", "/api/price-list", action="billing.view")
    def price_list(self, request):
        def query(session):
            current = repository.current_price_list(session)
            return current and repository.price_book(session, current.version).__dict__

        return {"price_list": self.db.read(query)}

    @api("GET", "/", action="billing.view")
    def index(self, request):
        number, per_page, q = page_args(request.args)
        result = self.db.read(repository.invoices, number, per_page, q)
        return page(
            self.name,
            N_("Settlement and delivery"),
            "index.html",
            request,
            invoices=[handlers.invoice_view(i) for i in result.items],
            result=result,
            q=q,
        )
