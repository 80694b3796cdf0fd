"""Fixtures shared by service and end-to-end tests: a real broker, real databases, real processes."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from contracts import names
from kit import clock
from tools.forkserver import ForkServer
from tools.line import Line

from .support.http import Client
from .support.infra import drop_namespace, free_port, new_namespace, postgres_url, rabbitmq_uri
from .support.mail import smtp_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def fork_server(request):
    """Every service process of the session's lines forked from one pre-imported parent (tools/forkserver.py):
    about 1.3 s of CPU saved per service started. Not for a run of unit tests only; `TESTS_FORKSERVER=0` starts
    plain processes instead."""
    wanted = os.environ.get("TESTS_FORKSERVER", "1") == "1"
    if not wanted or all("tests/unit/" in item.nodeid for item in request.session.items):
        yield None
        return
    log = ROOT / "var" / "test-logs" / "forkserver.log"
    server = ForkServer(Path(tempfile.mkdtemp(prefix="forks")) / "socket", log)
    server.start()
    yield server
    server.stop()


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


def _build_line(amqp_uri: str, namespace: str, var_dir: Path, log_dir: Path, **env) -> Line:
    return Line(
        env={
            "AMQP_URI": amqp_uri,
            "BUS_NAMESPACE": namespace,
            "VAR_DIR": str(var_dir),
            "SEED": "reference",
            "MAX_DELIVERY_ATTEMPTS": "3",
            "LOG_LEVEL": "WARNING",
            **env,
        },
        log_dir=log_dir,
        ports={svc: free_port() for svc in names.SERVICES},
    )


@pytest.fixture
def line_factory(amqp_uri, namespace, tmp_path, request):
    """Build (not start) a line of seven service processes in this test's namespace and var dir: for a test
    that needs a line of its own (other settings, PostgreSQL, a mailbox, services killed or started late)."""
    lines = []
    log_dir = ROOT / "var" / "test-logs" / request.node.name
    shutil.rmtree(log_dir, ignore_errors=True)

    def build(**env) -> Line:
        line = _build_line(amqp_uri, namespace, tmp_path / "var", log_dir, **env)
        lines.append(line)
        return line

    yield build
    for line in lines:
        line.stop(graceful=False)  # the test is over: no need to wait for a clean stop (tools.line.Line.stop)


@pytest.fixture(scope="module")
def module_line(amqp_uri, tmp_path_factory, request):
    """One line for every test of a module; each test isolates itself by its own data (fresh customer, car,
    ids from tests/support/factories.py), never by counting what the line holds."""
    ns = new_namespace()
    log_dir = ROOT / "var" / "test-logs" / request.module.__name__.rsplit(".", 1)[-1]
    shutil.rmtree(log_dir, ignore_errors=True)
    tmp = tmp_path_factory.mktemp("line")
    env = dict(getattr(request.module, "LINE_SETTINGS", {}))  # a module's own settings for its line
    if getattr(request.module, "LINE_CLOCK", False):  # a line whose clock the module's tests move
        env.update({clock.SETTING: str(tmp / "clock"), clock.TIMER_SETTING: "1"})
    line = _build_line(amqp_uri, ns, tmp / "var", log_dir, **env)
    try:
        line.start()
        yield line
    finally:
        line.stop(graceful=False)  # the module's tests are over (tools.line.Line.stop)
        drop_namespace(amqp_uri, ns)


@pytest.fixture
def line_clock(module_line):
    """Move the module's line clock (`LINE_CLOCK = True` in the module): `line_clock(seconds_from_real_time)`."""
    path = module_line.env[clock.SETTING]
    return lambda seconds: clock.set_offset(path, seconds)


@pytest.fixture
def line(request):
    """The module's shared line, or a line of this test's own when it is marked `own_line` (it kills or
    restarts services, so the tests after it must not see that)."""
    if request.node.get_closest_marker("own_line"):
        own = request.getfixturevalue("line_factory")()
        own.start()
        return own
    return request.getfixturevalue("module_line")


@pytest.fixture(scope="module")
def _module_clients():
    return {}


@pytest.fixture
def client(line, _module_clients):
    """Signed-in staff for the line; the sessions are kept for the module's shared line."""
    if id(line) not in _module_clients:
        _module_clients[id(line)] = (line, Client(line))
    return _module_clients[id(line)][1]


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
