"""tests/unit is pure: domain rules, contracts and templates, no database and no broker. A test that opens
either fails here at once; it belongs in tests/integration (one service's use cases on a real schema)."""

import pytest
import sqlalchemy

import kit.db


def _refuse(what):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a unit test opened {what}: move it to tests/integration")

    return refuse


@pytest.fixture(autouse=True)
def _pure(monkeypatch):
    monkeypatch.setattr(sqlalchemy, "create_engine", _refuse("a database"))
    monkeypatch.setattr(kit.db, "make_engine", _refuse("a database"))
    monkeypatch.setattr("kombu.Connection.connect", _refuse("a broker connection"))
