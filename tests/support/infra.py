"""Real infrastructure for tests: RabbitMQ and PostgreSQL from the environment, else from testcontainers."""

from __future__ import annotations

import os
import random
import socket
import uuid
from contextlib import contextmanager

from kombu import Connection

from kit import bus
from kit.rpc import rpc_exchange_name

LOCAL_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"
MANAGEMENT_URL_SETTING = "RABBITMQ_MANAGEMENT_URL"  # else http://<the AMQP host>:15672/api
LOCAL_POSTGRES_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def rabbitmq_uri():
    """AMQP_URI when set (this machine and CI run RabbitMQ locally); otherwise a throwaway container."""
    if os.environ.get("AMQP_URI"):
        yield os.environ["AMQP_URI"]
        return
    if os.environ.get("TESTS_USE_LOCAL_SERVICES", "1") == "1" and _listening(5672):
        yield LOCAL_AMQP_URI
        return
    from testcontainers.rabbitmq import RabbitMqContainer

    with RabbitMqContainer("rabbitmq:3.13-management").with_exposed_ports(15672, 5552) as rabbit:
        params = rabbit.get_connection_params()
        # the HQ link's test (issue 14) drives shovels through the management API; HQ reads over the stream port
        rabbit.exec(["rabbitmq-plugins", "enable", "rabbitmq_shovel", "rabbitmq_shovel_management", "rabbitmq_stream"])
        os.environ["HQ_STREAM_PORT"] = str(rabbit.get_exposed_port(5552))
        os.environ[MANAGEMENT_URL_SETTING] = f"http://{params.host}:{rabbit.get_exposed_port(15672)}/api"
        yield f"amqp://guest:guest@{params.host}:{params.port}/"


@contextmanager
def postgres_url():
    """DATABASE_URL when set; otherwise a throwaway PostgreSQL container."""
    if os.environ.get("DATABASE_URL"):
        yield os.environ["DATABASE_URL"]
        return
    if os.environ.get("TESTS_USE_LOCAL_SERVICES", "1") == "1" and _listening(5432):
        yield LOCAL_POSTGRES_URL
        return
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgres:16", driver="psycopg2") as pg:
        yield pg.get_connection_url()


def new_namespace() -> str:
    """Every test gets its own exchanges and queues on the shared broker."""
    return f"t{uuid.uuid4().hex[:10]}."


def drop_namespace(amqp_uri: str, namespace: str) -> None:
    with Connection(amqp_uri) as conn:
        bus.delete_topology(conn, namespace)
        conn.default_channel.exchange_delete(rpc_exchange_name(namespace))  # kit.rpc: its queues delete themselves


# Listening ports for test services come from below the kernel's ephemeral range (32768-60999 on Linux): a port
# the kernel hands out (bind to 0) can be taken again as the source port of any outgoing connection - a line holds
# hundreds to RabbitMQ - between the moment it is chosen and the moment the service binds it.
_LISTEN_PORTS = range(20000, 32000)
_handed_out: set[int] = set()


def free_port() -> int:
    """A port free to listen on now, outside the ephemeral range, never handed out twice by this process."""
    for _ in range(200):
        port = random.choice(_LISTEN_PORTS)
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port between 20000 and 32000")
