"""The migration step run before the services start (`aftersales migrate [service ...]`; all seven by default).

Brings each service's database (`<SERVICE>_DATABASE_URL`) to the newest schema with the same Alembic migrations a
service runs at start-up (kit.db.migrate), so an upgrade fails here, before any service of the new image runs.
"""

import importlib
import sys

from contracts import names
from kit.config import Settings
from kit.db import make_engine, migrate


def main(services: list[str]) -> int:
    known = (*names.SERVICES, names.HQ)  # the group HQ's own, named: `aftersales migrate hq` on the HQ's host
    unknown = set(services) - set(known)
    if unknown:
        print(f"unknown services: {', '.join(sorted(unknown))}; known: {', '.join(known)}", file=sys.stderr)
        return 64
    settings = Settings.load()
    for service in services or names.SERVICES:
        metadata = importlib.import_module(f"services.{service}.models").Base.metadata
        engine = make_engine(settings.database_url(service), pool_size=1)
        try:
            migrate(service, engine, metadata)
        finally:
            engine.dispose()
        print(f"{service}: migrated", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
