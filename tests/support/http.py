"""Talking to the services only through their public HTTP interface, and waiting without bare sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests

T = TypeVar("T")


def call(method: str, url: str, json: Any = None, expect: int | None = None) -> Any:
    response = requests.request(method, url, json=json, timeout=15)
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
        except (requests.RequestException, KeyError, AssertionError) as exc:
            last = exc
        else:
            if last:
                return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")
