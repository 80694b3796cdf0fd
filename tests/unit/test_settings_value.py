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


def test_derived_rules_are_built_once_for_each_value_of_their_settings(monkeypatch):
    """kit.config.derived: built again as soon as one named setting changes, not for a setting it does not name."""
    from kit.config import derived

    built = []

    def build():
        built.append(Settings.value("BOOKING_OPENS"))
        return object()

    monkeypatch.setenv("BOOKING_OPENS", "08:30")
    first = derived(build, ("BOOKING_OPENS",))
    assert derived(build, ("BOOKING_OPENS",)) is first
    monkeypatch.setenv("SLOT_MINUTES", "20")  # not one of its settings
    assert derived(build, ("BOOKING_OPENS",)) is first
    monkeypatch.setenv("BOOKING_OPENS", "09:00")
    again = derived(build, ("BOOKING_OPENS",))
    assert again is not first and built == ["08:30", "09:00"]
    monkeypatch.delenv("BOOKING_OPENS")
    assert derived(build, ("BOOKING_OPENS",)) is not again and built == ["08:30", "09:00", ""]
