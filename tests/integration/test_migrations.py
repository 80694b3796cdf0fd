"""Each service's Alembic migrations build exactly the schema its models describe."""

import importlib

import pytest
from alembic.script import ScriptDirectory

from contracts import names
from kit.db import alembic_config, make_engine, migrate, schema_drift


@pytest.mark.parametrize("service", (*names.SERVICES, names.HQ))
def test_migrations_match_the_models(service, tmp_path):
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(service, engine, metadata)
    assert schema_drift(engine, metadata) == []
    migrate(service, engine, metadata)  # running again is harmless


@pytest.mark.parametrize("service", (*names.SERVICES, names.HQ))
def test_each_service_has_one_migration_head(service):
    """Revisions written side by side are merged, so the next generated one has a single parent."""
    engine = make_engine("sqlite://")
    metadata = importlib.import_module(f"services.{service}.models").Base.metadata
    with engine.begin() as conn:
        script = ScriptDirectory.from_config(alembic_config(service, engine, metadata, conn))
        heads = [rev.revision for rev in script.get_revisions("heads") if f"/services/{service}/" in rev.path]
    assert len(heads) == 1, heads
