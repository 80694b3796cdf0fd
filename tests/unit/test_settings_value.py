"""kit.config.Settings.value: one setting read as Settings.load reads it (override, environment, default)."""

import pytest

from kit.config import Settings


@pytest.mark.parametrize(
    ("environment", "overrides", "expected"),
    [
        (None, None, ""),  # neither: the default
        ("t1.", None, "t1."),  # the environment
        ("t1.", {"BUS_NAMESPACE": "t2."}, "t2."),  # an override wins
        ("t1.", {"BUS_NAMESPACE": None}, "t1."),  # an override of None is no override
        (None, {"BUS_NAMESPACE": ""}, ""),
    ],
)
def test_one_setting_is_what_load_reads(monkeypatch, environment, overrides, expected):
    if environment is None:
        monkeypatch.delenv("BUS_NAMESPACE", raising=False)
    else:
        monkeypatch.setenv("BUS_NAMESPACE", environment)
    assert Settings.value("BUS_NAMESPACE", "", overrides) == expected == Settings.load(overrides).bus_namespace
