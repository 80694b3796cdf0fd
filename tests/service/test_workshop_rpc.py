"""The workshop's RPC (kit/rpc.py) on a real broker: namespaced so that two lines on one broker never answer
each other's calls, idempotent holds, promise_time for reception (R-RC-5), and a refusal when nobody answers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from nameko.exceptions import UnknownService
from nameko.standalone.rpc import ClusterRpcProxy

from contracts import names
from kit.rpc import rpc_exchange_name
from tests.support.http import Client, eventually
from tests.support.infra import drop_namespace, new_namespace

pytestmark = pytest.mark.service
TZ = ZoneInfo("Asia/Shanghai")
DAY = (datetime.now(TZ) + timedelta(days=5)).date()


def proxy(amqp_uri: str, namespace: str) -> ClusterRpcProxy:
    return ClusterRpcProxy({"AMQP_URI": amqp_uri, "rpc_exchange": rpc_exchange_name(namespace)}, timeout=15)


@pytest.fixture
def other_namespace(amqp_uri):
    ns = new_namespace()
    yield ns
    drop_namespace(amqp_uri, ns)


def at(hh: int, mm: int = 0) -> str:
    return datetime.combine(DAY, datetime.min.time().replace(hour=hh, minute=mm), TZ).isoformat()


def test_two_lines_on_one_broker_each_answer_only_their_own_calls(
    line_factory, amqp_uri, namespace, other_namespace, tmp_path
):
    mine = line_factory()
    theirs = line_factory(BUS_NAMESPACE=other_namespace, VAR_DIR=str(tmp_path / "theirs"))
    mine.start([names.WORKSHOP])
    theirs.start([names.WORKSHOP])
    ids = [str(uuid.uuid4()) for _ in range(10)]
    with proxy(amqp_uri, namespace) as rpc:
        answers = [rpc.workshop.hold(appointment_id=i, starts_at=at(9), labour_codes=["LAB-OIL"]) for i in ids]
        assert all(a["held"] for a in answers)
        assert rpc.workshop.hold(appointment_id=ids[0], starts_at=at(9), labour_codes=["LAB-OIL"]) == answers[0]
    mine_client, their_client = Client(mine, minted=True), Client(theirs, minted=True)
    for i in ids:  # every hold landed in this line's workshop, none in the other's
        assert mine_client.get(names.WORKSHOP, f"/api/capacity/holds/{i}")["status"] == "held"
        assert their_client.get(names.WORKSHOP, f"/api/capacity/holds/{i}", expect=404)


def test_promise_time_answers_the_earliest_finish_given_the_load(line_factory, amqp_uri, namespace):
    """R-RC-5: reception's promised delivery time comes from the workshop's load."""
    line = line_factory()
    line.start([names.WORKSHOP])
    client = Client(line, minted=True)
    eventually(  # billing never ran: until a price list arrives, unknown jobs count the default hours
        lambda: client.get(names.WORKSHOP, f"/api/capacity?day={DAY}")["by_day"], 30, what="the workshop's load view"
    )
    with proxy(amqp_uri, namespace) as rpc:
        empty = rpc.workshop.promise_time(hours="2", not_before=at(10))
        assert datetime.fromisoformat(empty["promised_at"]) == datetime.fromisoformat(at(12))
        assert empty["hours"] == "2"
        late = rpc.workshop.promise_time(hours="2", not_before=at(17))  # closes at 18:00: ready next morning
        assert datetime.fromisoformat(late["promised_at"]).astimezone(TZ).date() == DAY + timedelta(days=1)
        load = rpc.workshop.load(day=DAY.isoformat())
        assert len(load["by_day"]) == 14 and load["by_hour"][0]["label"] == "08:00"


def test_a_call_nobody_answers_is_refused_at_once(amqp_uri, namespace, line_factory):
    line_factory().start([names.BILLING])  # declares the namespace, but no workshop runs in it
    with proxy(amqp_uri, namespace) as rpc, pytest.raises(UnknownService):
        rpc.workshop.promise_time(hours="1", not_before=at(9))


def test_holds_for_the_last_capacity_serialise_on_postgresql(pg_server_url):
    """R-BK-4 on PostgreSQL with real threads, twenty holds for the same hours at once: the day row's upsert makes
    the second hold wait and then read the load the first wrote (READ COMMITTED), so exactly one gets the last
    capacity and the load table holds its minutes once."""
    from concurrent.futures import ThreadPoolExecutor

    import sqlalchemy as sa

    from kit.uow import Work, session_factory_for
    from services.workshop import handlers as planning
    from services.workshop.models import Base, CapacityLoad
    from tests.integration.test_capacity_holds import DISC, RULES, small_workshop
    from tests.integration.test_capacity_holds import at as local_at
    from tests.support.db import postgresql_database

    with postgresql_database(pg_server_url, names.WORKSHOP, Base.metadata, pool_size=25) as engine:
        work = Work(session_factory_for(engine, Base.metadata), service=names.WORKSHOP, dealer_id="demo-4s")
        work.run(small_workshop)

        def hold(minute):
            return work.run(
                planning.hold, str(uuid.uuid4()), local_at(9, minute), DISC, candidates=[], rules=RULES, tz=TZ
            )

        with ThreadPoolExecutor(max_workers=20) as pool:
            answers = list(pool.map(hold, [0, 15, 30, 45] * 5))
        assert sum(a["held"] for a in answers) == 1
        # the per-hour load table, written by the one that got it, is what its chunks add up to
        table = work.read(lambda s: {(r.hour, r.resource): r.minutes for r in s.scalars(sa.select(CapacityLoad))})
        assert table == work.read(planning.recomputed_load)
        assert sum(m for (_hour, resource), m in table.items() if resource == "technicians") == 60  # default hours
