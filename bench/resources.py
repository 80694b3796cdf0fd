"""Per service: CPU seconds over a phase and peak resident memory (psutil); the CPU seconds of the rest of the
machine's work over a phase (the broker, the bench's own driver, the machine in all); and a department page's
response times while a phase runs."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

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

    def __init__(self, line: Line, amqp_uri: str | None = None, interval: float = 0.5):
        super().__init__(daemon=True, name="bench-resources")
        self.interval = interval
        self.processes = {svc: psutil.Process(p.pid) for svc, p in line.processes.items()} if psutil else {}
        self.meter = CpuMeter({"driver": [psutil.Process()]}, amqp_uri) if psutil else None
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

    def machine(self) -> dict[str, float]:
        """CPU seconds so far of the broker (when it runs here and can be read), of this process (the bench's driver,
        all its threads) and of the whole machine, to subtract at the ends of a phase (CpuMeter)."""
        return self.meter.read() if self.meter else {}

    def peak_mb(self) -> dict[str, float]:
        self.sample()
        return {svc: rss / 2**20 for svc, rss in self.peak_rss.items()}

    def stop(self) -> None:
        self._halt.set()
        self.join(5)


def cpu_between(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {svc: after[svc] - before[svc] for svc in after if svc in before}


class CpuMeter:
    """CPU seconds (user + system) so far of named groups of processes, of the broker as "broker" (when it runs here
    and can be read: broker_process) and of the whole machine as "machine" (every CPU's time not idle)."""

    def __init__(self, groups: dict[str, list], amqp_uri: str | None):
        broker = broker_process(amqp_uri) if amqp_uri else None
        self.groups = {**({"broker": [broker]} if broker else {}), **groups}

    def read(self) -> dict[str, float]:
        out = {"machine": busy_seconds(psutil.cpu_times())}
        for name, processes in self.groups.items():
            try:
                out[name] = sum(t.user + t.system for t in (p.cpu_times() for p in processes))
            except psutil.Error:  # a process gone: its group's figure is n/a
                pass
        return out


def busy_seconds(times) -> float:
    """A machine's CPU seconds not idle, from psutil.cpu_times(): every field but idle and iowait (guest time is
    inside user already)."""
    fields = times._asdict()
    return sum(v for k, v in fields.items() if k not in ("idle", "iowait", "guest", "guest_nice"))


def broker_process(amqp_uri: str):
    """RabbitMQ's Erlang VM when it runs on this machine, listening on the URI's port, and its CPU times can be read;
    None otherwise (a broker in a container of another machine, or another user's process): its figure is n/a."""
    parts = urlsplit(amqp_uri)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    port = parts.port or 5672
    for proc in psutil.process_iter(["name"]):
        if proc.info["name"] != "beam.smp":
            continue
        try:
            if any(c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN for c in proc.net_connections()):
                proc.cpu_times()
                return proc
        except psutil.Error:
            continue
    return None


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
