"""Issue 12: redirects stay on the line (item 3); pages carry no inline script (item 5)."""

from __future__ import annotations

import re
import time
from pathlib import Path

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


# --- item 5: no inline script for the Content-Security-Policy to allow ----------------------------------------

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "kit/templates").glob("*.html")) + sorted((ROOT / "services").glob("*/templates/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"""\s(on[a-z]+)\s*=\s*["']|javascript:|hx-on""", re.IGNORECASE)


def test_the_templates_are_found():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_has_an_inline_script_or_event_handler(template):
    text = template.read_text(encoding="utf-8")
    assert not INLINE_SCRIPT.search(text), "move the script to kit/static/ and load it with src="
    assert not INLINE_HANDLER.search(text), "wire the handler from a script file (addEventListener)"


def test_the_check_finds_an_inline_script_and_a_handler():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>") and not INLINE_SCRIPT.search('<script src="/x.js">')
    assert INLINE_HANDLER.search('<button onclick="x()">') and not INLINE_HANDLER.search('<button data-on="x">')


# --- item 4: sessions that end, sign-in throttled ----------------------------------------------------------------


def test_a_token_names_its_session_and_a_revoked_one_is_refused():
    from kit.auth import Sessions, StaffMember

    ended: set[str] = set()
    tokens = Sessions("secret", revoked=lambda staff_id, jti, iat: jti in ended)
    member = StaffMember("A001", "王芳", ("service_advisor",))
    token = tokens.issue(member)
    claims = tokens.claims(token)
    assert claims["jti"] and isinstance(claims["iat"], int)
    assert tokens.verify(token) == member
    ended.add(claims["jti"])
    assert tokens.verify(token) is None
    assert tokens.claims(token + "x") is None


def test_a_token_verified_once_still_expires_and_a_changed_copy_is_still_refused(monkeypatch):
    """Sessions keeps the tokens whose signature checked out: their age is checked at every request all the same."""
    from kit import auth

    tokens = auth.Sessions("secret", max_age_hours=1)
    member = auth.StaffMember("A001", "王芳", ("service_advisor",))
    token = tokens.issue(member)
    assert tokens.verify(token) == member and tokens.verify(token) == member  # the second from what was kept
    tokens.claims(token)["sid"] = "M001"  # what a caller does with its copy changes nothing kept
    assert tokens.verify(token) == member
    assert tokens.claims(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")) is None  # forged: never kept
    signed_at = time.time()
    monkeypatch.setattr(auth.time, "time", lambda: signed_at + 3600 + 2)  # an hour and two seconds on
    assert tokens.verify(token) is None
    monkeypatch.setattr(auth.time, "time", lambda: signed_at - 10)  # a clock set back before it was signed
    assert tokens.verify(token) is None
    monkeypatch.setattr(auth.time, "time", lambda: signed_at)
    assert tokens.verify(token) == member  # verified again from its signature


def test_the_tokens_kept_are_bounded(monkeypatch):
    from kit import auth

    monkeypatch.setattr(auth, "VERIFIED_TOKENS_KEPT", 3)
    tokens = auth.Sessions("secret")
    issued = [tokens.issue(auth.StaffMember(f"A00{i}", "王芳", ("service_advisor",))) for i in range(5)]
    assert all(tokens.verify(t) is not None for t in issued)
    assert list(tokens._verified) == issued[2:]


def test_the_lockout_needs_enough_recent_failures_and_ends():
    from datetime import UTC, datetime, timedelta

    from services.staff.domain import FAILURE_WINDOW, LOCKOUT, locked_until

    now = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    recent = [now - timedelta(minutes=m) for m in (4, 3, 2, 1, 0)]
    assert locked_until(recent, now, 5) == now + LOCKOUT
    assert locked_until(recent[1:], now, 5) is None
    old = [now - FAILURE_WINDOW - timedelta(minutes=1)] + recent[1:]
    assert locked_until(old, now, 5) is None
    assert locked_until(recent, now + LOCKOUT + timedelta(seconds=1), 5) is None


@pytest.mark.parametrize(
    "page",
    [
        "/visits?x=1&next=https://evil.example/",
        "/orders/o-1?tab=lines#sign",
        "/search?q=%E7%8E%8B%20%26%20%E6%9D%8E",
    ],
)
def test_the_sign_in_link_carries_the_page_asked_for_as_one_encoded_value(page):
    """The refusal page's sign-in link (kit.web.refusal_response): `next` is the whole URL of the page asked for,
    URL-encoded, so its own `&` or `next=` cannot become parameters of the sign-in; the sign-in then sends the
    browser back there (a page of the line) and nowhere else."""
    from urllib.parse import parse_qs, urlsplit

    from kit.security import sign_in_url

    request = Request(EnvironBuilder(path=page.split("#")[0], base_url="http://dealer.example:8002/").get_environ())
    link = sign_in_url(request, 8000)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == ("http", "dealer.example:8000", "/login", "")
    query = parse_qs(parts.query)
    assert list(query) == ["next"] and query["next"] == [request.url]
    assert request.url.startswith("http://dealer.example:8002/")
    assert local_redirect(query["next"][0], _request(), PORTS) == request.url
