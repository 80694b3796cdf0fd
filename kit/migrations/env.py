"""Shared Alembic environment: each service passes its engine and metadata in (kit.db)."""

from alembic import context
from sqlalchemy.types import TypeDecorator

config = context.config
metadata = config.attributes["target_metadata"]
connection = config.attributes.get("connection")


def render_item(type_, obj, autogen_context):
    """Write kit column types (Money, UtcDateTime…) as their plain SQL type: migrations stay frozen."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run(conn):
    context.configure(
        connection=conn,
        target_metadata=metadata,
        render_as_batch=conn.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    with config.attributes["engine"].begin() as conn:
        run(conn)
