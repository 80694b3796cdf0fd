"""Every route is fenced: 401 without a session, 403 for a role without the action (issue #3)."""

import importlib
import re

import pytest
import requests

from contracts import names
from kit.auth import ROLES, Sessions, StaffMember, load_or_create_secret
from kit.web import Api
from tests.support.permissions import PERMISSIONS, allowed

pytestmark = pytest.mark.e2e


def routes(service: str):
    """(method, url rule, action, public) of every HTTP entrypoint of the service class."""
    cls = importlib.import_module(f"services.{service}.service").Service
    found = set()
    for attr in dir(cls):
        for entrypoint in getattr(getattr(cls, attr), "nameko_entrypoints", ()):
            if isinstance(entrypoint, Api):
                found.add((entrypoint.method, entrypoint.url, entrypoint.action, entrypoint.public))
    return sorted(found, key=lambda r: (r[1], r[0]))


def concrete(url: str) -> str:
    url = re.sub(r"<any\((\w+)[^)]*\):\w+>", lambda m: m.group(1), url)  # <any(approve,reject):decision>
    return re.sub(r"<(int:)?(\w+)>", lambda m: "1" if m.group(1) else "x-" + m.group(2), url)


ALL_ROUTES = [(service, *route) for service in names.SERVICES for route in routes(service)]


def test_the_route_table_is_not_empty_and_every_action_is_known():
    assert len(ALL_ROUTES) > 30
    assert {action for *_, action, public in ALL_ROUTES if not public} <= set(PERMISSIONS)


def test_every_route_but_health_and_sign_in_answers_401_without_a_session(line):
    public = set()
    for service, method, url, _action, is_public in ALL_ROUTES:
        if is_public:
            public.add(f"{service} {method} {url}")
            continue
        response = requests.request(
            method, line.url(service, concrete(url)), json={}, timeout=10, allow_redirects=False
        )
        assert response.status_code == 401, f"{service} {method} {url} -> {response.status_code}"
        if url.startswith("/api/"):
            assert response.json()["error"]["code"] == "unauthenticated"
        else:
            assert "请先登录" in response.text
    # every service: health, the UI kit's static assets and the language switch (usable before signing in), its
    # metrics for the monitoring and its interface description (issue 12: counts and schemas, no data)
    kit_public = (
        "GET /healthz",
        "GET /static/<path:path>",
        "GET /lang/<code>",
        "GET /metrics",
        "GET /openapi.json",
    )
    assert public == {f"{svc} {route}" for svc in names.SERVICES for route in kit_public} | {
        "staff GET /login",
        "staff POST /login",
        "staff POST /api/login",
    }


def test_a_forged_or_expired_session_is_refused(line):
    url = line.url(names.BILLING, "/api/invoices")
    forged = Sessions("not-the-dealership-secret").issue(StaffMember("C001", "吴静", ("cashier",)))
    assert requests.get(url, headers={"Authorization": f"Bearer {forged}"}, timeout=10).status_code == 401
    expired = Sessions(load_or_create_secret(_key_dir(line)), max_age_hours=-1)
    token = Sessions(load_or_create_secret(_key_dir(line))).issue(StaffMember("C001", "吴静", ("cashier",)))
    assert expired.verify(token) is None


def test_role_matrix_each_role_against_each_protected_action(line):
    """Each role, with a session of that role alone, against every protected route: allowed or 403."""
    sessions = Sessions(load_or_create_secret(_key_dir(line)))
    mismatches = []
    for role in ROLES:
        for service, method, url, action, is_public in ALL_ROUTES:
            if is_public:
                continue
            # a session each: signing out (POST /logout, /api/logout) ends the one it is sent with
            headers = {"Authorization": f"Bearer {sessions.issue(StaffMember(f'R-{role}', role, (role,)))}"}
            response = requests.request(
                method, line.url(service, concrete(url)), json={}, headers=headers, timeout=10, allow_redirects=False
            )
            refused = response.status_code == 403
            if refused == allowed(action, (role,)) or response.status_code == 401:
                mismatches.append(f"{role} {service} {method} {url} ({action}) -> {response.status_code}")
    assert mismatches == []


def test_the_matrix_says_what_the_dealership_expects():
    """Issue #3's examples, read straight off the permission table."""
    assert not allowed("reception.sign_order", ("technician",))
    assert not allowed("workshop.dispatch", ("cashier",))
    assert not allowed("billing.view", ("followup_agent",))  # a follow-up agent sees no prices
    assert not allowed("reception.view", ("followup_agent",))
    assert allowed("reception.sign_order", ("service_advisor",))
    assert allowed("billing.pay", ("cashier",))


def _key_dir(line):
    from pathlib import Path

    return Path(line.env["VAR_DIR"]) / "keys"
