"""Engines, the kit's own tables (outbox, inbox) and per-service Alembic migrations."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

_psycopg_greened = False


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, json_serializer=_json_dumps
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    _green_psycopg()
    return sa.create_engine(url, pool_size=pool_size, max_overflow=0, pool_pre_ping=True, json_serializer=_json_dumps)


def _json_dumps(value) -> str:
    """Chinese stays readable (and searchable) in JSON columns."""
    return json.dumps(value, ensure_ascii=False)


def _green_psycopg() -> None:
    """Under eventlet a blocking psycopg2 call would stall every green thread of the service."""
    global _psycopg_greened
    if _psycopg_greened:
        return
    try:
        import eventlet.patcher

        if eventlet.patcher.is_monkey_patched("socket"):
            from psycogreen.eventlet import patch_psycopg

            patch_psycopg()
    except ImportError:  # pragma: no cover - eventlet is a dependency
        pass
    _psycopg_greened = True


def service_base() -> type[DeclarativeBase]:
    """A declarative base whose metadata already holds the kit's outbox and inbox tables."""

    class ServiceBase(DeclarativeBase):
        pass

    add_kit_tables(ServiceBase.metadata)
    return ServiceBase


def add_kit_tables(metadata: sa.MetaData) -> None:
    sa.Table(
        "outbox",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("event_type", sa.String(80), nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=False, index=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Index("ix_outbox_pending", "published_at", "id"),
    )
    sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.String(120), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("event_type", sa.String(80), nullable=False),
        sa.Column("correlation_id", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=True),  # the message as handled (kit.uow)
    )

    sa.Table(
        "audit_log",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(40), nullable=True),
        sa.Column("action", sa.String(120), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=True, index=True),
        sa.Column("correlation_id", sa.String(64), nullable=True, index=True),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )

    sa.Table(
        "signatures",
        metadata,
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("image", sa.LargeBinary, nullable=False),
        sa.Column("media_type", sa.String(40), nullable=False),
        sa.Column("captured_by", sa.String(40), nullable=True),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
    )

    sa.Table(
        "notifications",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("about", sa.String(64), nullable=True, index=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Index("ix_notifications_pending", "status", "id"),
    )

    sa.Table(
        "revoked_sessions",  # kit.sessions: sessions no route of this service accepts any more
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("staff_id", sa.String(40), nullable=False, index=True),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
    )


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    return metadata.tables["outbox"]


def inbox_table(metadata: sa.MetaData) -> sa.Table:
    return metadata.tables["inbox"]


def audit_table(metadata: sa.MetaData) -> sa.Table:
    return metadata.tables["audit_log"]


# --- migrations -------------------------------------------------------------------------

KIT_MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(service: str, engine: Engine, metadata: sa.MetaData, connection=None):
    from alembic.config import Config

    versions = Path(__file__).resolve().parent.parent / "services" / service / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(KIT_MIGRATIONS))
    # Two branches in every service database: the kit's tables (label "kit") and the service's own.
    cfg.set_main_option("version_locations", os.pathsep.join([str(KIT_MIGRATIONS / "versions"), str(versions)]))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["engine"] = engine
    cfg.attributes["connection"] = connection
    cfg.attributes["target_metadata"] = metadata
    return cfg


def migrate(service: str, engine: Engine, metadata: sa.MetaData) -> None:
    """Bring the service's database to the newest schema: the kit's branch and the service's (`upgrade heads`)."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(service, engine, metadata, conn), "heads")


_migrated_at_start: set[str] = set()


def migrate_in_child(service: str, url: str, metadata: sa.MetaData) -> None:
    """`migrate`, in a child process forked for it, by a service process before it starts (kit.serve). Alembic and
    what it loads (Mako; Pygments, where installed) are about 8 MB resident that a service needs once, at start:
    they are loaded in the child and go with it. The service's `Database` then finds the URL migrated
    (`migrated_at_start`) and does not load them again."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child ends with os._exit
        code = 1
        try:
            from .process import fresh_hub

            fresh_hub()  # psycopg2 waits on the hub under eventlet: the child's own, not the parent's epoll
            engine = make_engine(url)
            try:
                migrate(service, engine, metadata)
            finally:
                engine.dispose()
            code = 0
        except BaseException:  # noqa: BLE001 - logged; the parent refuses to start
            logging.getLogger(__name__).exception("%s: the migrations failed", service)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{service}: the migrations failed (exit status {os.waitstatus_to_exitcode(status)})")
    _migrated_at_start.add(url)


def migrated_at_start(url: str) -> bool:
    return url in _migrated_at_start


def schema_drift(engine: Engine, metadata: sa.MetaData) -> list:
    """Differences between the migrated database and the models: empty when they agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), metadata)
