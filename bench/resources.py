"""Per service: CPU seconds over a phase and peak resident memory (psutil), and a department page's response
times while a phase runs."""

from __future__ import annotations

import threading
import time

from contracts import names
from tools.line import Line

from .measure import percentile

try:
    import psutil
except ImportError:  # pragma: no cover - psutil comes with the test extra; without it these figures are n/a
    psutil = None


class Resources(threading.Thread):
    """Samples every service's resident memory every half second, keeping each one's peak; `cpu()` gives each
    one's CPU seconds (user + system) so far, to subtract at the ends of a phase."""

    def __init__(self, line: Line, interval: float = 0.5):
        super().__init__(daemon=True, name="bench-resources")
        self.interval = interval
        self.processes = {svc: psutil.Process(p.pid) for svc, p in line.processes.items()} if psutil else {}
        self.peak_rss: dict[str, int] = dict.fromkeys(self.processes, 0)
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        for svc, proc in self.processes.items():
            try:
                self.peak_rss[svc] = max(self.peak_rss[svc], proc.memory_info().rss)
            except psutil.Error:
                pass

    def cpu(self) -> dict[str, float]:
        out = {}
        for svc, proc in self.processes.items():
            try:
                times = proc.cpu_times()
                out[svc] = times.user + times.system
            except psutil.Error:
                out[svc] = float("nan")
        return out

    def peak_mb(self) -> dict[str, float]:
        self.sample()
        return {svc: rss / 2**20 for svc, rss in self.peak_rss.items()}

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


def cpu_between(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {svc: after[svc] - before.get(svc, 0.0) for svc in after}


class PageWatch(threading.Thread):
    """Opens a department page (the workshop's dispatch board, as its dispatcher) every `interval` seconds while
    a phase runs: p50/p95 of its response times, and any answer that was not 200."""

    def __init__(
        self, client, service: str = names.WORKSHOP, path: str = "/dispatch", as_: str = "D001", interval: float = 0.5
    ):
        super().__init__(daemon=True, name="bench-page")
        self.client, self.service, self.path, self.as_, self.interval = client, service, path, as_, interval
        self.times_ms: list[float] = []
        self.errors: list[str] = []
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            t0 = time.perf_counter()
            try:
                response = self.client.request("GET", self.service, self.path, as_=self.as_)
                if response.status_code != 200:
                    self.errors.append(f"{response.status_code}")
                else:
                    self.times_ms.append((time.perf_counter() - t0) * 1000)
            except Exception as exc:  # noqa: BLE001 - counted
                self.errors.append(exc.__class__.__name__)
            self._halt.wait(self.interval)

    def stop(self) -> dict:
        self._halt.set()
        self.join(20)
        ordered = sorted(self.times_ms)
        return {
            "page": f"{self.service}{self.path}",
            "n": len(ordered),
            "p50_ms": percentile(ordered, 0.50),
            "p95_ms": percentile(ordered, 0.95),
            "errors": len(self.errors),
        }
