"""Supply: goods-in against purchase orders (allocated to backorders by promised time), purchase orders and
backorders, returns of unused parts (R-BL-3) and the old parts' fates."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kit.i18n import N_
from kit.web import api, form_action, page, read_json

from .. import handlers
from .counter import _form, quantity_text


class ReceiptLine(Schema):
    part_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    quantity = quantity_text(required=True)


class ReceiptInput(Schema):
    lines = fields.List(fields.Nested(ReceiptLine), required=True, validate=validate.Length(min=1, max=100))
    purchase_order_ids = fields.List(
        fields.String(validate=validate.Length(max=40)), load_default=list, validate=validate.Length(max=20)
    )


class ScanInput(Schema):
    """The goods-in page: one scanned line of the delivery, against a purchase order or none."""

    part_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    quantity = quantity_text(required=True)
    purchase_order_id = fields.String(load_default="", validate=validate.Length(max=40))


class ReturnLine(Schema):
    line_no = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=999))
    quantity = quantity_text(required=True)


class ReturnInput(Schema):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    lines = fields.List(fields.Nested(ReturnLine), required=True, validate=validate.Length(min=1, max=50))


class ReturnForm(Schema):
    order_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    line_no = fields.Integer(required=True, validate=validate.Range(min=1, max=999))
    quantity = quantity_text(required=True)


class SupplyViews:
    """Mixed into services.parts.service.Service (which provides `db`)."""

    @api("POST", "/api/receipts", action="parts.receive")
    def receipt_json(self, request):
        """{"purchase_order_ids": ["PO-…"], "lines": [{"part_no": "P-PAD-F", "quantity": "4"}]}: goods-in; the
        delivery is allocated to waiting backorders by promised time (parts_received, parts_issued)"""
        cmd = read_json(request, ReceiptInput)
        receipt = self.db.run(
            handlers.goods_in,
            [(line["part_no"], line["quantity"]) for line in cmd["lines"]],
            cmd["purchase_order_ids"],
            actor_id=request.staff.staff_id,
        )
        return 201, {
            "receipt_id": receipt.receipt_id,
            "moves": self.db.read(handlers.stock_moves, reference=receipt.receipt_id),
        }

    @api("GET", "/api/purchase-orders", action="parts.view")
    def purchase_orders_json(self, request):
        return {"purchase_orders": self.db.read(handlers.purchase_orders)}

    @api("GET", "/api/backorders", action="parts.view")
    def backorders_json(self, request):
        """?appointment_id=… or ?order_id=…: the shortages waiting for goods-in, by promised time"""
        return {
            "backorders": self.db.read(
                handlers.backorders, request.args.get("appointment_id"), request.args.get("order_id")
            )
        }

    @api("GET", "/goods-in", action="parts.view")
    def goods_in_page(self, request):
        return page(
            self.name,
            N_("Goods-in"),
            "goods_in.html",
            request,
            purchase_orders=self.db.read(handlers.purchase_orders),
            moves=[m for m in self.db.read(handlers.stock_moves, limit=200) if m["reason"] == "receive"][:20],
        )

    @api("POST", "/goods-in", action="parts.receive")
    def goods_in_form(self, request):
        def receive():
            scan = _form(request, ScanInput())
            po = [scan["purchase_order_id"]] if scan["purchase_order_id"] else []
            return self.db.run(
                handlers.goods_in, [(scan["part_no"], scan["quantity"])], po, actor_id=request.staff.staff_id
            )

        return form_action(
            request, receive, done="/goods-in", ok=lambda r: (N_("Received on {receipt}"), {"receipt": r.receipt_id})
        )

    @api("POST", "/api/returns", action="parts.return")
    def return_json(self, request):
        """{"order_id": "…", "lines": [{"line_no": 3, "quantity": "1"}]}: unused parts back to the main store (a
        reversing ledger entry), never more than was issued on the line; billing hears parts_returned"""
        cmd = read_json(request, ReturnInput)
        return 201, self.db.run(handlers.return_parts, cmd["order_id"], cmd["lines"], actor_id=request.staff.staff_id)

    @api("GET", "/api/returns", action="parts.view")
    def returns_json(self, request):
        return {"returns": self.db.read(handlers.returns, request.args.get("order_id"))}

    @api("GET", "/api/old-parts", action="parts.view")
    def old_parts_json(self, request):
        """R-BL-3: each old part's fate as decided at delivery (?order_id=…)"""
        return {"old_parts": self.db.read(handlers.old_parts, request.args.get("order_id"))}

    @api("GET", "/returns", action="parts.view")
    def returns_page(self, request):
        return page(
            self.name,
            N_("Returns and old parts"),
            "returns.html",
            request,
            returns=self.db.read(handlers.returns),
            old_parts=self.db.read(handlers.old_parts),
        )

    @api("POST", "/returns", action="parts.return")
    def return_form(self, request):
        def give_back():
            cmd = _form(request, ReturnForm())
            lines = [{"line_no": cmd["line_no"], "quantity": cmd["quantity"]}]
            return self.db.run(handlers.return_parts, cmd["order_id"], lines, actor_id=request.staff.staff_id)

        return form_action(
            request, give_back, done="/returns", ok=lambda r: (N_("Returned on {ref}"), {"ref": r["return_id"]})
        )
