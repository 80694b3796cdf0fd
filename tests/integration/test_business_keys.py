"""Issue 12, item 6: a fact re-sent under a new event id (a producer that published it again, an operator replaying
it by hand) is absorbed by its business key in every consumer: no IntegrityError retried and dead-lettered,
nothing doubled, nothing emitted twice.

Each case of tests/support/exactly_once.py (one per subscription) is delivered once, then the same payload under a
new event id: the second delivery is handled without error and leaves the service's rows, its outbox included,
as the first left them (the clock stands still, so that a refreshed "updated at" does not count as a change)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import time_machine

from tests.support.db import service_work, snapshot
from tests.support.exactly_once import CASES

# parts_issued carries no key of its own: the counter's issue and a backorder's later issue for the same request
# are two facts with the same request id, and may carry the same lines; only the event id tells them apart.
WITHOUT_BUSINESS_KEY = {"billing.take_parts_issued", "workshop.take_parts_issued"}
SKIP = ("inbox", "audit_log")  # the second delivery is recorded as handled, and audited, under its own id


@pytest.mark.parametrize("name", sorted(set(CASES) - WITHOUT_BUSINESS_KEY))
def test_a_fact_re_sent_under_a_new_event_id_is_absorbed(name, tmp_path):
    case = CASES[name]
    with time_machine.travel(datetime.now(UTC), tick=False):
        work = service_work(case.service, tmp_path, consumer=name)
        event, extra = case.prepare(work, tmp_path)
        assert work.handle(event, case.handler, *extra) is True
        after_first = snapshot(work, skip=SKIP)

        again = replace(event, event_id=str(uuid.uuid4()))
        assert work.handle(again, case.handler, *extra) is True  # a new id: handled, and absorbed by its key
        assert snapshot(work, skip=SKIP) == after_first


def test_the_cases_without_a_business_key_are_subscriptions():
    assert WITHOUT_BUSINESS_KEY <= set(CASES)
