"""Every event handler, delivered the same event twice: the second delivery changes nothing (inbox).

Each case runs the real handler against the service's real (SQLite) schema, without a broker.
"""

from __future__ import annotations

import pytest

from tests.support.db import service_work, snapshot
from tests.support.exactly_once import CASES


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_redelivered_event_changes_nothing(name, tmp_path):
    case = CASES[name]
    work = service_work(case.service, tmp_path, consumer=name)
    event, extra = case.prepare(work, tmp_path)

    assert work.handle(event, case.handler, *extra) is True
    after_first = snapshot(work)
    assert work.handle(event, case.handler, *extra) is False
    assert snapshot(work) == after_first


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_first_delivery_changes_state(name, tmp_path):
    """Guards the test above: a handler that did nothing would pass it trivially."""
    case = CASES[name]
    work = service_work(case.service, tmp_path, consumer=name)
    event, extra = case.prepare(work, tmp_path)
    before = snapshot(work)
    work.handle(event, case.handler, *extra)
    assert snapshot(work) != before
