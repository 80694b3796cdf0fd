"""Settlement's numbers with charts: revenue by labour/parts and pay type, average order, discounts and by
whom, blocked invoices by cause."""

from __future__ import annotations

from kit.i18n import N_
from kit.web import api, page

from ..handlers import numbers


class NumbersEndpoints:
    """Mixed into services.billing.service.Service (which provides `db`)."""

    @api("GET", "/api/numbers", action="billing.numbers")
    def numbers(self, request):
        return self.db.read(numbers.numbers_view)

    @api("GET", "/numbers", action="billing.numbers")
    def numbers_page(self, request):
        view = self.db.read(numbers.numbers_view)
        return page(
            self.name, N_("Settlement numbers"), "numbers.html", request, n=view, charts=numbers.chart_rows(view)
        )
