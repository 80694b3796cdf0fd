"""A service's real database (SQLite file, migrated with its Alembic scripts) for tests without a broker."""

from __future__ import annotations

import importlib
import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from contracts import build_message, load_message, producer_of
from kit.db import make_engine, migrate
from kit.uow import Work, session_factory_for

_templates: dict[str, Path] = {}


def _migrated(service: str, metadata: sa.MetaData) -> Path:
    """The service's schema migrated once per test process, into a file each new database is copied from."""
    if service not in _templates:
        path = Path(tempfile.mkdtemp(prefix="schema-")) / f"{service}.db"
        engine = make_engine(f"sqlite:///{path}")
        migrate(service, engine, metadata)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the file itself
        engine.dispose()
        _templates[service] = path
    return _templates[service]


@contextmanager
def postgresql_database(server_url: str, service: str, metadata: sa.MetaData, pool_size: int = 10) -> Iterator[Engine]:
    """A new PostgreSQL database of the service's newest schema on the test server, for one test (dropped after)."""
    server = make_url(server_url)
    name = f"t{uuid.uuid4().hex[:8]}_{service}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(server.set(database=name).render_as_string(hide_password=False), pool_size=pool_size)
    try:
        migrate(service, engine, metadata)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def service_work(service: str, tmp_path: Path, consumer: str | None = None) -> Work:
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    path = tmp_path / f"{service}.db"
    existing = path.exists()
    if not existing:  # a new database: a copy of the migrated schema
        shutil.copyfile(_migrated(service, metadata), path)
    engine = make_engine(f"sqlite:///{path}")
    if existing:  # one a test made before: migrated as it is
        migrate(service, engine, metadata)
    return Work(session_factory_for(engine, metadata), service=service, dealer_id="demo-4s", consumer=consumer)


def wire_event(event_type: str, payload: dict, correlation_id: str = "visit-1"):
    """An envelope as a consumer receives it: built, serialised to JSON and loaded back."""
    message = build_message(
        event_type=event_type,
        payload=payload,
        producer=producer_of(event_type),
        dealer_id="demo-4s",
        correlation_id=correlation_id,
    )
    return load_message(json.loads(json.dumps(message)))


def snapshot(work: Work, skip=("inbox",)) -> dict[str, list]:
    """Every row of every table, to compare state before and after."""

    def read(session):
        metadata = session.info["metadata"]
        return {
            name: sorted(map(repr, session.execute(sa.select(table)).all()))
            for name, table in metadata.tables.items()
            if name not in skip
        }

    return work.read(read)
