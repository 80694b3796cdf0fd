"""Checks on the container deployment in deploy/ (no project code is imported, no container is started).

The compose files are rendered by the compose tool itself (`config`) with the example environment files:
docker compose where its plugin exists, else podman-compose (on PATH, or the one .ci/run's container stage
installs under /var/cache/aftersales-ci). tests/deploy/test_stack.py runs them.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INIT_SQL = DEPLOY / "postgres-init" / "01-databases.sql"
OWN_INFRA = (DEPLOY / "compose.yaml", DEPLOY / "dealer.env.example")
HOST_INFRA = (DEPLOY / "compose.host.yaml", DEPLOY / "dealer-host.env.example")
PODMAN_COMPOSE = Path("/var/cache/aftersales-ci/podman-compose/bin/podman-compose")

# Compose takes a variable from the process environment over the env file: pass it only what the engine needs, so
# that what the test runs with (AMQP_URI, DATABASE_URL, SEED ...) cannot stand in for a dealership's settings.
COMPOSE_ENV = {
    k: v
    for k, v in os.environ.items()
    if k in {"PATH", "HOME", "LANG", "CONTAINERS_CONF", "DOCKER_HOST", "XDG_RUNTIME_DIR"}
}

SERVICES = ("staff", "booking", "reception", "workshop", "parts", "billing", "followup")


@pytest.fixture(scope="module")
def compose_cli() -> list[str]:
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
        if probe.returncode == 0:
            return ["docker", "compose"]
    for candidate in (shutil.which("podman-compose"), PODMAN_COMPOSE):
        if candidate and Path(candidate).exists():
            return [str(candidate)]
    pytest.skip("neither docker compose nor podman-compose here")


def _render(cli: list[str], compose_file: Path, env_file: Path) -> dict:
    done = subprocess.run(
        [*cli, "--env-file", str(env_file), "-f", str(compose_file), "--profile", "migrate", "config"],
        cwd=ROOT,
        env=COMPOSE_ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


@pytest.mark.parametrize("stack", [OWN_INFRA, HOST_INFRA], ids=["own-infra", "host-infra"])
def test_compose_file_renders_seven_services_a_migration_step_and_the_secrets(compose_cli, stack) -> None:
    config = _render(compose_cli, *stack)
    services = config["services"]
    assert {"migrate", *SERVICES} <= services.keys()
    assert services["migrate"]["command"] == ["migrate"] and services["migrate"]["profiles"] == ["migrate"]

    databases = {}
    for name in SERVICES:
        service = services[name]
        assert service["command"] == ["serve", name]
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert sorted(service["secrets"]) == ["order_signing_key", "session_secret"]
        env = service["environment"]
        assert env["DEALER_ID"] == "DLR-0001" and "dlr0001" in env["AMQP_URI"]
        databases[name] = urlsplit(env[f"{name.upper()}_DATABASE_URL"]).path.lstrip("/")
    assert len(set(databases.values())) == len(SERVICES), f"databases are shared: {databases}"
    assert set(config["secrets"]) == {"order_signing_key", "session_secret"}
    if stack is OWN_INFRA:
        assert {"rabbitmq", "postgres"} <= services.keys()
        assert set(databases.values()) <= _created_databases(), f"not created by {INIT_SQL.name}: {databases}"
    else:
        assert all(services[name]["network_mode"] == "host" for name in (*SERVICES, "migrate"))


def test_a_second_dealership_differs_by_its_env_file_alone(compose_cli, tmp_path) -> None:
    compose_file, example = HOST_INFRA
    second = tmp_path / "second.env"
    second.write_text(
        example.read_text(encoding="utf-8")
        .replace("dlr0001", "dlr0002")
        .replace("DLR-0001", "DLR-0002")
        .replace("=800", "=810"),
        encoding="utf-8",
    )
    first, other = _render(compose_cli, compose_file, example), _render(compose_cli, compose_file, second)
    assert first["name"] != other["name"]  # its own containers
    for name in SERVICES:
        a, b = first["services"][name]["environment"], other["services"][name]["environment"]
        assert a["DEALER_ID"] != b["DEALER_ID"] and a["AMQP_URI"] != b["AMQP_URI"]
        assert a[f"{name.upper()}_DATABASE_URL"] != b[f"{name.upper()}_DATABASE_URL"]
        assert a["WEB_SERVER_ADDRESS"] != b["WEB_SERVER_ADDRESS"]
    assert first["secrets"] != other["secrets"]


def _created_databases() -> set[str]:
    sql = INIT_SQL.read_text(encoding="utf-8")
    return {m.lower() for m in re.findall(r'CREATE\s+DATABASE\s+"?(\w+)"?', sql, flags=re.IGNORECASE)}


def test_init_sql_creates_all_databases() -> None:
    created = _created_databases()
    missing = set(SERVICES) - created
    assert not missing, f"{INIT_SQL.name} does not create: {sorted(missing)}"
