"""R-RC-8 on PostgreSQL (the per-dealership deployment): two advisors checking in at the same moment still
hand out two different queue tickets; the second insert waits for the first, is refused by the unique index
and runs again with the next number."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from contracts import names
from kit.errors import DomainError
from kit.uow import Work, session_factory_for
from services.billing.seed import PRICE_LIST
from services.reception.handlers import arrivals, orders, prices, write_up
from services.reception.models import Base, Visit
from tests.integration.test_pre_inspection_queue import Clock, race_two_check_ins
from tests.integration.test_reception_mileage import FIELDS, LINES, visit_of
from tests.support.db import postgresql_database, wire_event
from tests.support.factories import make_vin

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


def test_a_key_tag_on_another_open_visit_is_refused_on_postgresql_by_the_unique_index(pg_server_url):
    """R-RC-7: no query looks for the tag first; the index refuses it, the transaction is rolled back whole."""
    with postgresql_database(pg_server_url, "reception", Base.metadata) as engine:
        work = Work(session_factory_for(engine, Base.metadata), service="reception", dealer_id="demo-4s")
        work.consumer = "reception.take_price_list"
        work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), prices.take_price_list)
        first, second = visit_of(work, make_vin()), visit_of(work, make_vin())
        work.run(orders.write_order, first.visit_id, {"lines": LINES, "mileage_km": 1000, "key_tag": "K-7", **FIELDS})
        with pytest.raises(DomainError) as refused:
            work.run(
                orders.write_order, second.visit_id, {"lines": LINES, "mileage_km": 1000, "key_tag": "k-7", **FIELDS}
            )
        assert (refused.value.field, refused.value.code) == ("key_tag", "key_tag_taken")
        assert work.read(arrivals.visit, second.visit_id)["order"] is None
        assert work.read(write_up.write_up_view, second.visit_id)["key_tag"] is None
        assert work.run(
            orders.write_order, second.visit_id, {"lines": LINES, "mileage_km": 1000, "key_tag": "K-8", **FIELDS}
        )
