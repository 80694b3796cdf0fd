"""The persisted chain: the floor for this architecture. K hops, each a process with a SQLite database of its
own holding the kit's tables (kit.db: outbox, inbox, audit log), consuming from a quorum queue of its own. A hop
handles a message as kit.uow.Work.handle does - one transaction: is it in the inbox already? then the inbox row,
the audit row and the next event's outbox row - commits, acks, and wakes its relay, the kit's own
kit.bus.OutboxRelay, which publishes to the hop's events exchange (mandatory, confirmed). No business logic,
no contracts, no HTTP.

    python -m bench.persisted --namespace t1a2b3c4-kept. --hop 3 --hops 10 --db /tmp/x/hop3.db --status /tmp/s3

The benchmark (persisted_baseline) starts the K processes, publishes N start events to hop 0's queue through
an outbox row of its own, and times until the last hop's inbox holds N rows.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing, suppress
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from kombu import Connection, Consumer, Exchange, Queue

from kit import bus, hq_topology
from kit.db import add_kit_tables, inbox_table, make_engine, outbox_table
from tools.line import ROOT

EVENT = "hop"


def producer(index: int) -> str:
    return f"hop{index}" if index >= 0 else "start"


def hop_queue(namespace: str, index: int) -> Queue:
    return Queue(
        f"{namespace}hop{index}--{EVENT}",
        exchange=Exchange(bus.events_exchange(namespace, producer(index - 1)).name, type="topic", durable=True),
        routing_key=EVENT,
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def database(path: Path) -> tuple[sa.Engine, sa.MetaData]:
    metadata = sa.MetaData()
    add_kit_tables(metadata)
    engine = make_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    return engine, metadata


def outbox_row(metadata, index: int, correlation_id: str, payload: dict) -> dict:
    now = datetime.now(UTC)
    event_id = str(uuid.uuid4())
    body = {
        "event_id": event_id,
        "event_type": EVENT,
        "producer": producer(index),
        "dealer_id": "bench-4s",  # as every envelope has: the relay's copy to the HQ feed carries it
        "correlation_id": correlation_id,
        "occurred_at": now.isoformat(),
        "payload": payload,
    }
    return {
        "event_id": event_id,
        "event_type": EVENT,
        "correlation_id": correlation_id,
        "body": json.dumps(body),
        "created_at": now,
    }


def relay_forever(relay: bus.OutboxRelay, wake: threading.Event, stopping: threading.Event) -> None:
    while not stopping.is_set():
        wake.wait(1.0)
        wake.clear()
        while relay.publish_pending() and not stopping.is_set():
            pass


def run_hop(args) -> None:
    engine, metadata = database(args.db)
    outbox, inbox = outbox_table(metadata), inbox_table(metadata)
    audit = metadata.tables["audit_log"]
    consumer_name = f"hop{args.hop}.take"
    last = args.hop == args.hops - 1
    stopping, wake = threading.Event(), threading.Event()
    relay = bus.OutboxRelay(engine, metadata, amqp_uri=args.amqp_uri, namespace=args.namespace)
    if not last:
        threading.Thread(target=relay_forever, args=(relay, wake, stopping), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())

    def on_message(body, message):
        event = body if isinstance(body, dict) else json.loads(body)
        with engine.begin() as conn:
            seen = conn.execute(
                sa.select(inbox.c.event_id).where(
                    inbox.c.consumer == consumer_name, inbox.c.event_id == event["event_id"]
                )
            ).first()
            if seen is None:
                now = datetime.now(UTC)
                if not last:
                    conn.execute(
                        outbox.insert().values(
                            outbox_row(metadata, args.hop, event["correlation_id"], event["payload"])
                        )
                    )
                conn.execute(
                    inbox.insert().values(
                        consumer=consumer_name,
                        event_id=event["event_id"],
                        event_type=EVENT,
                        correlation_id=event["correlation_id"],
                        occurred_at=datetime.fromisoformat(event["occurred_at"]),
                        handled_at=now,
                    )
                )
                conn.execute(
                    audit.insert().values(
                        at=now,
                        actor_id=None,
                        action=consumer_name,
                        subject_id=event["correlation_id"],
                        correlation_id=event["correlation_id"],
                    )
                )
        message.ack()
        wake.set()

    with Connection(args.amqp_uri, heartbeat=0) as conn:
        channel = conn.channel()
        channel.basic_qos(0, args.prefetch, False)
        queue = hop_queue(args.namespace, args.hop)(channel)
        queue.declare()
        bus.events_exchange(args.namespace, producer(args.hop))(channel).declare()
        hq_topology.hq_exchange(args.namespace)(channel).declare()  # each relayed row's copy for the HQ feed
        if args.hop == 0:  # the feed's stream and buffer, as in the line (kit.hq_topology)
            for feed in hq_topology.hq_feed_queues(args.namespace):
                hq_topology.declare_feed_queue(conn, feed)
        with Consumer(channel, [queue], callbacks=[on_message], accept=["json"]):
            Path(args.status).write_text("ready")
            while not stopping.is_set():
                with suppress(TimeoutError):
                    conn.drain_events(timeout=0.5)
    relay.close()


def _inbox_count(path: Path) -> int:
    with closing(sqlite3.connect(path, timeout=30)) as db:
        return db.execute("SELECT count(*) FROM inbox").fetchone()[0]


def persisted_baseline(
    amqp_uri: str, namespace: str, hops: int, visits: int, body_bytes: int, work_dir: Path, timeout: float
) -> dict:
    work_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "VAR_DIR": str(work_dir), "PYTHONUNBUFFERED": "1"}
    procs = []
    result: dict = {"hops": hops, "visits": visits, "processes": hops}
    try:
        for i in range(hops):
            status = work_dir / f"hop{i}.status"
            with open(work_dir / f"hop{i}.log", "ab") as log:
                procs.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "bench.persisted",
                            "--namespace",
                            namespace,
                            "--hop",
                            str(i),
                            "--hops",
                            str(hops),
                            "--db",
                            str(work_dir / f"hop{i}.db"),
                            "--status",
                            str(status),
                            "--amqp-uri",
                            amqp_uri,
                        ],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
        deadline = time.monotonic() + 60
        while not all((work_dir / f"hop{i}.status").exists() for i in range(hops)):
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                raise RuntimeError(f"a hop did not start; see {work_dir}/hop*.log")
            time.sleep(0.05)
        # the start events, through an outbox of the bench's own and the kit's relay, like every other hop
        engine, metadata = database(work_dir / "start.db")
        pad = "x" * max(0, body_bytes - 200)
        with engine.begin() as conn:
            conn.execute(
                outbox_table(metadata).insert(),
                [outbox_row(metadata, -1, f"v{i}", {"pad": pad}) for i in range(visits)],
            )
        var_dir = os.environ.get("VAR_DIR")
        os.environ["VAR_DIR"] = str(work_dir)  # the hops' secret marks the feed copies (kit.hq_topology.hq_mark)
        try:
            relay = bus.OutboxRelay(engine, metadata, amqp_uri=amqp_uri, namespace=namespace)
        finally:
            os.environ.pop("VAR_DIR") if var_dir is None else os.environ.update(VAR_DIR=var_dir)
        spent = _cpu_meter(procs, amqp_uri)
        t0 = time.monotonic()
        while relay.publish_pending():
            pass
        relay.close()
        last = work_dir / f"hop{hops - 1}.db"
        seen = 0
        deadline = t0 + timeout
        while time.monotonic() < deadline:
            seen = _inbox_count(last)
            if seen >= visits:
                break
            time.sleep(0.05)
        seconds = time.monotonic() - t0
        result["seen"] = seen
        if seen >= visits:
            result.update(seconds=seconds, visits_per_s=visits / seconds, msgs_per_s=visits * hops / seconds)
            result["cpu_ms_a_visit"] = {k: 1000 * v / visits for k, v in spent().items()}
        else:
            result["error"] = f"last hop saw {seen}/{visits} events"
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        with suppress(Exception), Connection(amqp_uri, connect_timeout=5) as conn:
            channel = conn.channel()
            for i in range(hops):
                channel.queue_delete(hop_queue(namespace, i).name)
            for feed in hq_topology.hq_feed_queues(namespace, mark="-"):
                channel.queue_delete(feed.name)
            channel.exchange_delete(hq_topology.hq_exchange(namespace).name)
            for i in range(-1, hops):
                channel.exchange_delete(bus.events_exchange(namespace, producer(i)).name)
    return result


def _cpu_meter(procs: list[subprocess.Popen], amqp_uri: str):
    """Starts counting CPU seconds: the hops' processes, the broker (when it can be read) and the machine in all;
    the function returned gives each one's seconds since (bench/resources.py). Without psutil, nothing."""
    # here, not at the top: each hop process runs this module too, and bench.resources brings the driver's modules
    from .resources import CpuMeter, cpu_between, psutil

    if psutil is None:
        return dict
    meter = CpuMeter({"hops": [psutil.Process(p.pid) for p in procs]}, amqp_uri)
    start = meter.read()
    return lambda: cpu_between(start, meter.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--namespace", required=True)
    parser.add_argument("--hop", type=int, required=True)
    parser.add_argument("--hops", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--status", type=Path, required=True)
    parser.add_argument("--prefetch", type=int, default=10, help="as the line's services (max_workers)")
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"))
    run_hop(parser.parse_args())


if __name__ == "__main__":
    main()
