"""Checks on the container deployment in deploy/ (no project code is imported).

The compose checks need the `docker` CLI with the compose plugin; they only parse the
file (`docker compose config`), so no Docker engine is needed.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "deploy" / "compose.yaml"
INIT_SQL = ROOT / "deploy" / "postgres-init" / "01-databases.sql"

SERVICES = ("staff", "booking", "reception", "workshop", "parts", "billing", "followup")


def _compose(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE_FILE), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def compose_cli() -> None:
    if shutil.which("docker") is None:
        pytest.skip("docker CLI not found")
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip("docker compose plugin not available: " + (probe.stderr or probe.stdout).strip())


def test_compose_file_is_valid_and_complete(compose_cli: None) -> None:
    quiet = _compose("config", "--quiet")
    assert quiet.returncode == 0, quiet.stderr

    rendered = _compose("config", "--format", "json")
    assert rendered.returncode == 0, rendered.stderr
    config = json.loads(rendered.stdout)
    services = config["services"]

    missing = {"rabbitmq", "postgres", *SERVICES} - services.keys()
    assert not missing, f"services missing from compose: {sorted(missing)}"

    databases = {}
    for name in SERVICES:
        service = services[name]
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        env = service.get("environment") or {}
        url = env.get(f"{name.upper()}_DATABASE_URL")
        assert url, f"{name} has no {name.upper()}_DATABASE_URL"
        databases[name] = urlsplit(url).path.lstrip("/")
        assert databases[name], f"{name}: no database named in {url}"

    assert len(set(databases.values())) == len(SERVICES), f"databases are shared: {databases}"
    created = _created_databases()
    assert set(databases.values()) <= created, f"not created by {INIT_SQL.name}: {databases}"


def _created_databases() -> set[str]:
    sql = INIT_SQL.read_text(encoding="utf-8")
    return {m.lower() for m in re.findall(r'CREATE\s+DATABASE\s+"?(\w+)"?', sql, flags=re.IGNORECASE)}


def test_init_sql_creates_all_databases() -> None:
    created = _created_databases()
    missing = set(SERVICES) - created
    assert not missing, f"{INIT_SQL.name} does not create: {sorted(missing)}"
