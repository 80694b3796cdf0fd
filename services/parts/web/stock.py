"""Stock: the department page, the parts master with its search, the stock ledger, cycle counts with the
manager's approval, reorder suggestions and the counter's figures with a chart."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, form_action, page, read_json

from .. import handlers
from ..models import LOCATIONS
from .counter import _form, quantity_text

QTY = dict(load_default=None, allow_none=True, places=None, validate=validate.Range(min=0, max=99999))


class PartInput(Schema):
    part_no = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    name_en = fields.String(load_default="", validate=validate.Length(max=120))
    unit = fields.String(load_default="pc", validate=validate.OneOf(["pc", "L"]))
    bin = fields.String(load_default="", validate=validate.Length(max=20))
    superseded_by = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    min_qty = fields.Decimal(**QTY)
    max_qty = fields.Decimal(**QTY)
    cost = fields.Decimal(load_default=None, allow_none=True, places=2, validate=validate.Range(min=0, max=999999))
    supplier = fields.String(load_default="", validate=validate.Length(max=80))
    lead_time_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0, max=180))


class CountInput(Schema):
    part_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    location = fields.String(load_default="MAIN", validate=validate.OneOf(LOCATIONS))
    counted = quantity_text(required=True)


class StockViews:
    """Mixed into services.parts.service.Service (which provides `db`)."""

    @api("GET", "/api/stock", action="parts.view")
    def stock(self, request):
        return {"stock": self.db.read(handlers.stock)}

    @api("GET", "/api/reservations", action="parts.view")
    def reservations(self, request):
        return {"reservations": self.db.read(handlers.reservations, request.args.get("appointment_id"))}

    @api("GET", "/api/stock-moves", action="parts.view")
    def stock_moves(self, request):
        """?appointment_id=… (reserve, reschedule, release), ?part_no=…, ?reference=<order_id|receipt|count-n>:
        the ledger, newest first, with who moved what, when, why and the document"""
        return {
            "moves": self.db.read(
                handlers.stock_moves,
                request.args.get("appointment_id"),
                part_no=request.args.get("part_no"),
                reference=request.args.get("reference"),
            )
        }

    @api("GET", "/api/issues", action="parts.view")
    def issues(self, request):
        return {"issues": self.db.read(handlers.issues, request.args.get("order_id"))}

    @api("GET", "/", action="parts.view")
    def index(self, request):
        return page(
            self.name,
            N_("Parts stock and appointment shelf"),
            "index.html",
            request,
            stock=self.db.read(handlers.stock),
            reservations=self.db.read(handlers.reservations)[-50:],
            issues=self.db.read(handlers.issues)[-50:],
            moves=self.db.read(handlers.stock_moves, limit=30),
        )

    @api("GET", "/api/parts", action="parts.view")
    def parts_json(self, request):
        """?q=… by number, name or pinyin initials (jy finds 机油)"""
        return {"parts": self.db.read(handlers.search_parts, request.args.get("q", ""))}

    @api("POST", "/api/parts", action="parts.master")
    def save_part_json(self, request):
        """{"part_no", "name", "name_en", "unit": "pc"|"L", "bin", "superseded_by", "min_qty", "max_qty", "cost",
        "supplier", "lead_time_days"}: created or changed"""
        cmd = read_json(request, PartInput)
        part = self.db.run(handlers.save_part, cmd, actor_id=request.staff.staff_id)
        return 201, self.db.read(handlers.search_parts, part.part_no)[0]

    @api("GET", "/parts", action="parts.view")
    def parts_page(self, request):
        q = request.args.get("q", "")
        return page(
            self.name, N_("Parts master"), "parts.html", request, parts=self.db.read(handlers.search_parts, q), q=q
        )

    @api("POST", "/parts", action="parts.master")
    def save_part_form(self, request):
        return form_action(
            request,
            lambda: self.db.run(handlers.save_part, _form(request, PartInput()), actor_id=request.staff.staff_id),
            done="/parts",
            ok=N_("Saved"),
        )

    @api("POST", "/api/counts", action="parts.count")
    def count_json(self, request):
        """{"part_no", "location": "MAIN", "counted": "38"}: a variance waits for the service manager"""
        cmd = read_json(request, CountInput)
        self.db.run(
            handlers.record_count, cmd["part_no"], cmd["location"], cmd["counted"], actor_id=request.staff.staff_id
        )
        return 201, {"counts": self.db.read(handlers.counts)}

    @api("POST", "/api/counts/<int:count_id>/<any(approve,reject):decision>", action="parts.approve_count")
    def decide_count_json(self, request, count_id, decision):
        self.db.run(handlers.decide_count, count_id, decision == "approve", actor_id=request.staff.staff_id)
        return {"counts": self.db.read(handlers.counts)}

    @api("GET", "/counts", action="parts.view")
    def counts_page(self, request):
        return page(
            self.name,
            N_("Stock counts"),
            "counts.html",
            request,
            counts=self.db.read(handlers.counts),
            locations=LOCATIONS,
        )

    @api("POST", "/counts", action="parts.count")
    def count_form(self, request):
        def count():
            cmd = _form(request, CountInput())
            return self.db.run(
                handlers.record_count, cmd["part_no"], cmd["location"], cmd["counted"], actor_id=request.staff.staff_id
            )

        return form_action(request, count, done="/counts", ok=N_("Counted"))

    @api("POST", "/counts/<int:count_id>/<any(approve,reject):decision>", action="parts.approve_count")
    def decide_count_form(self, request, count_id, decision):
        return form_action(
            request,
            lambda: self.db.run(
                handlers.decide_count, count_id, decision == "approve", actor_id=request.staff.staff_id
            ),
            done="/counts",
            ok=N_("Saved"),
        )

    @api("GET", "/api/reorder-suggestions", action="parts.figures")
    def reorder_json(self, request):
        return {"suggestions": self.db.read(handlers.reorder_suggestions, utcnow())}

    @api("GET", "/api/figures", action="parts.figures")
    def figures_json(self, request):
        """stock value at cost, turnover (per year, over the last 30 days), first-time fill rate at dispatch (%)"""
        return self.db.read(handlers.figures, utcnow())

    @api("GET", "/figures", action="parts.figures")
    def figures_page(self, request):
        return page(
            self.name,
            N_("Stock figures and reorders"),
            "figures.html",
            request,
            figures=self.db.read(handlers.figures, utcnow()),
            suggestions=self.db.read(handlers.reorder_suggestions, utcnow()),
        )
