"""The same visit with every service on its own PostgreSQL database (the per-dealership deployment)."""

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from contracts import names
from tests.support.http import Client
from tests.support.visit import Visit

pytestmark = pytest.mark.e2e


@pytest.fixture
def service_databases(pg_server_url):
    """One fresh database per service on the PostgreSQL server, dropped afterwards."""
    server = make_url(pg_server_url)
    prefix = f"t{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    urls = {}
    with admin.connect() as conn:
        for service in names.SERVICES:
            conn.execute(sa.text(f'CREATE DATABASE "{prefix}_{service}"'))
            urls[f"{service.upper()}_DATABASE_URL"] = server.set(database=f"{prefix}_{service}").render_as_string(
                hide_password=False
            )
    yield urls
    with admin.connect() as conn:
        for service in names.SERVICES:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{prefix}_{service}" WITH (FORCE)'))
    admin.dispose()


def test_a_visit_on_postgresql(service_databases, line_factory):
    line = line_factory(**service_databases)
    client = Client(line, minted=True)
    line.start()
    visit = Visit(line)
    follow_up = visit.through_to_delivery()
    assert follow_up["assigned_to"] != "A001"
    invoice = client.get(names.BILLING, f"/api/invoices/by-order/{visit.order_id}")
    assert invoice["status"] == "paid" and Decimal(invoice["total"]) == Decimal("741.28")
    for service in names.SERVICES:
        assert client.get(service, "/healthz")["database"] == "ok"
