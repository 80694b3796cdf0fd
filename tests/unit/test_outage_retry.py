"""A handler that finds the database away (a restart, a failover) is tried again after a pause, for about two
minutes, instead of five times in a few milliseconds and then dead-lettered (kit.extensions; `make chaos` restarts
PostgreSQL mid-run). A statement the database refuses is no outage: it keeps the usual five attempts."""

from __future__ import annotations

import psycopg2.errors
from sqlalchemy import exc as sa_exc

from kit import bus
from kit.extensions import OUTAGE_ATTEMPTS, infrastructure_away, outage_pause


def _wrapped(cls, orig, **kwargs):
    return cls("SELECT 1", {}, orig, **kwargs)


def test_the_database_unreachable_or_gone_mid_statement_is_an_outage():
    assert infrastructure_away(_wrapped(sa_exc.OperationalError, Exception("connection refused")))
    assert infrastructure_away(_wrapped(sa_exc.InterfaceError, Exception("connection already closed")))
    assert infrastructure_away(
        _wrapped(sa_exc.DBAPIError, Exception("server closed the connection"), connection_invalidated=True)
    )


def test_a_refused_statement_or_a_timeout_is_not():
    assert not infrastructure_away(_wrapped(sa_exc.IntegrityError, Exception("duplicate key")))
    assert not infrastructure_away(_wrapped(sa_exc.OperationalError, psycopg2.errors.QueryCanceled()))
    assert not infrastructure_away(ValueError("bad payload"))


def test_the_pauses_cover_an_outage_of_a_minute_and_a_half_within_the_brokers_delivery_limit():
    total = sum(outage_pause(attempt) for attempt in range(1, OUTAGE_ATTEMPTS))
    assert 80 <= total <= 240
    assert outage_pause(1) < 1
    assert OUTAGE_ATTEMPTS < bus.BROKER_DELIVERY_LIMIT  # else the quorum queue dead-letters it first
