"""Issue 12 over the line's public HTTP interfaces, as a careless user and an attacker would try it: bodies too
large, too deep or with NUL, values no command can hold (item 2), off-site redirects (item 3), the security
headers (item 5). One line for the module; each test isolates itself by its own data."""

from __future__ import annotations

import json
import uuid

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import names
from services.booking.web.appointments import BookAppointment
from services.booking.web.customer_file import SaveCustomer
from services.reception.web.check_in import CheckIn
from services.reception.web.orders import WriteOrder
from services.reception.web.walk_around import SheetEntries
from services.staff.web import Login, Register
from tests.support.factories import SIGNATURE_PNG, make_booking
from tests.support.http import eventually
from tests.support.schema_strategies import body_for
from tests.support.visit import Visit

pytestmark = pytest.mark.e2e
# the fuzzed sign-ins below all come from 127.0.0.1: the per-address lockout would lock out the module's staff
LINE_SETTINGS = {"SIGN_IN_ADDRESS_FAILURES": "100000"}
DEEP = "[" * 100_000 + "]" * 100_000


def _post_raw(client, service: str, path: str, data: bytes | str, as_: str = "M001") -> requests.Response:
    return requests.post(
        client.line.url(service, path),
        data=data,
        timeout=30,
        headers={"Authorization": f"Bearer {client.token(as_)}", "Content-Type": "application/json"},
    )


# --- item 2: bounded input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "service,path,as_",
    [
        (names.STAFF, "/api/login", "M001"),
        (names.BOOKING, "/api/appointments", "B001"),
        (names.RECEPTION, "/api/visits", "A001"),
    ],
)
def test_a_100000_deep_body_is_refused_with_400_in_chinese(client, service, path, as_):
    answer = _post_raw(client, service, path, DEEP, as_=as_)
    assert answer.status_code == 400 and "嵌套" in answer.json()["error"]["message"]


@pytest.mark.parametrize("service", names.SERVICES)
def test_a_body_over_the_limit_is_refused_with_413_by_every_service(client, service):
    big = json.dumps({"complaint": "x" * (2 * 1024 * 1024)})
    url = client.line.url(service, "/healthz")
    answer = requests.get(url, data=big, timeout=30, headers={"Accept": "application/json"})
    assert answer.status_code == 413 and "请求过大" in answer.json()["error"]["message"]


def test_the_careless_values_of_the_report_are_refused_and_the_visit_can_still_be_signed(client, line):
    visit = Visit(line)
    visit.book()
    visit.check_in()
    path = f"/api/visits/{visit.visit_id}"
    for mileage in (10**30, 1.5):
        refused = client.request("POST", names.RECEPTION, path + "/walk-around", {"mileage_km": mileage}, as_="A001")
        assert refused.status_code == 400 and "mileage_km" in refused.json()["error"]["fields"]
    line_1e308 = {"lines": [{"kind": "part", "code": "P-OIL-5W30", "quantity": 1e308}], "mileage_km": 10**30}
    refused = client.request("POST", names.RECEPTION, path + "/order", line_1e308, as_="A001")
    assert refused.status_code == 400
    assert {"lines.0.quantity", "mileage_km"} <= set(refused.json()["error"]["fields"])
    nul = client.request("POST", names.RECEPTION, path + "/diagnosis", {"concern": "抖\u0000动"}, as_="A001")
    assert nul.status_code == 400 and nul.json()["error"]["field"] == "concern"
    signed = visit.write_and_sign_order()
    assert len(signed["versions"]) == 1 and signed["versions"][0]["signed"]["order"]["mileage_km"] == 35210


@pytest.mark.parametrize("year", [1900, 2999])
def test_an_appointment_in_1900_or_2999_is_refused_naming_starts_at(client, year):
    booking = make_booking()
    booking["starts_at"] = f"{year}-06-01T10:00:00+08:00"
    refused = client.request("POST", names.BOOKING, "/api/appointments", booking, as_="B001")
    assert refused.status_code == 400 and list(refused.json()["error"]["fields"]) == ["starts_at"]


def test_a_one_megabyte_complaint_is_refused(client):
    booking = {**make_booking(), "complaint": "吵" * 100_000}
    refused = client.request("POST", names.BOOKING, "/api/appointments", booking, as_="B001")
    assert refused.status_code == 400 and "complaint" in refused.json()["error"]["fields"]


