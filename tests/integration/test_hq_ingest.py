"""HQ's ingest on its real, migrated schema (SQLite here; PostgreSQL and the broker in
tests/service/test_hq_stream.py): idempotent by event id, the offset stored with the batch, nothing lost —
unreadable messages and unverified orders are kept with why; a newer version and an unknown type are kept
and the figures read what they know (issue 14, items 3 and 6)."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from kit.db import make_engine, migrate
from services.hq.handlers import dashboard, ingest
from services.hq.models import Base, StoreEvent, UnreadableMessage
from tests.support.hq import Store, as_stream_message

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
STREAM = "hq.events"


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'hq.db'}")
    migrate("hq", engine, Base.metadata)
    yield engine
    engine.dispose()


def run(engine, messages, keys):
    batch = ingest.prepare(messages, keys)
    with engine.begin() as conn:
        return ingest.store(conn, batch, STREAM)


def count(engine, table, *where):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


def test_a_batch_twice_is_held_once_and_the_offset_moves_on(engine, tmp_path):
    a = Store("store-a")
    a.publish_key(tmp_path)
    keys = ingest.StoreKeys(tmp_path)
    order = a.order(NOW, booked=True)
    messages = [
        as_stream_message(m, i, "store-a")
        for i, m in enumerate([order, a.ready(order, NOW), a.congestion("queue", NOW)])
    ]
    assert run(engine, messages, keys) == 3
    assert run(engine, messages, keys) == 0  # a redelivery, or a replay from the first offset
    assert run(engine, [as_stream_message(a.congestion("wait", NOW), 3, "store-a"), messages[0]], keys) == 1
    assert count(engine, StoreEvent.__table__) == 4
    with engine.connect() as conn:
        assert ingest.start_offset(conn, STREAM) == 4
    with engine.begin() as conn:
        ingest.forget_position(conn, STREAM)
    with engine.connect() as conn:
        assert ingest.start_offset(conn, STREAM) == "first"


def test_nothing_is_lost_unreadable_and_refused_are_kept_with_why(engine, tmp_path):
    a = Store("store-a")
    a.publish_key(tmp_path)
    tampered = a.order(NOW, booked=True)
    tampered["payload"]["order"]["appointment_id"] = None  # made a walk-in after signing
    messages = [
        as_stream_message(b"\xff\xfe not json", 0, "store-a"),
        as_stream_message(tampered, 1, "store-a"),
        as_stream_message(a.order(NOW, booked=True), 2, "store-a"),
    ]
    run(engine, messages, ingest.StoreKeys(tmp_path))
    run(engine, messages, ingest.StoreKeys(tmp_path))  # again: still one of each
    with engine.connect() as conn:
        unreadable = conn.execute(sa.select(UnreadableMessage.stream_offset, UnreadableMessage.reason)).all()
        refused = conn.execute(sa.select(StoreEvent.reason).where(StoreEvent.status == "refused")).scalars().all()
    assert [(o, "not JSON" in r) for o, r in unreadable] == [(0, True)]
    assert len(refused) == 1 and "altered" in refused[0]
    with sa.orm.Session(engine) as session:
        state = dashboard.intake_state(session)
        figures = dashboard.figures(session, NOW.date(), NOW.date(), SHANGHAI)
    assert (state["accepted"], state["refused"], state["unreadable"]) == (1, 1, 1)
    assert state["positions"][STREAM]["last_offset"] == 2
    assert figures["store-a"].visits == 1 and figures["store-a"].booked == 1  # the refused order counts nowhere


def test_an_hq_knowing_only_the_current_schemas_keeps_a_newer_version_and_an_unknown_type(engine, tmp_path):
    """Item 6: a store already on the next version of `vehicle_ready` (an additional field) and on a new event
    type: HQ keeps both as they came, and its figures read the fields they know."""
    a = Store("store-a")
    a.publish_key(tmp_path)
    order = a.order(NOW, booked=False, promised_hours=4)
    ready_v2 = a.ready(order, NOW + timedelta(hours=2))
    ready_v2["schema_version"] = 2
    ready_v2["payload"]["carbon_grams"] = 1200  # a field of v2 this HQ's contracts do not have
    unknown = a.congestion("queue", NOW)
    unknown["event_type"], unknown["payload"] = "ev_charging_session", {"kwh": "30.5", "bay": "E1"}
    messages = [as_stream_message(m, i, "store-a") for i, m in enumerate([order, ready_v2, unknown])]
    assert run(engine, messages, ingest.StoreKeys(tmp_path)) == 3
    with engine.connect() as conn:
        held = dict(conn.execute(sa.select(StoreEvent.event_type, StoreEvent.body)).all())
    assert '"carbon_grams": 1200' in held["vehicle_ready"] and '"kwh": "30.5"' in held["ev_charging_session"]
    with sa.orm.Session(engine) as session:
        figures = dashboard.figures(session, NOW.date(), NOW.date(), SHANGHAI)["store-a"]
    assert (figures.ready, figures.on_time, figures.qc_checks) == (1, 1, 1)


def test_a_returning_customer_is_found_from_the_pseudonym_stored_with_the_order(engine, tmp_path):
    """The figure reads the stored `customer_ref` column for orders older than the facts' window (no body read
    again): a customer of last spring is a returning one, at the same store only."""
    a, b = Store("store-a"), Store("store-b")
    for store in (a, b):
        store.publish_key(tmp_path)
    keys, regular = ingest.StoreKeys(tmp_path), "c-" + "5" * 32
    spring = NOW - timedelta(days=200)
    orders = [
        a.order(spring, booked=True, customer_ref=regular),
        a.order(NOW, booked=True, customer_ref=regular),
        b.order(NOW, booked=False, customer_ref=regular),
        a.order(NOW, booked=False),
    ]
    run(engine, [as_stream_message(m, i, m["dealer_id"]) for i, m in enumerate(orders)], keys)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(StoreEvent.customer_ref).where(StoreEvent.dealer_id == "store-b")).scalar()
        assert stored == regular
    day = NOW.astimezone(SHANGHAI).date()
    with engine.connect() as conn:
        out = dashboard.figures(conn, day, day, SHANGHAI)
    assert (out["store-a"].returning, out["store-a"].known_customers) == (1, 2)
    assert out["store-b"].returning == 0


def test_the_migration_fills_the_pseudonym_of_the_orders_already_held(tmp_path):
    from alembic import command

    from kit.db import alembic_config

    old = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    order = Store("store-a").order(NOW, booked=True, customer_ref="c-" + "7" * 32)
    with old.begin() as conn:
        command.upgrade(alembic_config("hq", old, Base.metadata, conn), "a337c6af293f")
        for i, (event_id, kind, body) in enumerate(
            [
                (order["event_id"], "order_signed", json.dumps(order)),
                ("00000000-0000-4000-8000-000000000001", "order_signed", "{broken"),
                (
                    "00000000-0000-4000-8000-000000000002",
                    "vehicle_ready",
                    json.dumps({"payload": {"customer_ref": "x"}}),
                ),
            ]
        ):
            conn.execute(
                sa.text(
                    "INSERT INTO store_events (event_id, dealer_id, event_type, schema_version, occurred_at,"
                    " correlation_id, status, body, stream_offset) VALUES (:e, 'store-a', :k, 1, :t, '', 'accepted',"
                    " :b, :o)"
                ),
                {"e": event_id, "k": kind, "b": body, "t": "2026-12-01 02:00:00.000000", "o": i},
            )
    migrate("hq", old, Base.metadata)
    with old.connect() as conn:
        refs = conn.execute(sa.select(StoreEvent.customer_ref).order_by(StoreEvent.stream_offset)).scalars().all()
    assert refs == ["c-" + "7" * 32, None, None]  # the order's; a body that does not parse; not an order
    old.dispose()
