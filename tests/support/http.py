"""Talking to the services only through their public HTTP interface, and waiting without bare sleeps."""

from __future__ import annotations

import json as jsonlib
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import requests
import urllib3

from contracts import names
from services.staff.seed import DEMO_PASSWORD

T = TypeVar("T")
READER = "M001"  # the service manager may look at every department's data


def call(method: str, url: str, json: Any = None, expect: int | None = None, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.request(method, url, json=json, timeout=15, headers=headers)
    if expect is not None:
        assert response.status_code == expect, f"{method} {url} -> {response.status_code}: {response.text}"
    return response.json() if response.content else None


def eventually(
    probe: Callable[[], T | None], timeout: float = 30.0, interval: float = 0.1, what: str = "condition"
) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (requests.RequestException, urllib3.exceptions.HTTPError, KeyError, AssertionError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


class Client:
    """A line's HTTP API as staff members use it: each call signed in as someone (demo staff)."""

    def __init__(self, line, minted: bool = False, keep_alive: bool = False):
        """`minted`: issue demo staff sessions locally with the line's shared secret, for service tests
        that run without the staff service; otherwise sign in through the staff service. `keep_alive`: each
        thread keeps its connections open between requests, as a department's browser does (the benchmark);
        otherwise every request opens a connection of its own. A kept connection is urllib3's, without requests'
        cookie jar, hooks and environment merging: the benchmark's driver shares the machine with the line it
        measures, and its process took about a quarter less CPU so (a 256-visit sweep: 5.8, 6.3 -> 4.4, 4.3 s)."""
        self.line = line
        self.minted = minted
        self._tokens: dict[str, str] = {}
        self._threads = threading.local() if keep_alive else None

    def token(self, staff_id: str) -> str:
        if staff_id not in self._tokens and self.minted:
            self._tokens[staff_id] = _mint(self.line, staff_id)
        if staff_id not in self._tokens:
            answer = call(
                "POST",
                self.line.url(names.STAFF, "/api/login"),
                {"staff_id": staff_id, "password": DEMO_PASSWORD},
                expect=200,
            )
            self._tokens[staff_id] = answer["token"]
        return self._tokens[staff_id]

    def _send(self) -> Callable[..., requests.Response | Answer]:
        if self._threads is None:
            return requests.request
        if not hasattr(self._threads, "pool"):
            self._threads.pool = urllib3.PoolManager(retries=False)  # the line's own addresses: no proxy
        return partial(_kept, self._threads.pool)

    def request(self, method: str, service: str, path: str, body: Any = None, as_: str = READER) -> requests.Response:
        return self._send()(
            method,
            self.line.url(service, path),
            json=body,
            timeout=15,
            headers={"Authorization": f"Bearer {self.token(as_)}"},
        )

    def get(self, service: str, path: str, as_: str = READER, expect: int = 200) -> Any:
        response = self.request("GET", service, path, as_=as_)
        assert response.status_code == expect, f"GET {service}{path} -> {response.status_code}: {response.text}"
        return response.json()

    def post(self, service: str, path: str, body: Any, as_: str, expect: int | None = None) -> Any:
        response = self.request("POST", service, path, body, as_=as_)
        if expect is not None:
            assert response.status_code == expect, f"POST {service}{path} -> {response.status_code}: {response.text}"
        return response.json() if response.content else None

    def get_if(self, service: str, path: str, as_: str = READER) -> Any:
        """The answer when 200, else None (for polling)."""
        response = self.request("GET", service, path, as_=as_)
        return response.json() if response.status_code == 200 else None

    def post_if(self, service: str, path: str, body: Any, as_: str, ok: int = 201) -> Any:
        response = self.request("POST", service, path, body, as_=as_)
        return response.json() if response.status_code == ok else None


class Answer:
    """What a request on a kept connection answers: what the tests and the bench read of a requests.Response."""

    def __init__(self, status_code: int, content: bytes):
        self.status_code, self.content = status_code, content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)


def _kept(pool: urllib3.PoolManager, method: str, url: str, json: Any = None, timeout: float = 15, headers=None):
    headers = dict(headers or {})
    body = None
    if json is not None:
        body = jsonlib.dumps(json, allow_nan=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
    answer = pool.request(method, url, body=body, headers=headers, timeout=timeout, retries=False)
    return Answer(answer.status, answer.data)


def _mint(line, staff_id: str) -> str:
    from pathlib import Path

    from kit.auth import Sessions, StaffMember, load_or_create_secret
    from services.staff.seed import STAFF

    name, roles = next((name, roles) for sid, name, _m, _d, roles in STAFF if sid == staff_id)
    secret = load_or_create_secret(Path(line.env["VAR_DIR"]) / "keys")
    return Sessions(secret).issue(StaffMember(staff_id=staff_id, name=name, roles=tuple(roles)))
