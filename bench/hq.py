"""HQ's ingest speed: N events published into an `hq.events` stream, read into PostgreSQL by HQ's own code.

    .venv/bin/python -m bench.hq --events 1000000      # `make bench-hq` (HQ_EVENTS=100000 for a shorter run)

1. Publish: N envelopes of two stores (the dashboard's event types in the proportions of a visit: one signed order,
   each signed with its store's key, per 8 events), through the ingress exchange into a fresh stream
   (`bench-<id>.hq.events` on HQ_AMQP_URI, else AMQP_URI), publisher confirms per 5,000 messages.
2. Ingest: HQ's reader (`--protocol`: `stream`, kit.hq_reader over the stream port 5552, the default; or
   `amqp`, kit.streams.StreamReader) and its use case (services.hq.handlers.ingest: parse, verify the signed orders
   against the stores' published keys, COPY into a temporary table, INSERT … ON CONFLICT DO NOTHING, the offset
   stored with the batch) into a new, migrated PostgreSQL database on DATABASE_URL's server, from the first offset
   until all N are stored (to the last commit). events/s = N / that time; the goal is 10,000/s.
3. Replay: the stored offset forgotten, the whole stream read again into the same database (every event already
   held: nothing inserted), timed the same way.
4. Baseline (`--baseline amqp`, the default; '' for none): the same stream into a second new database by the AMQP
   0.9.1 reader, and the ratio of the two in the same run.

Checks: exactly N events held, N accepted, none refused or unreadable, in every database; else it exits 1. The
stream and the databases are deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import amqp
import sqlalchemy as sa
from kombu import Connection
from sqlalchemy.engine import make_url

from kit import hq_reader, streams
from kit.db import make_engine, migrate
from services.hq.handlers import ingest
from services.hq.models import Base, StoreEvent, UnreadableMessage
from tests.support.hq import Store

GOAL = 10_000
LOCAL_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
WINDOW = 5000  # unconfirmed messages in flight while publishing
STALL_SECONDS = 60  # no new offset stored for this long: the run stops and counts what is missing


def visit_events(store: Store, at: datetime) -> list[dict]:
    """Eight events of one visit (one signed order among them), each with its own event id."""
    order = store.order(at, booked=True)
    return [
        order,
        store.congestion("queue", at),
        store.qc_failed(order, at + timedelta(hours=2)),
        store.ready(order, at + timedelta(hours=3)),
        store.delivered(order, at + timedelta(hours=4)),
        store.followup(order, at + timedelta(days=2)),
        store.complaint(order, "price", at + timedelta(days=2)),
        store.congestion("wait", at),
    ]


def publish(amqp_uri: str, prefix: str, stores: list[Store], n: int) -> float:
    """Publish n events with publisher confirms (asynchronous, at most WINDOW unconfirmed); raise on a nack."""
    exchange = streams.names(prefix)[0]
    confirmed = {"up_to": 0, "nacked": 0}

    def on_ack(delivery_tag, multiple):
        confirmed["up_to"] = max(confirmed["up_to"], delivery_tag)

    def on_nack(delivery_tag, multiple):
        confirmed["nacked"] += 1

    started = time.perf_counter()
    with Connection(amqp_uri, connect_timeout=streams.CONNECT_TIMEOUT) as conn:
        channel = conn.channel()
        channel.confirm_select()
        channel.events["basic_ack"].add(on_ack)
        channel.events["basic_nack"].add(on_nack)
        sent, now = 0, datetime.now(UTC)
        while sent < n:
            store = stores[(sent // 8) % len(stores)]
            for message in visit_events(store, now - timedelta(minutes=sent % 10_000))[: n - sent]:
                props = {
                    "content_type": "application/json",
                    "message_id": message["event_id"],
                    "application_headers": {"dealer_id": store.dealer_id, "event_type": message["event_type"]},
                }
                channel.basic_publish(
                    amqp.Message(json.dumps(message, ensure_ascii=False).encode(), **props),
                    exchange=exchange,
                    routing_key=message["event_type"],
                )
                sent += 1
            while sent - confirmed["up_to"] > WINDOW:
                conn.drain_events(timeout=10)
        while confirmed["up_to"] < n:
            conn.drain_events(timeout=10)
    if confirmed["nacked"]:
        raise RuntimeError(f"the broker refused {confirmed['nacked']} messages")
    return time.perf_counter() - started


def read_all(amqp_uri: str, prefix: str, engine, keys, n: int, protocol: str) -> tuple[float, int, float]:
    """Read the stream from the stored offset (or the first) until n messages are stored: (seconds from the start
    to the last commit, messages stored, CPU seconds of this process). Stream offsets need not be contiguous (a
    million messages took offsets 0 to 1,000,000 here), so the messages are counted, not the offsets."""
    stream = streams.names(prefix)[1]
    stored = {"messages": 0, "at": time.monotonic()}

    def prepare(messages):
        return ingest.prepare(messages, keys), len(messages)

    def store(prepared):
        batch, count = prepared
        with engine.begin() as conn:
            ingest.store(conn, batch, stream)
        stored["messages"] += count
        stored["at"] = time.monotonic()

    with engine.connect() as conn:
        start = ingest.start_offset(conn, stream)
    reader = hq_reader.reader(amqp_uri, prefix, batch_size=5000, protocol=protocol)
    began, cpu = time.monotonic(), time.process_time()
    reader.run(
        start,
        prepare,
        store,
        lambda: stored["messages"] >= n or time.monotonic() - stored["at"] > STALL_SECONDS,
    )
    return stored["at"] - began, stored["messages"], time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--protocol", default="stream", choices=["stream", "amqp", "auto"], help="HQ's reader")
    parser.add_argument(
        "--baseline", default="amqp", choices=["amqp", ""], help="also ingest the same stream over AMQP 0.9.1 ('' none)"
    )
    args = parser.parse_args(argv)
    n = args.events
    amqp_uri = os.environ.get("HQ_AMQP_URI") or os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
    server = make_url(os.environ.get("DATABASE_URL") or LOCAL_POSTGRES)
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    databases: list[str] = []
    failures: list[str] = []

    def new_database():
        database = f"bench_hq_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
        databases.append(database)
        engine = make_engine(server.set(database=database).render_as_string(hide_password=False), pool_size=2)
        migrate("hq", engine, Base.metadata)
        return engine

    engines = []
    try:
        with (
            tempfile.TemporaryDirectory() as keys_dir,
            Connection(amqp_uri, connect_timeout=streams.CONNECT_TIMEOUT) as conn,
        ):
            streams.declare(conn.channel(), prefix)
            stores = [Store("bench-store-1"), Store("bench-store-2")]
            for store in stores:
                store.publish_key(Path(keys_dir))
            keys = ingest.StoreKeys(Path(keys_dir))
            print(f"publishing {n:,} events of {len(stores)} stores into {prefix}hq.events ...", flush=True)
            published = publish(amqp_uri, prefix, stores, n)
            print(f"  published in {published:.1f} s ({n / published:,.0f}/s)", flush=True)
            engines.append(new_database())
            rate = ingest_once(amqp_uri, prefix, engines[-1], keys, n, args.protocol, failures, goal=True)
            replay(amqp_uri, prefix, engines[-1], keys, n, args.protocol, failures)
            if args.baseline:
                engines.append(new_database())
                base = ingest_once(amqp_uri, prefix, engines[-1], keys, n, args.baseline, failures, goal=False)
                print(f"  {args.protocol} reader / {args.baseline} reader, same stream, same run: {rate / base:.2f}x")
    finally:
        try:
            with Connection(amqp_uri, connect_timeout=streams.CONNECT_TIMEOUT) as conn:
                streams.delete(conn.channel(), prefix)
        except Exception as exc:  # noqa: BLE001 - the broker away: say what is left behind
            print(f"the stream {prefix}hq.events could not be deleted: {exc}", file=sys.stderr)
        for engine in engines:
            engine.dispose()
        with admin.connect() as conn:
            for database in databases:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if failures else 0


def ingest_once(amqp_uri, prefix, engine, keys, n, protocol, failures, goal: bool) -> float:
    """The whole stream into a new database with one reader; returns events/s (printed with its CPU)."""
    ingest_s, read, cpu_s = read_all(amqp_uri, prefix, engine, keys, n, protocol)
    rate = n / ingest_s
    verdict = f" (goal {GOAL:,}/s: {'met' if rate >= GOAL else 'NOT met'})" if goal else " (baseline)"
    print(
        f"ingest into PostgreSQL, {protocol} reader: {n:,} events in {ingest_s:.1f} s = {rate:,.0f} events/s{verdict}",
        flush=True,
    )
    print(
        f"  HQ's reader used {cpu_s:.1f} s of CPU: {n / cpu_s:,.0f} events per CPU second; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    failures += check(held(engine), n, read)
    return rate


def replay(amqp_uri, prefix, engine, keys, n, protocol, failures) -> None:
    with engine.begin() as c:
        ingest.forget_position(c, streams.names(prefix)[1])
    replay_s, read, _cpu_s = read_all(amqp_uri, prefix, engine, keys, n, protocol)
    print(
        f"full replay from the first offset, {protocol} reader: {replay_s:.1f} s ({n / replay_s:,.0f} events/s; "
        f"every event already held, none inserted twice)",
        flush=True,
    )
    failures += check(held(engine), n, read)


def held(engine) -> dict:
    with engine.connect() as conn:
        by_status = dict(conn.execute(sa.select(StoreEvent.status, sa.func.count()).group_by(StoreEvent.status)).all())
        unreadable = conn.execute(sa.select(sa.func.count()).select_from(UnreadableMessage)).scalar_one()
    return {**by_status, "unreadable": unreadable}


def check(counts: dict, n: int, read: int) -> list[str]:
    failures = []
    if read != n:
        failures.append(f"the reader got {read:,} messages of {n:,} before it stalled: events lost")
    if counts.get("accepted", 0) != n or counts.get("refused", 0) or counts["unreadable"]:
        failures.append(f"held {counts}, expected {n} accepted and nothing else")
    return failures


if __name__ == "__main__":
    sys.exit(main())
