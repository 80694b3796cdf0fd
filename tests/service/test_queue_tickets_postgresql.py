"""R-RC-8 on PostgreSQL (the per-dealership deployment): two advisors checking in at the same moment still
hand out two different queue tickets; the second insert waits for the first, is refused by the unique index
and runs again with the next number."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from kit.uow import Work, session_factory_for
from services.reception.models import Base, Visit
from tests.integration.test_pre_inspection_queue import Clock, race_two_check_ins
from tests.support.db import postgresql_database

pytestmark = pytest.mark.service


@pytest.fixture
def reception_on_postgresql(pg_server_url):
    with postgresql_database(pg_server_url, "reception", Base.metadata) as engine:
        work = Work(session_factory_for(engine, Base.metadata), service="reception", dealer_id="demo-4s")
        work.clock = Clock(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
        yield work


def test_two_check_ins_at_the_same_moment_get_different_tickets_on_postgresql(reception_on_postgresql):
    work = reception_on_postgresql
    visits, errors, attempts = race_two_check_ins(work)
    assert errors == []
    assert sorted(v.ticket_no for v in visits) == [1, 2] and len(attempts) == 3
    assert work.read(lambda s: sorted(s.scalars(sa.select(Visit.ticket_no)))) == [1, 2]
