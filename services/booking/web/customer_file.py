"""The customer file 客户档案 (R-BK-1, R-CR-3..5): search, create and change customers, mileage readings; JSON and
the desk's pages."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields
from werkzeug.utils import redirect

from kit.bounds import (
    MAX_MILEAGE_KM,
    NAME,
    SHORT,
    Choice,
    Count,
    Day,
    Email,
    Items,
    Text,
)
from kit.errors import DomainError, NotFound
from kit.i18n import N_
from kit.paging import page_args
from kit.web import api, flash, not_found_page, page, read_json

from ..handlers import customer_file
from .common import local_today, refused_form, slot_settings


class VehicleOnFile(Schema):
    vin = Text(17, required=True)
    plate = Text(16, min_length=2, required=True)
    model = Text(NAME, load_default="")
    purchase_date = Day(past_years=40, future_days=0, load_default=None, allow_none=True)


class SaveCustomer(Schema):
    name = Text(NAME, min_length=1, required=True)
    mobile = Text(20, required=True)
    salutation = Choice(("", "先生", "女士"), load_default="")
    email = Email(load_default=None, allow_none=True)
    privacy = Text(SHORT, load_default="surname")  # checked by the domain (PRIVACY_CHOICES)
    birthday = Day(past_years=120, future_days=0, load_default=None, allow_none=True)
    preferred_advisor_id = Text(SHORT, load_default=None, allow_none=True)
    vehicles = Items(fields.Nested(VehicleOnFile), max_items=20, load_default=list)


class RecordMileage(Schema):
    mileage_km = Count(maximum=MAX_MILEAGE_KM, required=True)
    read_on = Day(past_years=40, future_days=0, load_default=None, allow_none=True)


class CustomerFileViews:
    """Mixed into service.Service (its `db` is the kit Database)."""

    @api("GET", "/api/customers", action="booking.customer_file")
    def search_customers(self, request):
        """?q=<plate, mobile, VIN, name or pinyin initials such as zs>&page=1"""
        number, per_page, q = page_args(request.args)
        return self.db.read(customer_file.search, q, number, per_page).as_dict("customers")

    @api("POST", "/api/customers", action="booking.customer_edit")
    def create_customer(self, request):
        """{"name": "张三", "mobile": "13800138000", "birthday": "1985-03-02", "preferred_advisor_id": "A001",
        "vehicles": [{"vin": "LSVAM4187C2184847", "plate": "沪A12345", "model": "帕萨特",
        "purchase_date": "2024-05-01"}]}"""
        cmd = read_json(request, SaveCustomer())
        customer = self.db.run(customer_file.save_customer, cmd, actor_id=request.staff.staff_id)
        return 201, self._file(customer.customer_id)

    @api("GET", "/api/customers/<customer_id>", action="booking.customer_file")
    def get_customer(self, request, customer_id):
        view = self._file(customer_id)
        if view is None:
            raise NotFound("Customer not found")
        return view

    @api("POST", "/api/customers/<customer_id>", action="booking.customer_edit")
    def update_customer(self, request, customer_id):
        """The same fields as creating one; vehicles listed are added or changed."""
        cmd = read_json(request, SaveCustomer())
        self.db.run(customer_file.save_customer, cmd, customer_id, actor_id=request.staff.staff_id)
        return self._file(customer_id)

    @api("POST", "/api/vehicles/<vin>/mileage", action="booking.customer_edit")
    def record_mileage(self, request, vin):
        """{"mileage_km": 23500, "read_on": "2026-11-20"} (today when left out)"""
        cmd = read_json(request, RecordMileage())
        self._record_mileage(request, vin, cmd)
        _, tz = slot_settings()
        return 201, {"vin": vin.upper(), "readings": self.db.read(customer_file.readings, vin.upper(), tz)}

    @api("POST", "/customers/<customer_id>/mileage", action="booking.customer_edit")
    def mileage_form(self, request, customer_id):
        values = {k: request.form.get(k, "") for k in ("vin", "mileage_km", "read_on")}
        try:
            cmd = RecordMileage().load(
                {"mileage_km": values["mileage_km"] or None, "read_on": values["read_on"] or None}
            )
            self._record_mileage(request, values["vin"], cmd)
        except (ValidationError, DomainError) as exc:
            errors, status = refused_form(exc, request)
            return self._customer_page(request, customer_id, values, errors, status)
        return flash(redirect(f"/customers/{customer_id}", code=303), "ok", N_("Mileage recorded"))

    def _record_mileage(self, request, vin: str, cmd: dict) -> None:
        _, tz = slot_settings()
        read_on = cmd["read_on"] or local_today(tz)
        self.db.run(
            customer_file.record_mileage,
            vin.upper(),
            cmd["mileage_km"],
            read_on,
            "desk",
            tz,
            actor_id=request.staff.staff_id,
        )

    def _file(self, customer_id):
        _, tz = slot_settings()
        return self.db.read(customer_file.customer_file, customer_id, local_today(tz), tz)

    @api("GET", "/customers", action="booking.customer_file")
    def customers_page(self, request):
        number, per_page, q = page_args(request.args)
        result = self.db.read(customer_file.search, q, number, per_page)
        return page(
            self.name, N_("Customer files"), "customers.html", request, customers=result.items, result=result, q=q
        )

    @api("GET", "/customers/<customer_id>", action="booking.customer_file")
    def customer_page(self, request, customer_id):
        return self._customer_page(request, customer_id, {}, {})

    def _customer_page(self, request, customer_id, values, errors, status=200):
        view = self._file(customer_id)
        if view is None:
            return not_found_page(self.name, request)
        return page(
            self.name,
            N_("Customer file"),
            "customer.html",
            request,
            status=status,
            customer=view,
            values=values,
            errors=errors,
        )
