"""Issue 12, item 2: bounded input. Every command field of staff, booking and reception has its bound (length,
range, precision, a window of years), the kit refuses bodies too large, too deep or carrying NUL before a
route runs, and no valid-looking body makes a schema fail other than by refusing it."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from kit import bounds, security
from kit.errors import DomainError
from kit.web import field_errors
from services.booking.web.appointments import BookAppointment
from services.booking.web.customer_file import RecordMileage, SaveCustomer
from services.reception.web.forms import RequestedLine
from services.reception.web.orders import WriteOrder
from services.staff.web import Login
from tests.support.schema_strategies import WEB_MODULES, body_for, command_schemas

SCHEMAS = command_schemas(*WEB_MODULES)


def test_the_command_schemas_are_found():
    names = {s.__name__ for s in SCHEMAS}
    assert {"BookAppointment", "WriteOrder", "SheetEntries", "Register", "CheckIn", "RequestedLine"} <= names


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: f"{s.__module__.split('.')[1]}.{s.__name__}")
def test_every_field_of_every_command_is_bounded(schema):
    assert bounds.unbounded_fields(schema) == []


def test_the_check_finds_an_unbounded_field():
    from marshmallow import fields

    class Loose(Schema):
        text = fields.String()
        number = fields.Integer()
        when = fields.AwareDateTime()
        tags = fields.List(bounds.Text(10))

    assert bounds.unbounded_fields(Loose) == ["text", "number", "when", "tags"]


def _refused(schema: Schema, body: dict) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        schema.load(body)
    return field_errors(refused.value.messages, "zh_CN")


def test_a_one_megabyte_complaint_is_refused_naming_the_field_in_chinese():
    body = {"complaint": "吵" * 1_000_000}
    errors = _refused(BookAppointment(partial=True), body)
    assert errors["complaint"] == ["最多 2000 个字符"]


def test_a_nul_byte_in_a_name_is_refused():
    errors = _refused(SaveCustomer(partial=True), {"name": "王\x00五"})
    assert errors["name"] == ["含有不允许的字符（NUL）"]


@pytest.mark.parametrize("mileage", [10**30, 1.5, "1.5", -1])
def test_mileage_is_a_whole_number_within_range(mileage):
    errors = _refused(RecordMileage(), {"mileage_km": mileage})
    assert list(errors) == ["mileage_km"]
    assert _refused(WriteOrder(partial=True), {"mileage_km": mileage})


def test_a_reasonable_mileage_is_kept():
    assert RecordMileage().load({"mileage_km": 35210})["mileage_km"] == 35210


@pytest.mark.parametrize("quantity", [1e308, "1e308", "NaN", "Infinity", "0.001", -1, "1000"])
def test_a_line_quantity_out_of_range_or_too_precise_is_refused(quantity):
    errors = _refused(RequestedLine(), {"kind": "part", "code": "P-OIL", "quantity": quantity})
    assert list(errors) == ["quantity"]


def test_a_quantity_is_kept_exact():
    assert RequestedLine().load({"kind": "part", "code": "P", "quantity": 4.5})["quantity"] == Decimal("4.5")
    assert bounds.Amount(maximum=1000).deserialize("741.28") == Decimal("741.28")
    with pytest.raises(ValidationError, match="At most 2 decimal places"):
        bounds.Amount(maximum=1000).deserialize("741.284")


@pytest.mark.parametrize("year", [1900, 2999])
def test_an_appointment_in_1900_or_2999_is_refused(year):
    errors = _refused(BookAppointment(partial=True), {"starts_at": f"{year}-05-01T09:00:00+08:00"})
    assert list(errors) == ["starts_at"] and errors["starts_at"][0].startswith("应在")


def test_a_purchase_date_in_the_future_or_long_ago_is_refused():
    assert list(_refused(BookAppointment(partial=True), {"purchase_date": "2999-01-01"})) == ["purchase_date"]
    assert list(_refused(BookAppointment(partial=True), {"purchase_date": "1900-01-01"})) == ["purchase_date"]
    assert BookAppointment(partial=True).load({"purchase_date": "2020-03-01"})["purchase_date"] == date(2020, 3, 1)


def test_a_long_password_is_refused_before_it_is_hashed():
    assert list(_refused(Login(), {"staff_id": "A001", "password": "x" * 10_000})) == ["password"]


# --- kit.security: what every request passes first ----------------------------------------------------------


def _request(body: bytes | str, content_type="application/json", method="POST", **kwargs) -> Request:
    return Request(EnvironBuilder(method=method, data=body, content_type=content_type, **kwargs).get_environ())


def test_a_100000_deep_json_body_is_refused_with_400_not_a_recursion_error():
    with pytest.raises(DomainError) as refused:
        security.load_json(_request("[" * 100_000 + "]" * 100_000))
    assert refused.value.status == 400 and "嵌套" in refused.value.message


def test_a_body_just_deeper_than_the_limit_is_refused_and_one_at_the_limit_kept():
    deep = json.dumps(json.loads("[" * security.MAX_JSON_DEPTH + "]" * security.MAX_JSON_DEPTH))
    assert security.load_json(_request(deep)) is not None
    with pytest.raises(DomainError):
        security.load_json(_request("[" + deep + "]"))


def test_an_integer_of_five_thousand_digits_is_not_json_we_read():
    with pytest.raises(DomainError) as refused:
        security.load_json(_request('{"mileage_km": ' + "9" * 5000 + "}"))
    assert refused.value.status == 400 and refused.value.code == "bad_json"


def test_nul_in_a_json_string_or_key_is_refused_naming_the_field():
    with pytest.raises(DomainError) as refused:
        security.load_json(_request(json.dumps({"customer": {"name": "王\u0000"}})))
    assert refused.value.field == "customer.name" and refused.value.status == 400


def test_a_request_larger_than_the_limit_is_refused_with_413_before_it_is_read(monkeypatch):
    monkeypatch.setenv("MAX_REQUEST_BYTES", "1000")
    request = _request(json.dumps({"complaint": "x" * 2000}))
    with pytest.raises(DomainError) as refused:
        security.guard_request(request)
    assert refused.value.status == 413 and "请求过大" in refused.value.message


def test_a_form_field_with_nul_is_refused():
    request = _request("name=%00x", content_type="application/x-www-form-urlencoded")
    with pytest.raises(DomainError) as refused:
        security.guard_request(request)
    assert refused.value.field == "name"


def test_a_decimal_overflow_found_later_is_a_400_refusal_not_a_500():
    from decimal import InvalidOperation

    assert security.as_refusal(InvalidOperation()).status == 400
    assert isinstance(security.as_refusal(KeyError("x")), KeyError)


# --- the property: nothing valid-looking makes a command schema fail other than by refusing ------------------


def _bounded(value, path="") -> None:
    """What a loaded command may hold: finite, exact amounts; whole numbers a database and canonical JSON
    carry; times within this century; text without NUL."""
    if isinstance(value, dict):
        for key, child in value.items():
            _bounded(child, f"{path}.{key}")
    elif isinstance(value, list):
        for child in value:
            _bounded(child, path)
    elif isinstance(value, Decimal):
        assert value.is_finite() and abs(value) < 10**6 and -value.as_tuple().exponent <= 2, path
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        assert abs(value) <= bounds.MAX_MILEAGE_KM, path
    elif isinstance(value, float):
        raise AssertionError(f"{path}: a float came through")
    elif isinstance(value, datetime | date):
        assert 1900 < value.year < 2100, path
    elif isinstance(value, str):
        assert "\x00" not in value and len(value) <= bounds.SIGNATURE_CHARS, path


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: f"{s.__module__.split('.')[1]}.{s.__name__}")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_a_valid_looking_body_is_loaded_bounded_or_refused_never_an_error(schema, data):
    body = data.draw(body_for(schema))
    try:
        loaded = schema().load(body)
    except (ValidationError, DomainError):
        return
    _bounded(loaded)


# --- headers ---------------------------------------------------------------------------------------------------


def test_every_answer_gets_the_security_headers_and_its_cookies_their_flags():
    response = Response("x")
    response.set_cookie("as_lang", "en")
    security.harden(_request("", method="GET"), response)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookies_are_secure_over_https():
    response = Response("x")
    response.set_cookie("as_session", "t", httponly=True, samesite="Lax")
    security.harden(_request("", method="GET", base_url="https://dealer.example/"), response)
    assert "Secure" in response.headers["Set-Cookie"]


# --- references ------------------------------------------------------------------------------------------------


def test_planned_work_must_be_on_the_published_price_list():
    from contracts.pricing import PriceBook
    from services.booking.domain.appointments import check_planned_work

    book = PriceBook(
        "v1",
        Decimal("100"),
        Decimal("0.13"),
        {"LAB-OIL": ("换机油", Decimal("0.5"))},
        {"P-OIL": ("机油", Decimal("50"))},
    )
    check_planned_work(["LAB-OIL"], [{"part_no": "P-OIL", "quantity": Decimal("1")}], book)
    with pytest.raises(DomainError) as refused:
        check_planned_work(["LAB-OIL", "LAB-NOPE"], [], book)
    assert refused.value.field == "planned_labour.1" and "LAB-NOPE" in refused.value.message
    with pytest.raises(DomainError) as refused:
        check_planned_work([], [{"part_no": "P-NOPE", "quantity": Decimal("1")}], book)
    assert refused.value.field == "planned_parts.0.part_no" and "备件号" in refused.value.message
    check_planned_work(["ANY"], [], None)  # no price list held yet: nothing to check against
