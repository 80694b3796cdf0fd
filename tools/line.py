"""Start, watch and stop the six services as processes: used by `make run`, the tests and the benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from kombu import Connection

from contracts import names
from kit.config import HTTP_PORTS

from . import forkserver

ROOT = Path(__file__).resolve().parent.parent


def broker_reachable(amqp_uri: str, timeout: float = 3.0) -> str | None:
    """None when the broker answers, else the reason."""
    try:
        with Connection(amqp_uri, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1)
        return None
    except Exception as exc:  # noqa: BLE001
        return f"{exc.__class__.__name__}: {exc}"


@dataclass
class Line:
    """The six services as child processes sharing one environment (broker, namespace, var dir)."""

    env: dict[str, str]
    log_dir: Path
    host: str = "127.0.0.1"
    ports: dict[str, int] = field(default_factory=lambda: dict(HTTP_PORTS))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def url(self, service: str, path: str = "/") -> str:
        return f"http://{self.host}:{self.ports[service]}{path}"

    def start(self, services=names.SERVICES) -> None:
        for service in services:
            self.start_one(service)
        self.wait_healthy(services)

    def start_one(self, service: str) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            **self.env,
            "WEB_SERVER_ADDRESS": f"{self.host}:{self.ports[service]}",
            "SERVICE_PORTS": ",".join(f"{svc}={port}" for svc, port in self.ports.items()),
            "PYTHONUNBUFFERED": "1",
        }
        forked = forkserver.spawn(["kit.serve", service], env, ROOT, self.log_dir / f"{service}.log")
        if forked is not None:  # the tests: forked from the pre-imported fork server (tools/forkserver.py)
            self.processes[service] = forked
            return
        log = open(self.log_dir / f"{service}.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes[service] = subprocess.Popen(
            [sys.executable, "-m", "kit.serve", service],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, services=names.SERVICES, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        pending = list(services)
        while pending:
            service = pending[0]
            proc = self.processes.get(service)
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"{service} exited with {proc.returncode}; see {self.log_dir / service}.log")
            if self.healthy(service):
                pending.pop(0)
                continue
            if time.monotonic() > deadline:
                raise TimeoutError(f"{service} not healthy after {timeout}s; see {self.log_dir / service}.log")
            time.sleep(0.2)

    def healthy(self, service: str) -> bool:
        try:
            with urllib.request.urlopen(self.url(service, "/healthz"), timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def kill(self, service: str) -> None:
        """kill -9: no clean shutdown, in-flight work is lost to the process (not to the line)."""
        proc = self.processes.pop(service)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    def restart(self, service: str) -> None:
        self.start_one(service)
        self.wait_healthy([service])

    def stop(self, graceful: bool = True) -> None:
        """SIGTERM (nameko stops its consumers, lets running workers finish: about two seconds a service); or,
        with graceful=False, SIGKILL, for a line whose work is over and whose state nobody reads any more (the
        test fixtures' teardown): what the broker and the databases hold is then as after a crash, which the
        line is built to survive."""
        for proc in self.processes.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
        for proc in self.processes.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.processes.clear()
