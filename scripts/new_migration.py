"""Autogenerate the next Alembic revision of one service from its models.

python scripts/new_migration.py billing "add gate passes"
"""

import importlib
import sys
import tempfile
from pathlib import Path

from alembic import command

from kit.db import alembic_config, make_engine, migrate


def main(service: str, message: str) -> None:
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'm.db'}")
        migrate(service, engine, metadata)
        with engine.begin() as conn:
            cfg = alembic_config(service, engine, metadata, conn)
            command.revision(
                cfg, message=message, autogenerate=True, version_path=str(Path("services") / service / "migrations")
            )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
