"""Issue 12, item 7: several instances of a service on one PostgreSQL database relay each outbox row once. Each
relay claims its rows FOR UPDATE SKIP LOCKED until it has marked them: a second instance running meanwhile takes
the rows after them, never the same ones. (The broker is stood in for by a recording stand-in: what is counted
is what each instance would publish.)"""

import json

import pytest
import sqlalchemy as sa

from contracts import names
from kit import bus, sessions
from kit.uow import Work, session_factory_for
from services.staff.models import Base
from tests.support.db import postgresql_database

pytestmark = pytest.mark.service


@pytest.fixture
def staff_on_postgresql(pg_server_url):
    with postgresql_database(pg_server_url, "staff", Base.metadata) as engine:
        yield engine


class RecordingBroker:
    """Stands in for the relay's publish-then-confirm step: records each row's event id and confirms it."""

    def __init__(self, published: list, during=None):
        self.published, self.during = published, during

    def publish_batch(self, rows, confirmed: list, failed: dict) -> None:
        for row in rows:
            self.published.append(json.loads(row.body)["event_id"])
            confirmed.append(row.id)
            if self.during is not None:
                during, self.during = self.during, None
                during()  # another instance relays while this one holds its rows


def relay(engine, published: list, during=None) -> bus.OutboxRelay:
    instance = bus.OutboxRelay(engine, Base.metadata, amqp_uri="amqp://unused/", namespace="t.")
    instance._publish_batch = RecordingBroker(published, during).publish_batch
    return instance


def test_two_relays_on_one_database_publish_each_row_once(staff_on_postgresql):
    engine = staff_on_postgresql
    work = Work(session_factory_for(engine, Base.metadata), service="staff", dealer_id="demo-4s")
    for i in range(10):
        work.run(sessions.revoke, f"A{i:03d}", "signed_out", f"session-{i}", actor_id="A000")
    first, second = [], []
    other = relay(engine, second)
    one = relay(engine, first, during=lambda: other.publish_pending(batch=10))
    assert one.publish_pending(batch=5) == 5
    assert len(first) == 5 and len(second) == 5  # the second instance took the five rows after the claimed ones
    assert set(first).isdisjoint(second)
    assert relay(engine, []).publish_pending() == 0  # every row marked once
    outbox = Base.metadata.tables["outbox"]
    with engine.connect() as conn:
        marked = conn.execute(sa.select(sa.func.count()).where(outbox.c.published_at.is_not(None))).scalar_one()
        types = set(conn.scalars(sa.select(outbox.c.event_type)))
    assert marked == 10 and types == {names.SESSIONS_REVOKED}
