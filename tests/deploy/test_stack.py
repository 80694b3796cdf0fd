"""The line run from its image (issue 16): two dealerships started side by side from deploy/compose.host.yaml on
the host's RabbitMQ and PostgreSQL, each configured by nothing but its environment file (derived here from
deploy/dealer-host.env.example by changing values only); every /healthz and every container's own health check;
one whole visit, booking desk to follow-up call, through one dealership's HTTP API, which the other never sees.

Needs a built image and a container engine: .ci/run's container stage (deploy/ci-stage.sh) sets STACK_COMPOSE (the
compose command) and runs this module; anywhere else it is skipped. The figures it measures (image size, seconds
from `up` to all seven healthy) are written to var/deploy/figures.json for the stage to print.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import requests
from kombu import Connection

from contracts import names
from tests.support.http import eventually
from tests.support.infra import free_port

ROOT = Path(__file__).resolve().parents[2]
HOST_STACK = ROOT / "deploy" / "compose.host.yaml"
EXAMPLE_ENV = ROOT / "deploy" / "dealer-host.env.example"
PROVISION = ROOT / "deploy" / "provision-host.sh"
FIGURES = ROOT / "var" / "deploy" / "figures.json"
COMPOSE = shlex.split(os.environ.get("STACK_COMPOSE", ""))
ENGINE = os.environ.get("STACK_ENGINE", "podman")
IMAGE = os.environ.get("STACK_IMAGE", "localhost/aftersales:latest")
# Compose takes a variable from the process environment over the env file: pass it only what the engine needs, so
# that what the test runs with (AMQP_URI, DATABASE_URL, SEED ...) cannot stand in for a dealership's settings.
COMPOSE_ENV = {
    k: v
    for k, v in os.environ.items()
    if k in {"PATH", "HOME", "LANG", "CONTAINERS_CONF", "DOCKER_HOST", "XDG_RUNTIME_DIR"}
}
HEALTHY_WITHIN = 240  # seconds: first start migrates and seeds seven databases, on a shared 2-core machine

pytestmark = [
    pytest.mark.skipif(
        not COMPOSE,
        reason="the container stage of .ci/run runs it (STACK_COMPOSE: the compose command, after make image)",
    ),
    pytest.mark.timeout(900),  # the first test's setup starts both dealerships
]


@dataclass
class Dealership:
    env_file: Path
    env: dict[str, str]
    ports: dict[str, int] = field(default_factory=dict)

    def compose(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        command = [*COMPOSE, "--env-file", str(self.env_file), "-f", str(HOST_STACK), *args]
        done = subprocess.run(command, cwd=ROOT, env=COMPOSE_ENV, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, (
            f"{shlex.join(command)} -> {done.returncode}\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
        )
        return done

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    def health(self, services=names.SERVICES) -> dict[str, dict]:
        answers = {}
        for service in services:
            try:
                answers[service] = requests.get(self.url(service, "/healthz"), timeout=3).json()
            except (requests.RequestException, ValueError) as exc:
                answers[service] = {"status": repr(exc)}
        return answers

    def containers(self) -> list[str]:
        listed = subprocess.run(
            [
                ENGINE,
                "ps",
                "-a",
                "--format",
                "{{.Names}}",
                "--filter",
                f"label=com.docker.compose.project={self.env['STACK_NAME']}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return listed.stdout.split()

    def up(self) -> float:
        """The migration step, then the seven services; seconds from `up` to every /healthz answering ok."""
        try:  # the dealership's vhost takes connections (a broker that cannot start it fails here, by name)
            with Connection(self.env["AMQP_URI"], connect_timeout=15) as broker:
                broker.ensure_connection(max_retries=2)
        except Exception as exc:  # noqa: BLE001
            raise AssertionError(f"the broker does not open vhost of {self.env['AMQP_URI']}: {exc!r}") from exc
        started = time.monotonic()
        self.compose("--profile", "migrate", "run", "--rm", "migrate")
        self.compose("up", "-d")
        waiting = set(names.SERVICES)

        def all_healthy() -> bool:
            # each /healthz opens a connection to the broker: ask only those not healthy yet
            waiting.difference_update(s for s, h in self.health(sorted(waiting)).items() if h.get("status") == "ok")
            return not waiting

        try:
            eventually(all_healthy, timeout=HEALTHY_WITHIN, interval=0.25, what="all seven services healthy")
            return time.monotonic() - started
        except AssertionError:
            pass
        logs = {
            c: subprocess.run([ENGINE, "logs", "--tail", "15", c], capture_output=True, text=True)
            for c in self.containers()
        }
        raise AssertionError(
            f"not all healthy after {HEALTHY_WITHIN}s: {self.health()}\n"
            + "\n".join(f"--- {c}\n{p.stdout[-1500:]}{p.stderr[-1500:]}" for c, p in logs.items())
        )


def _dealership(tmp_path: Path, tag: str) -> Dealership:
    """The example env file with this dealership's values: ids, vhost, databases, ports and secrets of its own."""
    amqp = urlsplit(os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"))
    database = urlsplit(os.environ.get("DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"))
    ports = {service: free_port() for service in names.SERVICES}
    values = {
        "STACK_NAME": f"aftersales-ci-{tag}",
        "DEALER_ID": f"CI-{tag.upper()}",
        "DEALER_NAME": f"测试店{tag}",
        "SEED": "demo",
        "IMAGE": IMAGE,
        "AMQP_URI": f"amqp://{amqp.netloc}/ci-{tag}",
        "POSTGRES_URL": f"postgresql+psycopg2://{database.netloc}",
        "DATABASE_PREFIX": f"ci_{tag.replace('-', '_')}_",
        "SECRETS_DIR": str(tmp_path / f"{tag}-secrets"),
        "LISTEN_ADDRESS": "127.0.0.1",
        **{f"{service.upper()}_PORT": str(port) for service, port in ports.items()},
    }
    lines = []
    for line in EXAMPLE_ENV.read_text(encoding="utf-8").splitlines():
        key = line.partition("=")[0]
        lines.append(f"{key}={values.pop(key)}" if key in values and not line.startswith("#") else line)
    assert not values, f"the example env file lacks {sorted(values)}"
    env_file = tmp_path / f"{tag}.env"
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return Dealership(env_file, env, ports)


def _provision(dealership: Dealership, *args: str) -> None:
    admin = urlsplit(os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    env = {**os.environ, "PG_ADMIN_URL": f"postgresql://{admin.netloc}{admin.path}"}
    done = subprocess.run([str(PROVISION), str(dealership.env_file), *args], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def dealerships(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("dealerships")
    run = os.environ.get("STACK_RUN") or uuid.uuid4().hex[:6]  # names unique to this run: others may run beside
    first, second = _dealership(tmp_path, f"{run}-a"), _dealership(tmp_path, f"{run}-b")
    figures = {}
    try:
        for dealership in (first, second):
            _provision(dealership)
        figures["first_up_to_healthy_s"] = round(first.up(), 1)
        figures["second_up_to_healthy_s"] = round(second.up(), 1)
        yield first, second
    finally:
        for dealership in (first, second):
            subprocess.run(
                [*COMPOSE, "--env-file", str(dealership.env_file), "-f", str(HOST_STACK), "down"],
                cwd=ROOT,
                env=COMPOSE_ENV,
                capture_output=True,
                timeout=300,
            )
            _provision(dealership, "--drop")
        size = subprocess.run(
            [ENGINE, "image", "inspect", IMAGE, "--format", "{{.Size}}"], capture_output=True, text=True
        )
        figures["image_mb"] = round(int(size.stdout.strip() or 0) / 1e6)
        FIGURES.parent.mkdir(parents=True, exist_ok=True)
        FIGURES.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def _health_check_passes(container: str) -> bool:
    """The image's own health check: podman runs it on demand here (no systemd timers for it on this machine);
    docker runs it by itself, so its last state is read (`starting` for at most the start period)."""
    if ENGINE == "podman":
        return subprocess.run([ENGINE, "healthcheck", "run", container], capture_output=True).returncode == 0

    def settled() -> str | None:
        state = subprocess.run(
            [ENGINE, "inspect", "--format", "{{.State.Health.Status}}", container], capture_output=True, text=True
        ).stdout.strip()
        return None if state == "starting" else state

    try:
        return eventually(settled, timeout=60, interval=0.25, what=f"{container}'s health check") == "healthy"
    except AssertionError:
        return False


def test_both_dealerships_answer_healthy_from_every_service_and_every_container_health_check(dealerships):
    for dealership in dealerships:
        health = dealership.health()
        assert {s: h.get("status") for s, h in health.items()} == dict.fromkeys(names.SERVICES, "ok"), health
        containers = dealership.containers()
        assert len(containers) == len(names.SERVICES), containers  # the migration step ran and was removed
        for container in containers:
            assert _health_check_passes(container), container
        vhost = unquote(urlsplit(dealership.env["AMQP_URI"]).path[1:])
        queues = subprocess.run(
            ["rabbitmqctl", "--timeout", "60", "-q", "list_queues", "-p", vhost, "name"], capture_output=True, text=True
        )
        assert "hq.feed" in queues.stdout.split(), f"the line's queues are not in vhost {vhost}: {queues.stdout}"
        whoami = subprocess.run([ENGINE, "exec", containers[0], "id", "-u"], capture_output=True, text=True, check=True)
        assert whoami.stdout.strip() == "10001"  # not root


def test_a_whole_visit_runs_through_the_containers_and_stays_in_its_own_dealership(dealerships):
    from scripts.demo_visits import CARS, DELIVERED, Api, _drive_car

    first, second = dealerships
    api = Api(first.url, timeout=60)
    [car] = [car for car in CARS if car.stage == DELIVERED]

    _drive_car(api, car)  # booking desk to the follow-up call, each step as the staff member whose job it is

    assert len(api.get(names.RECEPTION, "/api/visits")["visits"]) == 1
    [call] = api.get(names.FOLLOWUP, "/api/calls")["calls"]  # the delivered car's follow-up call
    order_id = call["order_id"]
    assert api.get(names.BILLING, f"/api/invoices/by-order/{order_id}")["status"] == "paid"
    pdf = requests.get(
        first.url(names.RECEPTION, f"/orders/{order_id}/pdf"),
        headers={"Authorization": f"Bearer {api.token('A001')}"},
        timeout=60,
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")  # WeasyPrint, pango and the font in the image

    # the second dealership's own vhost and databases: none of it there, and it is still healthy
    other = Api(second.url, timeout=10)
    assert other.get(names.RECEPTION, "/api/visits")["visits"] == []
    assert other.get(names.FOLLOWUP, "/api/calls")["calls"] == []
    assert all(h.get("status") == "ok" for h in second.health().values())
