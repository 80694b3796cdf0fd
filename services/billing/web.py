"""Billing's pages and JSON views: invoices (list, by order, payment) and the published price list."""

from marshmallow import Schema, fields, validate

from kit.i18n import N_
from kit.paging import page_args
from kit.web import api, page, read_json

from . import handlers


class PaySchema(Schema):
    amount = fields.Decimal(required=True, places=2)
    method = fields.String(required=True, validate=validate.Length(min=1))


class InvoiceEndpoints:
    """Mixed into services.billing.service.Service (which provides `db`)."""

    @api("GET", "/api/invoices", action="billing.view")
    def list_invoices(self, request):
        """?q=<plate, customer or order number>&page=1&per_page=50"""
        return self.db.read(handlers.invoice_list, *page_args(request.args)).as_dict("invoices")

    @api("GET", "/api/invoices/by-order/<order_id>", action="billing.view")
    def invoice_for_order(self, request, order_id):
        return self.db.read(handlers.invoice_of_order, order_id)

    @api("POST", "/api/invoices/<invoice_id>/pay", action="billing.pay")
    def pay(self, request, invoice_id):
        """{"amount": "1234.56", "method": "wechat"} (taken by the signed-in cashier)"""
        cmd = read_json(request, PaySchema())
        invoice = self.db.run(
            handlers.pay, invoice_id, amount=cmd["amount"], method=cmd["method"], actor_id=request.staff.staff_id
        )
        return handlers.invoice_view(invoice)

    @api("GET", "/", action="billing.view")
    def index(self, request):
        number, per_page, q = page_args(request.args)
        result = self.db.read(handlers.invoice_list, number, per_page, q)
        return page(
            self.name,
            N_("Settlement and delivery"),
            "index.html",
            request,
            invoices=result.items,
            result=result,
            q=q,
        )


class PriceListEndpoints:
    """Mixed into services.billing.service.Service (which provides `db`)."""

    @api("GET", "/api/price-list", action="billing.view")
    def price_list(self, request):
        return {"price_list": self.db.read(handlers.published_price_list)}
