"""Follow-up's call task on PostgreSQL (the per-dealership deployment): one call per order, the delivery handled
again under a new event id (re-sent) or by two consumers at the same moment making no second call and no second
followup_scheduled (R-FU-1; issue 12, item 6)."""

import threading
import uuid

import pytest
import sqlalchemy as sa

from contracts import names
from kit.db import outbox_table
from kit.uow import Work, session_factory_for
from services.followup import seed
from services.followup.handlers import calls
from services.followup.models import Base, FollowUpCall
from tests.support.db import postgresql_database, wire_event
from tests.support.factories import make_delivered

pytestmark = pytest.mark.service


@pytest.fixture
def followup_on_postgresql(pg_server_url):
    with postgresql_database(pg_server_url, "followup", Base.metadata, pool_size=4) as engine:
        yield Work(session_factory_for(engine, Base.metadata), service="followup", dealer_id="demo-4s")


def test_a_delivery_makes_one_call_however_often_it_is_handled(followup_on_postgresql):
    seed.reference_data(followup_on_postgresql)
    payload = make_delivered(advisor_id="A001", order_id=f"o-{uuid.uuid4()}")
    visit = f"v-{uuid.uuid4()}"

    def handle(consumer):
        work = Work(followup_on_postgresql.session_factory, service="followup", dealer_id="demo-4s", consumer=consumer)
        work.handle(wire_event(names.VEHICLE_DELIVERED, payload, correlation_id=visit), calls.schedule_call)

    handle("followup.first")
    threads = [threading.Thread(target=handle, args=(f"followup.again-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    def read(session):
        outbox = outbox_table(session.info["metadata"])
        scheduled = session.scalar(sa.select(sa.func.count()).where(outbox.c.event_type == names.FOLLOWUP_SCHEDULED))
        return session.scalars(sa.select(FollowUpCall).filter_by(order_id=payload["order_id"])).all(), scheduled

    made, scheduled = followup_on_postgresql.read(read)
    assert len(made) == 1 and scheduled == 1
    assert made[0].assigned_to not in (None, "A001") and made[0].status == "scheduled"
    assert made[0].customer == payload["customer"] and made[0].due_from < made[0].due_by < made[0].deadline
