"""Autogenerate the next Alembic revision of one service from its models.

    python scripts/new_migration.py billing "add gate passes"

The kit's own tables live on the "kit" branch (kit/migrations/versions); a revision written here
holds only what the service's models add on top.
"""

import importlib
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from kit.db import alembic_config, make_engine, migrate


def main(service: str, message: str) -> None:
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'm.db'}")
        migrate(service, engine, metadata)
        with engine.begin() as conn:
            cfg = alembic_config(service, engine, metadata, conn)
            branches = {
                label
                for rev in ScriptDirectory.from_config(cfg).walk_revisions()
                for label in (rev.branch_labels or ())
            }
            first = service not in branches
            command.revision(
                cfg,
                message=message,
                autogenerate=True,
                version_path=str(Path("services") / service / "migrations"),
                head="base" if first else f"{service}@head",
                branch_label=service if first else None,
            )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
