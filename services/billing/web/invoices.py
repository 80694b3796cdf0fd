"""The invoices and the cashier (R-BL-1): the list, one invoice with its audit, the manager's adjustment of a
blocked invoice, pay types per line, payments by several methods, refunds and their approval; each a JSON
view and a form over the same use case."""

from __future__ import annotations

from kit.errors import DomainError
from kit.i18n import N_
from kit.paging import page_args
from kit.web import api, form_action, not_found_page, page, read_json

from .. import handlers
from ..domain import money, pay_types
from .forms import ADJUST, PAY, PAY_TYPES, REFUND, discount_limits


class InvoiceEndpoints:
    """Mixed into services.billing.service.Service (which provides `db` and `gate_secret`)."""

    # --- the use cases, shared by JSON and forms -----------------------------------------------------------

    def _pay(self, request, invoice_id, raw):
        cmd = PAY.load(raw)
        amount = money.exact_fen(cmd["amount"])
        return self.db.run(
            handlers.pay,
            invoice_id,
            amount=amount,
            method=cmd["method"],
            secret=self.gate_secret,
            actor_id=request.staff.staff_id,
        )

    def _adjust(self, request, invoice_id, raw):
        cmd = ADJUST.load(raw)
        roles, limits = request.staff.roles, discount_limits()
        return self.db.run(
            handlers.adjust, invoice_id, cmd, roles=roles, limits=limits, actor_id=request.staff.staff_id
        )

    def _pay_types(self, request, invoice_id, raw):
        cmd = PAY_TYPES.load(raw)
        return self.db.run(
            handlers.assign_pay_types,
            invoice_id,
            cmd["pay_types"],
            cmd["failure_code"],
            actor_id=request.staff.staff_id,
        )

    def _refund(self, request, invoice_id, raw):
        cmd = REFUND.load(raw)
        amount = money.exact_fen(cmd["amount"])
        return self.db.run(
            handlers.request_refund,
            invoice_id,
            amount=amount,
            reason=cmd["reason"],
            method=cmd["method"],
            actor_id=request.staff.staff_id,
        )

    def _approve(self, request, payment_id):
        return self.db.run(
            handlers.approve_refund, payment_id, roles=request.staff.roles, actor_id=request.staff.staff_id
        )

    # --- JSON ----------------------------------------------------------------------------------------------

    @api("GET", "/api/invoices", action="billing.view")
    def list_invoices(self, request):
        """?q=<plate, customer or order number>&page=1&per_page=50"""
        return self.db.read(handlers.invoice_list, *page_args(request.args)).as_dict("invoices")

    @api("GET", "/api/invoices/by-order/<order_id>", action="billing.view")
    def invoice_for_order(self, request, order_id):
        return self.db.read(handlers.invoice_of_order, order_id)

    @api("GET", "/api/invoices/<invoice_id>", action="billing.view")
    def invoice(self, request, invoice_id):
        """The invoice with its line-level variances, one bill per payer, payments and balance, the audit
        trail (corrections), the warranty claim, whether the car was delivered, and the gate pass."""
        return self.db.read(handlers.settlement_view, invoice_id)

    @api("POST", "/api/invoices/<invoice_id>/pay", action="billing.pay")
    def pay(self, request, invoice_id):
        """{"amount": "500.00", "method": "cash" | "card" | "wechat" | "alipay" | "account"}: one payment (of
        several, up to the customer's balance) after the delivery checklist; when the balance is nil the gate
        pass is issued and the car released (vehicle_delivered)."""
        return self._pay(request, invoice_id, read_json(request))

    @api("POST", "/api/invoices/<invoice_id>/adjust", action="billing.adjust")
    def adjust(self, request, invoice_id):
        """{"waive": ["part:9:P-FILTER-OIL"], "discount": "50.00", "reason": "…"}: the manager's correction
        within the role's discount limit (BILLING_DISCOUNT_LIMITS); re-audited, kept in the audit trail."""
        self._adjust(request, invoice_id, read_json(request))
        return self.db.read(handlers.settlement_view, invoice_id)

    @api("POST", "/api/invoices/<invoice_id>/pay-types", action="billing.assign_pay_type")
    def assign_pay_types(self, request, invoice_id):
        """{"pay_types": {"2": "warranty", "4": "warranty"}, "failure_code": "B1234"}: one invoice per payer;
        warranty lines make the maker's warranty claim."""
        self._pay_types(request, invoice_id, read_json(request))
        return self.db.read(handlers.settlement_view, invoice_id)

    @api("POST", "/api/invoices/<invoice_id>/refunds", action="billing.refund")
    def request_refund(self, request, invoice_id):
        """{"amount": "40.00", "method": "cash", "reason": "…"}: paid out once a service manager approves."""
        refund = self._refund(request, invoice_id, read_json(request))
        return 201, {"payment_id": refund.payment_id, "amount": refund.amount, "approved_by": None}

    @api("POST", "/api/refunds/<payment_id>/approve", action="billing.approve_refund")
    def approve_refund(self, request, payment_id):
        refund = self._approve(request, payment_id)
        return {"payment_id": refund.payment_id, "amount": refund.amount, "approved_by": refund.approved_by}

    # --- pages ---------------------------------------------------------------------------------------------

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
            alerts=self.db.read(handlers.gate_view)["alerts"] if request.staff.may("billing.adjust") else [],
        )

    @api("GET", "/invoices/<invoice_id>", action="billing.view")
    def invoice_page(self, request, invoice_id):
        try:
            view = self.db.read(handlers.settlement_view, invoice_id)
        except DomainError:
            return not_found_page(self.name, request)
        return page(
            self.name,
            N_("Settlement"),
            "invoice.html",
            request,
            inv=view,
            methods=money.PAYMENT_METHODS,
            payers=pay_types.PAYERS,
        )

    def _form(self, request, invoice_id, use_case, ok):
        return form_action(request, use_case, done=f"/invoices/{invoice_id}", ok=ok)

    @api("POST", "/invoices/<invoice_id>/pay", action="billing.pay")
    def pay_form(self, request, invoice_id):
        raw = {"amount": request.form.get("amount", ""), "method": request.form.get("method", "")}
        return self._form(request, invoice_id, lambda: self._pay(request, invoice_id, raw), N_("Payment recorded"))

    @api("POST", "/invoices/<invoice_id>/adjust", action="billing.adjust")
    def adjust_form(self, request, invoice_id):
        raw = {
            "waive": request.form.getlist("waive"),
            "discount": request.form.get("discount") or "0",
            "reason": request.form.get("reason", ""),
        }
        return self._form(
            request, invoice_id, lambda: self._adjust(request, invoice_id, raw), N_("Adjustment recorded")
        )

    @api("POST", "/invoices/<invoice_id>/pay-types", action="billing.assign_pay_type")
    def pay_types_form(self, request, invoice_id):
        chosen = {k[len("payer_") :]: v for k, v in request.form.items() if k.startswith("payer_")}
        raw = {"pay_types": chosen, "failure_code": request.form.get("failure_code", "")}
        return self._form(request, invoice_id, lambda: self._pay_types(request, invoice_id, raw), N_("Pay types saved"))

    @api("POST", "/invoices/<invoice_id>/refunds", action="billing.refund")
    def refund_form(self, request, invoice_id):
        raw = {k: request.form.get(k, "") for k in ("amount", "method", "reason")}
        ok = N_("Refund requested; a service manager approves it")
        return self._form(request, invoice_id, lambda: self._refund(request, invoice_id, raw), ok)

    @api("POST", "/invoices/<invoice_id>/refunds/<payment_id>/approve", action="billing.approve_refund")
    def approve_form(self, request, invoice_id, payment_id):
        return self._form(request, invoice_id, lambda: self._approve(request, payment_id), N_("Refund approved"))
