"""The kit's one clock: time-machine moves it in-process; TEST_CLOCK_FILE moves a line of processes, and only
when that setting is present."""

import os
from datetime import UTC, datetime, timedelta

import time_machine

from kit import clock, types, uow

MOVED_TO = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_time_machine_moves_the_kit_clock_and_every_utcnow():
    with time_machine.travel(MOVED_TO, tick=False):
        assert clock.now() == MOVED_TO
        assert types.utcnow() == MOVED_TO
        assert uow.utcnow() == MOVED_TO
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_offset_file_moves_the_clock_only_when_the_setting_names_it(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    clock.set_offset(path, 3600)
    monkeypatch.delenv(clock.SETTING, raising=False)
    with time_machine.travel(MOVED_TO, tick=False):
        assert clock.now() == MOVED_TO  # no setting: no offset, whatever files exist
        monkeypatch.setenv(clock.SETTING, str(path))
        assert clock.now() == MOVED_TO + timedelta(hours=1)
        clock.set_offset(path, -90)
        os.utime(path, ns=(1, 1))  # a new mtime is what makes the clock read the file again
        assert clock.now() == MOVED_TO - timedelta(seconds=90)


def test_a_missing_or_unreadable_offset_file_means_no_offset(tmp_path, monkeypatch):
    path = tmp_path / "clock"
    monkeypatch.setenv(clock.SETTING, str(path))
    with time_machine.travel(MOVED_TO, tick=False):
        assert clock.now() == MOVED_TO
        path.write_text("not a number")
        assert clock.now() == MOVED_TO
