"""What `make chaos` does to the infrastructure: a PostgreSQL database per service, a RabbitMQ vhost of its own,
and the disruptions (a service killed -9 and started again at once, the broker restarted, PostgreSQL restarted).

The broker and PostgreSQL disruptions take root (`rabbitmqctl`, `pg_ctlcluster`), as `make chaos` runs in CI.
`soft` disruptions touch only this run's own connections (every connection to its vhost closed, every
session of its databases terminated): for trying the drill on a machine others use too."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from contracts import names


def _run(*argv: str, timeout: float = 120) -> str:
    """The command's output; on a time-out its whole process group is killed (rabbitmqctl runs through su)."""
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True) as p:
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            raise RuntimeError(f"{' '.join(argv)}: no answer in {timeout:.0f}s") from None
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} -> {p.returncode}: {err.strip() or out.strip()}")
    return out


@dataclass
class Databases:
    """One fresh PostgreSQL database per service (`<prefix>_<service>`), as the per-dealership deployment has."""

    server_url: str
    prefix: str = field(default_factory=lambda: f"chaos{uuid.uuid4().hex[:8]}")
    urls: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if not self.server_url.startswith("postgresql"):
            raise SystemExit(f"make chaos runs on PostgreSQL: DATABASE_URL is {self.server_url!r}")
        # pre-ping: the drill restarts PostgreSQL, and the clean-up must not use a connection that ended then
        self.admin = sa.create_engine(make_url(self.server_url), isolation_level="AUTOCOMMIT", pool_pre_ping=True)

    def create(self) -> dict[str, str]:
        server = make_url(self.server_url)
        with self.admin.connect() as conn:
            for service in names.SERVICES:
                conn.execute(sa.text(f'CREATE DATABASE "{self.name(service)}"'))
                url = server.set(database=self.name(service)).render_as_string(hide_password=False)
                self.urls[f"{service.upper()}_DATABASE_URL"] = url
        return self.urls

    def name(self, service: str) -> str:
        return f"{self.prefix}_{service}"

    def engine(self, service: str) -> sa.Engine:
        return sa.create_engine(self.urls[f"{service.upper()}_DATABASE_URL"], pool_pre_ping=True)

    def outage(self, seconds: float = 3.0) -> None:
        """The soft disruption: this run's databases refuse connections for `seconds` and every session of theirs
        ends, as in a restart (nobody else's database is touched)."""
        with self.admin.connect() as conn:
            for service in names.SERVICES:
                conn.execute(sa.text(f'ALTER DATABASE "{self.name(service)}" ALLOW_CONNECTIONS false'))
            conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE :p"),
                {"p": f"{self.prefix}\\_%"},
            )
            time.sleep(seconds)
            for service in names.SERVICES:
                conn.execute(sa.text(f'ALTER DATABASE "{self.name(service)}" ALLOW_CONNECTIONS true'))

    def drop(self) -> None:
        with self.admin.connect() as conn:
            for service in names.SERVICES:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name(service)}" WITH (FORCE)'))
        self.admin.dispose()


def restart_postgresql() -> None:
    """`pg_ctlcluster <version> main restart` for the cluster this machine runs (Debian's layout)."""
    versions = sorted(p.name for p in Path("/etc/postgresql").iterdir() if (p / "main").is_dir())
    if not versions:
        raise RuntimeError("no PostgreSQL cluster under /etc/postgresql to restart")
    _run("pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "restart", timeout=180)


@dataclass
class Vhost:
    """A RabbitMQ vhost of this run's own on the machine's broker (deleted afterwards), so that the soft broker
    disruption can close this run's connections and nobody else's."""

    amqp_uri: str
    name: str = field(default_factory=lambda: f"chaos-{uuid.uuid4().hex[:8]}")

    def create(self) -> str:
        parts = urlsplit(self.amqp_uri)
        _run("rabbitmqctl", "-q", "add_vhost", self.name)
        _run("rabbitmqctl", "-q", "set_permissions", "-p", self.name, parts.username or "guest", ".*", ".*", ".*")
        return urlunsplit(parts._replace(path="/" + quote(self.name, safe="")))

    def close_connections(self) -> None:
        _run("rabbitmqctl", "-q", "close_all_connections", "--vhost", self.name, "chaos drill")

    def delete(self) -> None:
        _run("rabbitmqctl", "-q", "delete_vhost", self.name)


NODE_PID_FILE = Path("/var/lib/rabbitmq/mnesia/rabbit@localhost.pid")
NODE_FILES = 20000


def _raise_file_handle_cache() -> None:
    """start_app gives the file handle cache its boot-time default again (927 handles on a node booted with 1024
    descriptors) whatever the node's descriptors are now: raised back as .ci/run raises it (the node's limit less
    1,000), so the shared broker is not left a few queues short of wedging after the drill."""
    try:
        limits = Path(f"/proc/{NODE_PID_FILE.read_text().strip()}/limits").read_text()
        files = int(next(line.split()[3] for line in limits.splitlines() if line.startswith("Max open files")))
    except (OSError, ValueError, StopIteration, IndexError):
        return
    if files > 2000:
        limit = f"file_handle_cache:set_limit(max(file_handle_cache:get_limit(), {files - 1000}))."
        _run("rabbitmqctl", "-q", "eval", limit, timeout=30)


def restart_broker() -> None:
    """The node's application stopped and started again (every connection, every vhost).

    A node started with 1024 file descriptors (Debian's su) on a broker holding thousands of queues hangs at boot
    in its file handle cache: then the node is started anew with NODE_FILES descriptors (as .ci/run starts it),
    so the broker others use comes back, and the drill fails saying so."""
    _run("rabbitmqctl", "-q", "stop_app", timeout=180)
    try:
        _run("rabbitmqctl", "-q", "start_app", timeout=180)
        _raise_file_handle_cache()
    except RuntimeError as exc:
        os.kill(int(NODE_PID_FILE.read_text().strip()), signal.SIGKILL)
        time.sleep(2)
        command = f"ulimit -n {NODE_FILES} && /usr/lib/rabbitmq/bin/rabbitmq-server -detached"
        _run("su", "rabbitmq", "-s", "/bin/sh", "-c", command)
        raise RuntimeError(f"{exc}; the node was started anew with {NODE_FILES} file descriptors") from None
