"""Parts' pages and JSON views: the stock, the appointment shelf, the stock ledger and what was issued."""

from kit.i18n import N_
from kit.web import api, page

from . import handlers


class StockEndpoints:
    """Mixed into services.parts.service.Service (which provides `db`)."""

    @api("GET", "/api/stock", action="parts.view")
    def stock(self, request):
        return {"stock": self.db.read(handlers.stock)}

    @api("GET", "/api/reservations", action="parts.view")
    def reservations(self, request):
        return {"reservations": self.db.read(handlers.reservations, request.args.get("appointment_id"))}

    @api("GET", "/api/stock-moves", action="parts.view")
    def stock_moves(self, request):
        """?appointment_id=… -> that appointment's moves (reserve, reschedule, release), newest first"""
        return {"moves": self.db.read(handlers.stock_moves, request.args.get("appointment_id"))}

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
            reservations=self.db.read(handlers.reservations),
            issues=self.db.read(handlers.issues),
        )
