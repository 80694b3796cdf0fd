"""A service's real database (SQLite file, migrated with its Alembic scripts) for tests without a broker."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import sqlalchemy as sa

from contracts import build_message, load_message, producer_of
from kit.db import make_engine, migrate
from kit.uow import Work, session_factory_for


def service_work(service: str, tmp_path: Path, consumer: str | None = None) -> Work:
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    engine = make_engine(f"sqlite:///{tmp_path / f'{service}.db'}")
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
