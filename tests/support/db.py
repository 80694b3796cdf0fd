"""A service's real database (SQLite file, migrated with its Alembic scripts) for tests without a broker."""

from __future__ import annotations

import importlib
import json
import shutil
import tempfile
from pathlib import Path

import sqlalchemy as sa

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
