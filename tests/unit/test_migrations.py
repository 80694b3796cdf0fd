"""Each service's Alembic migrations build exactly the schema its models describe."""

import importlib

import pytest

from contracts import names
from kit.db import make_engine, migrate, schema_drift


@pytest.mark.parametrize("service", names.SERVICES)
def test_migrations_match_the_models(service, tmp_path):
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(service, engine, metadata)
    assert schema_drift(engine, metadata) == []
    migrate(service, engine, metadata)  # running again is harmless
