"""The price list (billing owns it): the version in force, every version readable, a new version prepared by a
clerk (the maker's parts price file imported, CSV or XLSX), published by the service manager, two compared."""

from __future__ import annotations

import csv
import io

from marshmallow import Schema, fields, validate

from kit.errors import DomainError
from kit.i18n import N_
from kit.web import api, form_action, page, read_json

from ..domain import price_lists
from ..handlers import prices, published_price_list
from .forms import vat_rate

MAX_FILE = 5_000_000


class PrepareSchema(Schema):
    version = fields.String(required=True, validate=validate.Length(min=1, max=40))
    effective_from = fields.AwareDateTime(required=True)
    labour_rate = fields.String(required=True, validate=validate.Length(min=1, max=20))
    vat_rate = fields.String(load_default=None, validate=validate.Length(max=10))
    parts = fields.List(fields.List(fields.Raw()), load_default=None)  # rows as in the file, header first


def rows_of_file(filename: str, data: bytes) -> list[list]:
    """The maker's price file's rows: CSV (UTF-8 or GBK) or XLSX (the first sheet)."""
    if len(data) > MAX_FILE:
        raise DomainError(N_("The price file is larger than 5 MB"), field="file")
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception:  # openpyxl raises many kinds for a file that is no workbook
            raise DomainError(N_("The price file cannot be read"), field="file") from None
        return [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return list(csv.reader(io.StringIO(data.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise DomainError(N_("The price file cannot be read"), field="file")


class PriceListEndpoints:
    """Mixed into services.billing.service.Service (which provides `db`)."""

    def _prepare(self, request, raw: dict, rows: list[list] | None):
        cmd = PrepareSchema().load(raw)
        cmd["vat_rate"] = cmd["vat_rate"] or str(vat_rate())
        parts = price_lists.parts_from_rows(rows) if rows is not None else None
        return self.db.run(prices.prepare_version, cmd, parts, actor_id=request.staff.staff_id)

    @api("GET", "/api/price-list", action="billing.view")
    def price_list(self, request):
        return {"price_list": self.db.read(published_price_list)}

    @api("GET", "/api/price-lists", action="billing.view")
    def price_list_versions(self, request):
        return {"versions": self.db.read(prices.versions)}

    @api("GET", "/api/price-lists/diff", action="billing.view")
    def price_list_diff(self, request):
        """?from=<version>&to=<version>: labour rate, VAT, each part and labour operation added/removed/changed."""
        return self.db.read(prices.compare, request.args.get("from", ""), request.args.get("to", ""))

    @api("GET", "/api/price-lists/<version>", action="billing.view")
    def price_list_version(self, request, version):
        return self.db.read(prices.version_body, version)

    @api("POST", "/api/price-lists", action="billing.prepare_prices")
    def prepare_price_list(self, request):
        """{"version": "2027.01-1", "effective_from": "2027-01-01T00:00:00+08:00", "labour_rate": "320.00",
        "vat_rate": "0.13", "parts": [["part_no", "name", "unit_price"], ["P-OIL-5W30", "机油", "278.00"]]}"""
        raw = read_json(request)
        draft = self._prepare(request, raw, raw.get("parts"))
        return 201, self.db.read(prices.version_body, draft.version)

    @api("POST", "/api/price-lists/<version>/publish", action="billing.publish_prices")
    def publish_price_list(self, request, version):
        self.db.run(prices.publish_version, version, actor_id=request.staff.staff_id)
        return self.db.read(prices.version_body, version)

    @api("GET", "/prices", action="billing.view")
    def prices_page(self, request):
        versions = self.db.read(prices.versions)
        old, new = request.args.get("from"), request.args.get("to")
        compared = None
        if old and new:
            try:
                compared = self.db.read(prices.compare, old, new)
            except DomainError:
                compared = None
        return page(self.name, N_("Price list"), "prices.html", request, versions=versions, compared=compared)

    @api("POST", "/prices", action="billing.prepare_prices")
    def prepare_form(self, request):
        upload = request.files.get("file")

        def prepare():
            rows = rows_of_file(upload.filename or "", upload.read()) if upload and upload.filename else None
            raw = {k: request.form.get(k) or None for k in ("version", "labour_rate", "vat_rate")}
            when = request.form.get("effective_from") or ""
            raw["effective_from"] = f"{when}T00:00:00+08:00" if when else None
            return self._prepare(request, raw, rows)

        return form_action(
            request, prepare, done="/prices", ok=N_("The version is prepared; the service manager publishes it")
        )

    @api("POST", "/prices/<version>/publish", action="billing.publish_prices")
    def publish_form(self, request, version):
        run = lambda: self.db.run(prices.publish_version, version, actor_id=request.staff.staff_id)  # noqa: E731
        return form_action(request, run, done="/prices", ok=N_("The version is published"))
