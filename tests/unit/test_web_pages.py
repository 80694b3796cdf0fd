"""kit.web: a use case exposed as a page is written once — a form runs it, a refusal comes back beside its field
or flashed, a DomainError on a page request is a Chinese page rather than JSON."""

from __future__ import annotations

import json

import pytest
from werkzeug.http import parse_cookie
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from kit.errors import DomainError, NotFound
from kit.web import FLASH_COOKIE, form_action, not_found_page, refused_page


def posted(path: str = "/visits/v-1/damages", **form) -> Request:
    request = Request(EnvironBuilder(path=path, method="POST", data=form).get_environ())
    request.locale, request.staff, request.csrf_token = "zh_CN", None, ""
    return request


def flashed(response) -> list:
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(FLASH_COOKIE))
    return json.loads(parse_cookie(cookie.split(";")[0])[FLASH_COOKIE])


def test_a_form_that_succeeds_goes_on_to_the_next_page_with_its_message():
    response = form_action(posted(), lambda: {"id": 7}, done=lambda r: f"/orders/{r['id']}", ok="Damage marked")
    assert response.status_code == 303 and response.headers["Location"].endswith("/orders/7")
    assert flashed(response)[:2] == ["ok", "Damage marked"]


def test_a_refused_form_is_shown_again_with_the_chinese_error_beside_its_field():
    shown = {}

    def form_page(errors, status):
        shown.update(errors=errors, status=status)
        return "the form again"

    def refuse():
        raise DomainError(
            "Mileage cannot be lower than the last reading of {last_km} km", field="mileage_km", last_km=9
        )

    assert form_action(posted(), refuse, done="/visits/v-1", form_page=form_page) == "the form again"
    assert shown["status"] == 422 and list(shown["errors"]) == ["mileage_km"]
    assert "里程" in shown["errors"]["mileage_km"][0]


def test_a_refused_form_without_its_own_page_flashes_the_error_where_it_came_from():
    def refuse():
        raise DomainError("No car is waiting", field="bay", code="nobody_waiting")

    response = form_action(posted("/pre-inspection/call"), refuse, done="/pre-inspection", ok="called")
    assert response.status_code == 303 and response.headers["Location"].endswith("/pre-inspection")
    assert flashed(response)[:2] == ["error", "No car is waiting"]


def test_a_domain_error_on_a_page_is_a_page_with_its_status_in_chinese():
    request = posted("/orders/o-1/pdf")
    refused = refused_page(
        "reception", request, DomainError("The order is not signed yet; only a signed order is printed")
    )
    assert refused.status_code == 422 and refused.mimetype == "text/html"
    assert "签" in refused.get_data(as_text=True)
    missing = refused_page("reception", request, NotFound("Work order not found"))
    assert missing.status_code == 404 and 'data-status="404"' in missing.get_data(as_text=True)
    assert not_found_page("reception", request).status_code == 404


def test_a_call_that_does_not_fit_its_handler_is_refused_every_time_one_that_fits_is_checked_once():
    """kit.web.Api checks nameko's signature once per shape of call (how many arguments, which names)."""
    from types import SimpleNamespace

    from nameko.exceptions import IncorrectSignature

    from kit.web import Api

    class Service:
        def order(self, request, order_id): ...

    entrypoint = Api("GET", "/api/orders/<order_id>", public=True)
    entrypoint.container, entrypoint.method_name = SimpleNamespace(service_cls=Service), "order"
    entrypoint._shapes_that_fit = set()
    entrypoint.check_signature(("request",), {"order_id": "RO-1"})
    entrypoint.check_signature(("request",), {"order_id": "RO-2"})
    assert entrypoint._shapes_that_fit == {(1, ("order_id",))}
    for _ in range(2):
        with pytest.raises(IncorrectSignature):
            entrypoint.check_signature(("request",), {"visit_id": "V-1"})
    assert entrypoint._shapes_that_fit == {(1, ("order_id",))}
