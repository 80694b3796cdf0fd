"""Stock never goes negative on PostgreSQL (the per-dealership deployment): twenty clerks issuing the last unit
of a part at the same moment - exactly one gets it, the other nineteen are refused in Chinese and the ledger
holds one issue."""

import threading

import pytest
import sqlalchemy as sa

from kit.errors import DomainError
from kit.uow import Work, session_factory_for
from services.parts import handlers as parts
from services.parts import seed as parts_seed
from services.parts.models import Base, StockLevel, StockMove
from tests.support.db import postgresql_database

pytestmark = pytest.mark.service

CLERKS = 20


@pytest.fixture
def parts_on_postgresql(pg_server_url):
    with postgresql_database(pg_server_url, "parts", Base.metadata, pool_size=CLERKS + 2) as engine:
        yield Work(session_factory_for(engine, Base.metadata), service="parts", dealer_id="demo-4s")


def test_twenty_simultaneous_issues_of_the_last_unit_exactly_one_succeeds(parts_on_postgresql):
    work = parts_on_postgresql
    parts_seed.reference_data(work)
    count = work.run(parts.record_count, "P-DISC-F", "MAIN", "1", actor_id="P001")  # one disc left
    work.run(parts.decide_count, count.count_id, True, actor_id="M001")
    for n in range(CLERKS):
        order = {
            "order_id": f"ro-{n}",
            "version": 1,
            "visit_id": f"visit-{n}",
            "lines": [{"line_no": 2, "kind": "part", "code": "P-DISC-F", "quantity": "1"}],
        }
        work.run(parts.queue_request, f"r-{n}", order, "T001", [{"line_no": 2, "quantity": "1"}])

    barrier = threading.Barrier(CLERKS, timeout=30)
    issued, refused, failed = [], [], []

    def issue(n):
        barrier.wait()  # all twenty press Enter at once
        try:
            issued.append(work.run(parts.issue_at_counter, f"r-{n}", "P-DISC-F", "1", actor_id=f"P{n:03d}"))
        except DomainError as exc:
            refused.append(exc)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            failed.append(exc)

    threads = [threading.Thread(target=issue, args=(n,)) for n in range(CLERKS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    assert failed == []
    assert len(issued) == 1 and len(refused) == CLERKS - 1
    assert {exc.code for exc in refused} == {"stock_short"}
    assert all("库存不足" in exc.message for exc in refused)  # in Chinese, naming the part
    assert work.read(lambda s: s.get(StockLevel, ("P-DISC-F", "MAIN")).quantity) == 0
    issues = work.read(lambda s: s.scalars(sa.select(StockMove).filter_by(part_no="P-DISC-F", reason="issue")).all())
    assert len(issues) == 1
