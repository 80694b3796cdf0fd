"""Issue 12: redirects stay on the line (item 3)."""

from __future__ import annotations

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from kit.security import local_redirect

PORTS = (8000, 8001, 8002)


def _request(host="dealer.example:8000") -> Request:
    return Request(EnvironBuilder(path="/login", base_url=f"http://{host}/").get_environ())


@pytest.mark.parametrize(
    "target",
    [
        "https:evil.example/x",
        "http:evil.example",
        "//evil.example/x",
        "/\\evil.example/x",
        "\\\\evil.example",
        "/\t/evil.example",
        "https://evil.example/x",
        "http://dealer.example.evil.example:8001/",
        "http://dealer.example@evil.example:8001/",
        "http://user:pw@dealer.example:8001/",
        "http://dealer.example:9999/",
        "http://dealer.example:99999999/",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "x/relative",
        "",
        None,
    ],
)
def test_an_off_site_or_odd_target_goes_home(target):
    assert local_redirect(target, _request(), PORTS) == "/"


@pytest.mark.parametrize("target", ["/", "/visits/1?tab=sheet", "/orders/2/sign#pad"])
def test_a_local_path_is_kept(target):
    assert local_redirect(target) == target
    assert local_redirect(target, _request(), PORTS) == target


def test_a_page_of_another_service_of_the_line_on_the_same_host_is_kept_for_sign_in():
    assert local_redirect("http://dealer.example:8002/visits", _request(), PORTS) == "http://dealer.example:8002/visits"
    assert local_redirect("http://DEALER.example:8001/", _request(), PORTS) == "http://DEALER.example:8001/"
    # without the line's ports (the language switch) only a path of this service
    assert local_redirect("http://dealer.example:8002/visits", _request()) == "/"