FUZZED = [
    (names.STAFF, "/api/login", Login, "ADMIN"),
    (names.STAFF, "/api/staff", Register, "ADMIN"),
    (names.BOOKING, "/api/appointments", BookAppointment, "B001"),
    (names.BOOKING, "/api/customers", SaveCustomer, "B001"),
    (names.RECEPTION, "/api/visits", CheckIn, "A001"),
    (names.RECEPTION, "/api/visits/{visit}/walk-around", SheetEntries, "A001"),
    (names.RECEPTION, "/api/visits/{visit}/order", WriteOrder, "A001"),
]


@pytest.fixture(scope="module")
def fuzz_visit(module_line):
    visit = Visit(module_line)
    visit.book()
    visit.check_in()
    return visit.visit_id


@pytest.mark.parametrize("service,path,schema,as_", FUZZED, ids=[f"{s}{p}" for s, p, *_ in FUZZED])
def test_nothing_valid_looking_makes_a_5xx(client, fuzz_visit, service, path, schema, as_):
    url_path = path.format(visit=fuzz_visit)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=body_for(schema))
    def posted(body):
        answer = _post_raw(client, service, url_path, json.dumps(body), as_=as_)  # NaN too, as Python writes it
        assert answer.status_code < 500, f"{answer.status_code}: {answer.text[:300]}"

    posted()


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    body=st.recursive(
        st.none() | st.integers() | st.text(max_size=5), lambda c: st.lists(c) | st.dictionaries(st.text(max_size=4), c)
    )
)
def test_any_json_at_all_is_answered_below_500(client, body):
    answer = _post_raw(client, names.BOOKING, "/api/appointments", json.dumps(body), as_="B001")
    assert answer.status_code < 500, answer.text


# --- item 3: only local redirects --------------------------------------------------------------------------------


@pytest.mark.parametrize("service", names.SERVICES)
def test_the_language_switch_never_sends_the_browser_off_site(line, service):
    for evil in ("https:evil.example/x", "//evil.example/x", "/\\evil.example"):
        answer = requests.get(line.url(service, "/lang/en"), params={"next": evil}, allow_redirects=False, timeout=15)
        assert answer.status_code == 303 and answer.headers["Location"] in ("/", line.url(service, "/"))
    back = requests.get(line.url(service, "/lang/en"), params={"next": "/audit?x=1"}, allow_redirects=False, timeout=15)
    assert back.headers["Location"].endswith("/audit?x=1")


def test_sign_in_sends_back_only_to_the_lines_own_pages(line):
    from services.staff.seed import DEMO_PASSWORD

    def sign_in(next_url: str) -> str:
        session = requests.Session()
        form = session.get(line.url(names.STAFF, "/login"), timeout=15)
        assert form.status_code == 200
        answer = session.post(
            line.url(names.STAFF, "/login"),
            data={"staff_id": "A001", "password": DEMO_PASSWORD, "next": next_url},
            allow_redirects=False,
            timeout=15,
        )
        assert answer.status_code == 303
        return answer.headers["Location"]

    assert sign_in("https:evil.example/x") in ("/", line.url(names.STAFF, "/"))
    assert sign_in("https://evil.example/x") in ("/", line.url(names.STAFF, "/"))
    reception = line.url(names.RECEPTION, "/visits")
    assert sign_in(reception) == reception


# --- item 5: headers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("service", names.SERVICES)
def test_every_page_and_answer_carries_the_security_headers(client, line, service):
    for answer in (
        requests.get(line.url(service, "/"), timeout=15, allow_redirects=False),
        client.request("GET", service, "/api/audit?subject=x"),
        requests.get(line.url(service, "/static/kit.css"), timeout=15),
    ):
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp, answer.url
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "same-origin"


