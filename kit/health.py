"""A health check's answer kept for a few seconds (kit clock), so that `/healthz` polled by a load balancer, a
container runtime and a monitor at once costs one broker connection every few seconds, not one per call."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from . import clock as kit_clock

BROKER_CHECK_SECONDS = 5.0  # an answer "ok" is kept this long
FAILED_CHECK_SECONDS = 1.0  # a failure only this long: a recovered broker shows as such within a second


class CachedCheck:
    """`check()` is `probe()` (a string: "ok" or the error), asked again only when its answer is older than
    `ok_seconds` ("ok") or `failed_seconds` (anything else) by the kit clock; calls made meanwhile, and calls made
    while one is asking, share that answer."""

    def __init__(
        self,
        probe: Callable[[], str],
        ok_seconds: float = BROKER_CHECK_SECONDS,
        failed_seconds: float = FAILED_CHECK_SECONDS,
        clock: Callable[[], datetime] = kit_clock.now,
    ):
        self.probe = probe
        self.ok_for = timedelta(seconds=ok_seconds)
        self.failed_for = timedelta(seconds=failed_seconds)
        self.clock = clock
        self._lock = threading.Lock()  # green under nameko (monkey-patched): one probe at a time
        self._answer: str | None = None
        self._at: datetime | None = None

    def __call__(self) -> str:
        with self._lock:
            now = self.clock()
            if self._at is not None and self._answer is not None:
                age = now - self._at
                if timedelta(0) <= age < (self.ok_for if self._answer == "ok" else self.failed_for):
                    return self._answer
            self._answer, self._at = self.probe(), now
            return self._answer
