"""Each service's Alembic migrations build exactly the schema its models describe."""

import importlib

import pytest
from alembic.script import ScriptDirectory

from contracts import names
from kit.db import alembic_config, make_engine, migrate, migrate_in_child, migrated_at_start, schema_drift


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


def test_a_service_process_migrates_in_a_forked_child_and_its_database_then_skips_the_step(tmp_path):
    """kit.serve migrates before the container starts, in a child that takes Alembic's memory with it."""
    from services.booking.models import Base

    url = f"sqlite:///{tmp_path / 'booking.db'}"
    assert not migrated_at_start(url)
    migrate_in_child(names.BOOKING, url, Base.metadata)
    assert migrated_at_start(url)
    assert schema_drift(make_engine(url), Base.metadata) == []


def test_migrations_that_fail_in_the_child_stop_the_service_from_starting(tmp_path):
    from services.booking.models import Base

    url = f"sqlite:///{tmp_path / 'missing' / 'booking.db'}"  # no such directory: SQLite cannot create the file
    with pytest.raises(RuntimeError, match="the migrations failed"):
        migrate_in_child(names.BOOKING, url, Base.metadata)
    assert not migrated_at_start(url)
