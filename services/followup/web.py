"""Follow-up's page and JSON view: the calls due after deliveries."""

from kit.i18n import N_
from kit.paging import page_args
from kit.web import api, page

from . import handlers


class CallEndpoints:
    """Mixed into services.followup.service.Service (which provides `db`)."""

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