def test_the_session_and_language_cookies_are_httponly_and_samesite(line):
    from services.staff.seed import DEMO_PASSWORD

    signed_in = requests.post(
        line.url(names.STAFF, "/login"),
        data={"staff_id": "A001", "password": DEMO_PASSWORD, "next": "/"},
        allow_redirects=False,
        timeout=15,
    )
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith("as_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    lang = requests.get(line.url(names.BOOKING, "/lang/en"), allow_redirects=False, timeout=15).headers["Set-Cookie"]
    assert "HttpOnly" in lang and "SameSite=Lax" in lang


# --- item 4: sessions that end, sign-in throttled ----------------------------------------------------------------


def _token(line, staff_id: str, password: str) -> requests.Response:
    return requests.post(
        line.url(names.STAFF, "/api/login"), json={"staff_id": staff_id, "password": password}, timeout=15
    )


def _answers(line, service: str, token: str, path: str = "/api/contracts") -> int:
    return requests.get(line.url(service, path), headers={"Authorization": f"Bearer {token}"}, timeout=15).status_code


def _new_staff(client, roles: list[str]) -> str:
    staff_id = "Z" + uuid.uuid4().hex[:8].upper()
    new = {"staff_id": staff_id, "name": "测试员", "mobile": "13900000099", "department": "front_desk"}
    client.post(names.STAFF, "/api/staff", {**new, "roles": roles, "password": "pass-2026-x"}, as_="ADMIN", expect=201)
    return staff_id


def test_signing_out_ends_that_session_in_every_service_within_a_minute(client, line):
    staff_id = _new_staff(client, ["service_advisor"])
    token = _token(line, staff_id, "pass-2026-x").json()["token"]
    other = _token(line, staff_id, "pass-2026-x").json()["token"]
    assert {service: _answers(line, service, token) for service in names.SERVICES} == dict.fromkeys(names.SERVICES, 200)
    out = requests.post(line.url(names.STAFF, "/api/logout"), headers={"Authorization": f"Bearer {token}"}, timeout=15)
    assert out.status_code == 200
    eventually(
        lambda: all(_answers(line, service, token) == 401 for service in names.SERVICES), 60, what="sign-out everywhere"
    )
    assert all(_answers(line, service, other) == 200 for service in names.SERVICES)  # only that session ended


def test_new_roles_apply_everywhere_within_a_minute(client, line):
    staff_id = _new_staff(client, ["service_advisor"])
    old = _token(line, staff_id, "pass-2026-x").json()["token"]
    assert _answers(line, names.RECEPTION, old, "/api/visits") == 200
    client.post(names.STAFF, f"/api/staff/{staff_id}/roles", {"roles": ["technician"]}, as_="ADMIN", expect=200)
    eventually(
        lambda: all(_answers(line, service, old) == 401 for service in names.SERVICES), 60, what="old roles ended"
    )
    new = _token(line, staff_id, "pass-2026-x").json()["token"]
    assert _answers(line, names.RECEPTION, new, "/api/visits") == 403


def test_twenty_wrong_passwords_then_the_right_one_is_locked_out_and_audited(client, line):
    staff_id = _new_staff(client, ["cashier"])
    answers = [_token(line, staff_id, f"wrong-{i}").status_code for i in range(20)]
    assert answers[:5] == [422] * 5 and set(answers[5:]) == {429}
    locked = _token(line, staff_id, "pass-2026-x")
    assert locked.status_code == 429 and "登录失败次数过多" in locked.json()["error"]["message"]
    trail = [
        entry["action"] for entry in client.get(names.STAFF, f"/api/audit?subject={staff_id}", as_="ADMIN")["trail"]
    ]
    assert "sign_in_locked_out" in trail and trail.count("sign_in_failed") == 5


# --- item 1: a customer signature bound to its order and version -------------------------------------------------


def test_a_customer_signature_signs_only_the_order_it_was_captured_for_once(client, line):
    first, second = Visit(line), Visit(line)
    for visit in (first, second):
        visit.book()
        visit.check_in()
        visit.walk_around()
        visit.order_id = visit.write_order()["order_id"]
    technician = client.request("POST", names.RECEPTION, "/api/signatures", {"image": SIGNATURE_PNG}, as_="T001")
    assert technician.status_code == 403  # a technician captures no customer signature
    captured = client.post(
        names.RECEPTION, "/api/signatures", {"image": SIGNATURE_PNG, "order_id": first.order_id}, as_="A001", expect=201
    )
    assert captured["version"] == 1
    digest = {"customer_signature_sha256": captured["sha256"]}
    forged = client.request("POST", names.RECEPTION, f"/api/orders/{second.order_id}/sign", digest, as_="A001")
    assert forged.status_code == 422 and forged.json()["error"]["code"] == "signature_not_bound"
    signed = client.post(names.RECEPTION, f"/api/orders/{first.order_id}/sign", digest, as_="A001", expect=200)
    assert signed["versions"][0]["signed"]["order"]["customer_signature_sha256"] == captured["sha256"]
    again = client.request("POST", names.RECEPTION, f"/api/orders/{second.order_id}/sign", digest, as_="A001")
    assert again.status_code == 422


# --- items 8 and 11: described and observed ----------------------------------------------------------------------


@pytest.mark.parametrize("service", names.SERVICES)
def test_every_service_serves_its_openapi_document_and_its_metrics(line, service):
    doc = requests.get(line.url(service, "/openapi.json"), timeout=15)
    assert doc.status_code == 200 and doc.json()["openapi"] == "3.0.3"
    scraped = requests.get(line.url(service, "/metrics"), timeout=15)
    assert scraped.status_code == 200 and "aftersales_http_request_seconds_bucket" in scraped.text
    assert f'aftersales_outbox_backlog{{service="{service}"}}' in scraped.text
