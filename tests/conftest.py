"""Fixtures shared by service and end-to-end tests: a real broker, real databases, real processes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from contracts import names
from tools.line import Line

from .support.http import Client
from .support.infra import drop_namespace, free_port, new_namespace, postgres_url, rabbitmq_uri
from .support.mail import smtp_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def amqp_uri():
    with rabbitmq_uri() as uri:
        yield uri


@pytest.fixture(scope="session")
def pg_server_url():
    with postgres_url() as url:
        yield url


@pytest.fixture
def namespace(amqp_uri):
    ns = new_namespace()
    yield ns
    drop_namespace(amqp_uri, ns)


@pytest.fixture
def line_factory(amqp_uri, namespace, tmp_path, request):
    """Build (not start) a line of six service processes in this test's namespace and var dir."""
    lines = []
    log_dir = ROOT / "var" / "test-logs" / request.node.name
    shutil.rmtree(log_dir, ignore_errors=True)

    def build(**env) -> Line:
        line = Line(
            env={
                "AMQP_URI": amqp_uri,
                "BUS_NAMESPACE": namespace,
                "VAR_DIR": str(tmp_path / "var"),
                "SEED": "reference",
                "MAX_DELIVERY_ATTEMPTS": "3",
                "LOG_LEVEL": "WARNING",
                **env,
            },
            log_dir=log_dir,
            ports={svc: free_port() for svc in names.SERVICES},
        )
        lines.append(line)
        return line

    yield build
    for line in lines:
        line.stop()


@pytest.fixture
def line(line_factory):
    line = line_factory()
    line.start()
    return line


@pytest.fixture
def client(line):
    return Client(line)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("SKIP_SLOW"):
        skip = pytest.mark.skip(reason="SKIP_SLOW set")
        for item in items:
            if "e2e" in item.keywords or "service" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def mailbox():
    """A real local SMTP server; the line is pointed at it with SMTP_HOST=127.0.0.1, SMTP_PORT=mailbox.port."""
    with smtp_server() as box:
        yield box
