"""Issue 12: /healthz is cheap (kit.health): the broker check's answer is kept for a few seconds by the kit clock,
so a health endpoint polled many times a second opens a broker connection every five seconds at most."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kit.health import CachedCheck


class Probe:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class Clock:
    def __init__(self):
        self.now = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def move(self, seconds: float):
        self.now += timedelta(seconds=seconds)


def test_an_ok_answer_is_kept_five_seconds():
    probe, clock = Probe("ok"), Clock()
    check = CachedCheck(probe, clock=clock)
    assert [check() for _ in range(100)] == ["ok"] * 100
    assert probe.calls == 1
    clock.move(4.9)
    assert check() == "ok" and probe.calls == 1
    clock.move(0.2)
    assert check() == "ok" and probe.calls == 2


def test_a_failure_is_kept_only_a_second_so_a_recovered_broker_shows_at_once():
    probe, clock = Probe("error: ConnectionRefusedError", "ok"), Clock()
    check = CachedCheck(probe, clock=clock)
    assert check() == "error: ConnectionRefusedError"
    clock.move(0.5)
    assert check() == "error: ConnectionRefusedError" and probe.calls == 1
    clock.move(0.6)
    assert check() == "ok" and probe.calls == 2


def test_a_clock_moved_back_asks_again():
    probe, clock = Probe("ok"), Clock()
    check = CachedCheck(probe, clock=clock)
    check()
    clock.move(-60)
    check()
    assert probe.calls == 2


def test_healthz_polled_a_hundred_times_opens_one_broker_connection_per_five_seconds(monkeypatch):
    """kit.providers.Database.health (what /healthz answers) asks the broker through its CachedCheck: a hundred
    calls open one connection; five seconds later by the kit clock (time-machine), one more."""
    from types import SimpleNamespace

    import sqlalchemy as sa
    import time_machine

    from kit import providers
    from kit.db import add_kit_tables

    opened = []

    class Connection:
        def __init__(self, uri, **kwargs):
            opened.append(uri)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ensure_connection(self, **kwargs):
            return self

    class Engine:
        def connect(self):
            raise OSError("no database in a unit test")

    monkeypatch.setattr(providers, "Connection", Connection)
    monkeypatch.setattr(providers, "make_engine", lambda *a, **k: Engine())
    monkeypatch.setattr(providers, "migrate", lambda *a, **k: None)
    monkeypatch.setattr(providers, "session_factory_for", lambda *a, **k: None)
    metadata = sa.MetaData()
    add_kit_tables(metadata)
    db = providers.Database(metadata)
    db.container = SimpleNamespace(service_name="booking", config={"AMQP_URI": "amqp://x/"}, max_workers=10)
    with time_machine.travel(datetime(2026, 12, 7, 2, 0, tzinfo=UTC), tick=False) as traveller:
        db.setup()
        answers = [db.health() for _ in range(100)]
        assert len(opened) == 1
        assert {a["broker"] for a in answers} == {"ok"}
        assert {a["database"][:6] for a in answers} == {"error:"}  # the database is still asked every time
        traveller.shift(timedelta(seconds=5.1))
        db.health()
        assert len(opened) == 2
