"""The line's throughput and per-hop latency, against raw RabbitMQ and a bare nameko relay chain.

    .venv/bin/python -m bench.bench --visits 1000 [--concurrency 16]

What is measured, and how, in one run:

1. The line. Its services (contracts.names.SERVICES) start as processes (tools.line.Line) in a
   fresh bus namespace and a temporary VAR_DIR (SEED=reference, LOG_LEVEL=WARNING, free ports).
   N visits are driven through the public HTTP APIs by
   `tests.support.visit.Visit.through_to_delivery()` from a thread pool, after one untimed
   warm-up visit. Bookings and order lines rotate over labour + parts recipes sized to the
   seeded stock (mostly LAB-BALANCE + P-WEIGHT), so no visit waits on a shortage.
   - visits/s = completed visits / wall time of the drive phase;
   - events/s = outbox rows of the services' SQLite DBs created during the drive / the same time;
   - a hop is one event handled by one consumer: from the producer's outbox `created_at` to the
     consumer's inbox `handled_at` (stamped after the handler ran, just before the commit, so the
     hop includes the relay, the broker, the consumer's queue wait and the handler itself);
     p50/p99 per (event type -> consumer) and overall, read from the DBs after the run;
   - hops per visit = inbox rows per completed visit (by correlation id = visit id).
2. Baseline A, raw RabbitMQ (pika): as many messages as the line's hops, of the line's average
   outbox body size (UTF-8 bytes), persistent, to a durable quorum queue (the line's queue
   type) with publisher confirms, consumed concurrently with manual acks. End-to-end msgs/s =
   messages / (first publish -> last ack), reported as visits/s-equivalent = msgs/s / hops per
   visit. Measured twice: confirms kept in flight (SelectConnection, a window of unconfirmed
   messages; this is the figure the ratio uses) and one confirm per message
   (BlockingConnection.confirm_delivery, which is how the line's outbox relay publishes).
3. Baseline B, bare nameko relay chain (bench/chain.py, one subprocess): K = hops per visit
   services, each with one event handler that dispatches the next event; N "start" events are
   published as nameko's EventDispatcher would, and the time until the last hop has seen N of
   them gives chain visits/s.

Results are printed and written to var/bench/latest.json. Everything the run creates on the
broker (namespace, baseline queues and exchanges) is deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import closing, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pika
from kombu import Connection

from contracts import names
from contracts.events import EVENTS
from services.parts.seed import STOCK
from tests.support.factories import make_booking
from tests.support.infra import drop_namespace, free_port, new_namespace
from tests.support.visit import Visit
from tools.line import ROOT, Line, broker_reachable

OUT_DIR = ROOT / "var" / "bench"
DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"

# Labour + parts per visit; every recipe has parts, so every visit has the same ten hops.
RECIPES: dict[str, tuple[list[str], list[tuple[str, int]]]] = {
    "balance": (["LAB-BALANCE"], [("P-WEIGHT", 1)]),
    "oil": (["LAB-OIL"], [("P-OIL-5W30", 1), ("P-FILTER-OIL", 1)]),
    "brake-fluid": (["LAB-BRAKE-FLUID"], [("P-DOT4", 1)]),
    "brake-disc": (["LAB-BRAKE-DISC"], [("P-DISC-F", 2), ("P-PAD-F", 1)]),
}
_TEN = ["balance", "oil", "balance", "brake-fluid", "balance", "oil", "balance", "balance", "oil", "balance"]
ROTATION = _TEN * 3 + _TEN[:-1] + ["brake-disc"]

VISIT_STEPS = (
    "book",
    "wait_parts_reserved",
    "check_in",
    "write_and_sign_order",
    "dispatch",
    "finish_jobs",
    "pass_quality_check",
    "invoice",
    "pay",
    "follow_up_call",
)
EVENT_ORDER = [event_type for event_type, _version in EVENTS]


# --- visits ----------------------------------------------------------------------------------


def plan_recipes(visits: int) -> tuple[list[str], int]:
    """A recipe per visit, in rotation, never taking more than the seeded stock.

    Returns (recipes, visits that had to exceed the stock because every recipe was used up).
    """
    left = {part_no: int(quantity) for part_no, _name, quantity, _lead in STOCK}
    plan, over = [], 0
    for i in range(visits):
        wanted = ROTATION[i % len(ROTATION)]
        order = [wanted] + sorted(RECIPES, key=lambda r: -min(left[p] // q for p, q in RECIPES[r][1]))
        recipe = next((r for r in order if all(left[p] >= q for p, q in RECIPES[r][1])), None)
        if recipe is None:
            recipe, over = "balance", over + 1
        for part_no, quantity in RECIPES[recipe][1]:
            left[part_no] -= quantity
        plan.append(recipe)
    return plan, over


@dataclass
class BenchVisit(Visit):
    """A Visit with the bench's recipe, the step it is at, and a way past the follow-up list cap."""

    order_lines: list = field(default_factory=list)
    step: str = ""

    def write_and_sign_order(self, lines=None, mileage_km: int = 35210) -> dict:
        return super().write_and_sign_order(lines or self.order_lines, mileage_km)


def _tracked(name: str, method):
    def step(self, *args, **kwargs):
        self.step = name
        return method(self, *args, **kwargs)

    step.__name__ = name
    step.__doc__ = method.__doc__
    return step


for _name in VISIT_STEPS:
    if hasattr(BenchVisit, _name):
        setattr(BenchVisit, _name, _tracked(_name, getattr(BenchVisit, _name)))


def visit_for(line: Line, recipe: str, timeout: float, **shared) -> BenchVisit:
    labour, parts = RECIPES[recipe]
    booking = make_booking(
        planned_labour=list(labour), planned_parts=[{"part_no": p, "quantity": str(q)} for p, q in parts]
    )
    lines = [{"kind": "labour", "code": code} for code in labour]
    lines += [{"kind": "part", "code": p, "quantity": str(q)} for p, q in parts]
    return BenchVisit(line, booking=booking, timeout=timeout, order_lines=lines, **shared)


class WarmupFailed(RuntimeError):
    """The line cannot take even one visit: no point in driving N of them."""


@dataclass
class Drive:
    started: datetime
    ended: datetime
    seconds: float
    completed: list[dict]
    failed: list[dict]
    recipes: Counter
    over_stock: int


def drive(line: Line, visits: int, concurrency: int, timeout: float) -> Drive:
    plan, over_stock = plan_recipes(visits + 1)  # the first one is the warm-up visit's
    warmup_recipe, recipes = plan[0], plan[1:]
    progress = {"done": 0, "failed": 0}
    lock = threading.Lock()
    every = max(1, visits // 10)
    # Where Visit signs staff in through an HTTP client, one client (and its sign-ins) serves every visit.
    client = getattr(BenchVisit(line), "client", None)
    shared = {"client": client} if client is not None else {}
    # One untimed visit first, so that connections, first queries and sign-ins are not in the drive;
    # its events all predate the drive, so they are not counted either.
    warmup = visit_for(line, warmup_recipe, timeout, **shared)
    try:
        warmup.through_to_delivery()
    except Exception as exc:
        raise WarmupFailed(f"the warm-up visit failed at {warmup.step}: {exc}") from exc

    def one(i: int) -> dict:
        visit = visit_for(line, recipes[i], timeout, **shared)
        t0 = time.monotonic()
        outcome = {"index": i, "recipe": recipes[i]}
        try:
            visit.through_to_delivery()
            outcome.update(ok=True, visit_id=visit.visit_id)
        except Exception as exc:  # noqa: BLE001 - a failed visit is counted, not fatal
            first = str(exc).splitlines()[0] if str(exc) else ""
            outcome.update(
                ok=False,
                visit_id=visit.visit_id,
                step=visit.step,
                error=f"{exc.__class__.__name__}: {first}"[:300],
            )
        outcome["seconds"] = time.monotonic() - t0
        with lock:
            progress["done"] += 1
            progress["failed"] += not outcome["ok"]
            if progress["done"] % every == 0 or progress["done"] == visits:
                print(
                    f"  ... {progress['done']}/{visits} visits ({progress['failed']} failed)",
                    file=sys.stderr,
                    flush=True,
                )
        return outcome

    executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="visit")
    started, t0 = datetime.now(UTC), time.monotonic()
    try:
        outcomes = [f.result() for f in as_completed([executor.submit(one, i) for i in range(visits)])]
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    seconds, ended = time.monotonic() - t0, datetime.now(UTC)
    return Drive(
        started,
        ended,
        seconds,
        [o for o in outcomes if o["ok"]],
        [o for o in outcomes if not o["ok"]],
        Counter(recipes),
        over_stock,
    )


# --- reading the line's databases ----------------------------------------------------------------


def parse_ts(text: str) -> datetime:
    """SQLAlchemy stores DateTime in SQLite as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC here)."""
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def percentile(ordered: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks of an ascending list."""
    if not ordered:
        return None
    k = (len(ordered) - 1) * q
    lo = math.floor(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50_ms": percentile(ordered, 0.50),
        "p99_ms": percentile(ordered, 0.99),
        "max_ms": ordered[-1] if ordered else None,
    }


def read_line(var_dir: Path, drive_: Drive) -> dict:
    """Outbox and inbox of the six services' SQLite files, restricted to the drive."""
    outbox: dict[str, dict] = {}
    inbox: list[dict] = []
    for service in names.SERVICES:
        path = var_dir / f"{service}.db"
        if not path.exists():
            continue
        with closing(sqlite3.connect(path, timeout=30)) as db:
            for event_id, event_type, body, created_at, published_at, correlation_id in db.execute(
                "SELECT event_id, event_type, body, created_at, published_at, correlation_id FROM outbox"
            ):
                outbox[event_id] = {
                    "service": service,
                    "event_type": event_type,
                    "created_at": parse_ts(created_at),
                    "published": published_at is not None,
                    "correlation_id": correlation_id,
                    "body_bytes": len(body.encode("utf-8")),
                    "occurred_at": parse_ts(json.loads(body)["occurred_at"]),
                }
            for consumer, event_id, event_type, correlation_id, occurred_at, handled_at in db.execute(
                "SELECT consumer, event_id, event_type, correlation_id, occurred_at, handled_at FROM inbox"
            ):
                inbox.append(
                    {
                        "consumer": consumer,
                        "event_id": event_id,
                        "event_type": event_type,
                        "correlation_id": correlation_id,
                        "occurred_at": parse_ts(occurred_at),
                        "handled_at": parse_ts(handled_at),
                    }
                )

    in_drive = {eid: row for eid, row in outbox.items() if drive_.started <= row["created_at"] <= drive_.ended}
    since_start = {eid: row for eid, row in outbox.items() if row["created_at"] >= drive_.started}
    per_hop: dict[str, list[float]] = defaultdict(list)
    hops = []
    for row in inbox:
        produced = outbox.get(row["event_id"])
        sent_at = produced["created_at"] if produced else row["occurred_at"]
        if sent_at < drive_.started:
            continue  # e.g. the price list published at start-up
        hops.append(row)
        per_hop[f"{row['event_type']} -> {row['consumer']}"].append(
            (row["handled_at"] - sent_at).total_seconds() * 1000
        )

    completed_ids = {o["visit_id"] for o in drive_.completed}
    inbox_per_visit = Counter(row["correlation_id"] for row in hops if row["correlation_id"] in completed_ids)
    events_per_visit = Counter(
        row["correlation_id"] for row in in_drive.values() if row["correlation_id"] in completed_ids
    )
    body_sizes = [row["body_bytes"] for row in in_drive.values()]

    def order(key: str) -> tuple:
        event_type, consumer = key.split(" -> ")
        return (EVENT_ORDER.index(event_type) if event_type in EVENT_ORDER else 99, consumer)

    return {
        "outbox_rows_in_drive": len(in_drive),
        "outbox_rows_by_type": dict(Counter(row["event_type"] for row in in_drive.values())),
        "unpublished_outbox_rows": sum(not row["published"] for row in since_start.values()),
        "inbox_rows": len(hops),
        "hops_per_visit": (
            sum(inbox_per_visit[v] for v in completed_ids) / len(completed_ids) if completed_ids else None
        ),
        "events_per_visit": (
            sum(events_per_visit[v] for v in completed_ids) / len(completed_ids) if completed_ids else None
        ),
        "avg_body_bytes": sum(body_sizes) / len(body_sizes) if body_sizes else None,
        "latency": {key: summary(per_hop[key]) for key in sorted(per_hop, key=order)},
        "latency_overall": summary([v for values in per_hop.values() for v in values]),
    }


def dead_letter_depths(amqp_uri: str, namespace: str) -> dict[str, int]:
    depths = {}
    with Connection(amqp_uri, connect_timeout=5) as conn:
        for service in names.SERVICES:
            channel = conn.channel()
            try:
                depths[service] = channel.queue_declare(
                    f"{namespace}{service}.dead-letters", passive=True
                ).message_count
            except Exception:  # noqa: BLE001 - a missing queue just has nothing in it
                depths[service] = 0
            finally:
                with suppress(Exception):
                    channel.close()
    return depths


# --- baseline A: raw RabbitMQ ----------------------------------------------------------------------


class _Consumer(threading.Thread):
    """Consume `count` messages with manual acks, one ack per message; note when the last was acked."""

    def __init__(self, params: pika.URLParameters, queue: str, count: int, prefetch: int, timeout: float):
        super().__init__(daemon=True, name="raw-consumer")
        self.params, self.queue, self.count, self.prefetch, self.timeout = (
            params,
            queue,
            count,
            prefetch,
            timeout,
        )
        self.ready = threading.Event()
        self.got = 0
        self.ended: float | None = None
        self.error: str | None = None

    def run(self) -> None:
        try:
            connection = pika.BlockingConnection(self.params)
            try:
                channel = connection.channel()
                channel.basic_qos(prefetch_count=self.prefetch)

                def on_message(ch, method, _properties, _body):
                    ch.basic_ack(method.delivery_tag)
                    self.got += 1
                    if self.got >= self.count:
                        self.ended = time.perf_counter()
                        ch.stop_consuming()

                channel.basic_consume(self.queue, on_message, auto_ack=False)
                self.ready.set()
                deadline = time.monotonic() + self.timeout
                while self.got < self.count and time.monotonic() < deadline:
                    connection.process_data_events(time_limit=0.5)
            finally:
                with suppress(Exception):
                    connection.close()
        except Exception as exc:  # noqa: BLE001 - reported by the caller
            self.error = f"{exc.__class__.__name__}: {exc}"
            self.ready.set()


class _WindowedPublisher:
    """Publish `count` messages on a SelectConnection keeping up to `window` confirms in flight."""

    def __init__(self, params, queue: str, body: bytes, count: int, window: int, timeout: float):
        self.params, self.queue, self.body, self.count, self.window = params, queue, body, count, window
        self.timeout = timeout
        self.properties = pika.BasicProperties(delivery_mode=2, content_type="application/json")
        self.published = self.confirmed = self.nacked = 0
        self.outstanding: set[int] = set()
        self.error: str | None = None
        self.connection: pika.SelectConnection | None = None
        self.channel = None

    def run(self) -> None:
        self.connection = pika.SelectConnection(
            self.params,
            on_open_callback=self._on_open,
            on_open_error_callback=self._on_open_error,
            on_close_callback=lambda conn, _reason: conn.ioloop.stop(),
        )
        self.connection.ioloop.call_later(self.timeout, self._give_up)
        self.connection.ioloop.start()

    def _on_open(self, connection) -> None:
        connection.channel(on_open_callback=self._on_channel)

    def _on_open_error(self, connection, error) -> None:
        self.error = f"connection failed: {error}"
        connection.ioloop.stop()

    def _give_up(self) -> None:
        if self.confirmed < self.count:
            self.error = f"timed out with {self.confirmed}/{self.count} confirmed"
            self.connection.close()

    def _on_channel(self, channel) -> None:
        self.channel = channel
        channel.confirm_delivery(ack_nack_callback=self._on_confirm, callback=lambda _frame: self._pump())

    def _pump(self) -> None:
        while self.published < self.count and len(self.outstanding) < self.window:
            self.channel.basic_publish("", self.queue, self.body, self.properties)
            self.published += 1
            self.outstanding.add(self.published)

    def _on_confirm(self, frame) -> None:
        method = frame.method
        done = [t for t in self.outstanding if t <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        self.outstanding.difference_update(done)
        self.confirmed += len(done)
        if isinstance(method, pika.spec.Basic.Nack):
            self.nacked += len(done)
        if self.confirmed >= self.count:
            self.connection.close()
        else:
            self._pump()


def _publish_one_by_one(params, queue: str, body: bytes, count: int) -> int:
    """BlockingConnection.confirm_delivery: basic_publish returns only after the broker confirmed."""
    nacked = 0
    properties = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    connection = pika.BlockingConnection(params)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for _ in range(count):
            try:
                channel.basic_publish("", queue, body, properties, mandatory=True)
            except (pika.exceptions.NackError, pika.exceptions.UnroutableError):
                nacked += 1
    finally:
        connection.close()
    return nacked


def raw_baseline(
    amqp_uri: str,
    queue: str,
    count: int,
    body_bytes: int,
    hops_per_visit: float,
    *,
    window: int,
    prefetch: int,
    timeout: float,
) -> dict:
    params = pika.URLParameters(amqp_uri)
    body = json.dumps({"pad": "x" * max(0, body_bytes - 11)}).encode()
    setup = pika.BlockingConnection(params)
    results: dict = {
        "messages": count,
        "body_bytes": len(body),
        "queue": queue,
        "queue_type": "quorum",
        "prefetch": prefetch,
        "window": window,
    }
    try:
        channel = setup.channel()
        channel.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
        for mode in ("pipelined", "per-message"):
            channel.queue_purge(queue)
            consumer = _Consumer(params, queue, count, prefetch, timeout)
            consumer.start()
            consumer.ready.wait(30)
            t0 = time.perf_counter()
            if mode == "pipelined":
                publisher = _WindowedPublisher(params, queue, body, count, window, timeout)
                publisher.run()
                nacked, error = publisher.nacked, publisher.error
            else:
                nacked, error = _publish_one_by_one(params, queue, body, count), None
            published = time.perf_counter() - t0
            consumer.join(timeout)
            seconds = (consumer.ended - t0) if consumer.ended else None
            rate = count / seconds if seconds else None
            results[mode] = {
                "seconds": seconds,
                "publish_seconds": published,
                "consumed": consumer.got,
                "nacked": nacked,
                "error": error or consumer.error,
                "msgs_per_s": rate,
                "visits_per_s_equivalent": rate / hops_per_visit if rate and hops_per_visit else None,
            }
    finally:
        with suppress(Exception):
            setup.channel().queue_delete(queue)
        with suppress(Exception):
            setup.close()
    return results


# --- baseline B: the nameko chain --------------------------------------------------------------------


def _status(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def chain_baseline(
    amqp_uri: str,
    prefix: str,
    hops: int,
    visits: int,
    body_bytes: int,
    work_dir: Path,
    log_path: Path,
    timeout: float,
) -> dict:
    with warnings.catch_warnings():  # nameko pulls in eventlet, which warns that it is deprecated
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        from nameko.standalone.events import event_dispatcher

        from . import chain

    status_file = work_dir / "chain-status.json"
    result: dict = {"hops": hops, "visits": visits, "prefix": prefix, "log": str(log_path)}
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.chain", "--prefix", prefix, "--hops", str(hops)]
            + ["--expect", str(visits), "--status-file", str(status_file), "--amqp-uri", amqp_uri],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        deadline = time.monotonic() + 60
        while not (_status(status_file) or {}).get("ready"):
            if proc.poll() is not None:
                raise RuntimeError(f"chain exited with {proc.returncode}; see {log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"chain not ready after 60 s; see {log_path}")
            time.sleep(0.05)
        dispatch = event_dispatcher({"AMQP_URI": amqp_uri})
        pad = "x" * max(0, body_bytes - 60)
        t0 = time.time()
        for i in range(visits):
            dispatch(chain.source_name(prefix), "start", {"visit": i, "t0": time.time(), "pad": pad})
        result["publish_seconds"] = time.time() - t0
        deadline = time.monotonic() + timeout
        status = _status(status_file) or {}
        while status.get("count", 0) < visits and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
            status = _status(status_file) or status
        seen = status.get("count", 0)
        result["seen"] = seen
        if seen >= visits:
            result["seconds"] = status["last_at"] - t0
            result["visits_per_s"] = visits / result["seconds"]
            result["msgs_per_s"] = visits * hops / result["seconds"]
        else:
            result["error"] = f"last hop saw {seen}/{visits} events"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        latencies = sorted((_status(status_file) or {}).get("latencies") or [])
        result["visit_latency"] = summary([s * 1000 for s in latencies])
        _delete(amqp_uri, *chain.topology(prefix, hops))
    return result


def _delete(amqp_uri: str, queues: list[str], exchanges: list[str]) -> None:
    with Connection(amqp_uri, connect_timeout=5) as conn:
        for kind, name in [("queue", q) for q in queues] + [("exchange", e) for e in exchanges]:
            channel = conn.channel()
            try:
                (channel.queue_delete if kind == "queue" else channel.exchange_delete)(name)
            except Exception as exc:  # noqa: BLE001 - best effort, but say so
                print(f"warning: could not delete {kind} {name}: {exc}", file=sys.stderr)
            finally:
                with suppress(Exception):
                    channel.close()


# --- report -----------------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "n/a" if value is None else format(value, spec)


def ratio_line(name: str, short: str, line_rate: float | None, other: float | None, unit: str, spec: str) -> str:
    ratio = line_rate / other if line_rate is not None and other else None
    return f"ratio line/{name}: {fmt(ratio, spec)} (line {fmt(line_rate)} visits/s vs {short} {fmt(other)} {unit})"


def report(results: dict) -> None:
    line, cfg = results["line"], results["config"]
    print(
        f"\n== the line: {cfg['visits']} visits (+1 untimed warm-up), concurrency {cfg['concurrency']}, "
        f"namespace {cfg['namespace']} =="
    )
    print(
        f"recipes: {', '.join(f'{k} {v}' for k, v in sorted(line['recipes'].items()))}"
        + (f"  ({line['over_stock']} visits beyond the seeded stock!)" if line["over_stock"] else "")
    )
    print(
        f"completed {line['completed']}/{cfg['visits']} visits, {line['failed']} failed, "
        f"drive {line['seconds']:.1f} s -> {fmt(line['visits_per_s'], '.2f')} visits/s"
    )
    took = line["visit_ms"]
    print(f"one visit, booking to follow-up: p50 {fmt(took['p50_ms'], '.0f')} ms, p99 {fmt(took['p99_ms'], '.0f')} ms")
    print(
        f"events: {line['outbox_rows_in_drive']} outbox rows in the drive -> "
        f"{fmt(line['events_per_s'])} events/s ({fmt(line['events_per_visit'], '.2f')} per visit); "
        f"hops: {line['inbox_rows']} inbox rows, {fmt(line['hops_per_visit'], '.2f')} per visit; "
        f"avg outbox body {fmt(line['avg_body_bytes'], '.0f')} B"
    )
    if line["unpublished_outbox_rows"] or any(line["dead_letters"].values()):
        print(
            f"warning: {line['unpublished_outbox_rows']} outbox rows unpublished, dead letters {line['dead_letters']}"
        )
    for failure in line["failure_kinds"][:5]:
        print(f"failed x{failure['count']} at {failure['step']}: {failure['error']}")

    raw = results.get("raw")
    print("\n== baseline A: raw RabbitMQ (pika) ==")
    if raw:
        print(
            f"{raw['messages']} msgs x {raw['body_bytes']} B, persistent, durable {raw['queue_type']} queue, "
            f"consumed concurrently with manual acks (prefetch {raw['prefetch']})"
        )
        for mode, how in (
            ("pipelined", f"confirms in flight (SelectConnection, window {raw['window']})"),
            ("per-message", "one confirm per message (BlockingConnection.confirm_delivery)"),
        ):
            r = raw[mode]
            print(
                f"  {how}: {fmt(r['msgs_per_s'])} msgs/s = {fmt(r['visits_per_s_equivalent'])} "
                f"visits/s-equivalent" + (f"  [{r['error']}]" if r["error"] else "")
            )
    else:
        print(f"  not run: {results.get('raw_error')}")

    ch = results.get("chain")
    print("\n== baseline B: bare nameko relay chain ==")
    if ch:
        print(
            f"{ch['hops']} services (one hop each, max_workers 10) in one process, {ch['visits']} start "
            f"events published at once: {fmt(ch.get('visits_per_s'))} visits/s "
            f"({fmt(ch.get('msgs_per_s'))} msgs/s)" + (f"  [{ch['error']}]" if ch.get("error") else "")
        )
        print(
            f"  start -> last hop p50 {fmt(ch['visit_latency']['p50_ms'])} ms, "
            f"p99 {fmt(ch['visit_latency']['p99_ms'])} ms (includes queueing behind the other start events)"
        )
    else:
        print(f"  not run: {results.get('chain_error')}")

    raw_rate = raw["pipelined"]["visits_per_s_equivalent"] if raw else None
    print()
    print(ratio_line("raw-rabbitmq", "raw", line["visits_per_s"], raw_rate, "visits/s-equivalent", ".4f"))
    print(
        ratio_line(
            "nameko-chain",
            "chain",
            line["visits_per_s"],
            ch.get("visits_per_s") if ch else None,
            "visits/s",
            ".3f",
        )
    )

    print("\nper-hop latency on the line (outbox created_at -> inbox handled_at):")
    width = max([len(k) for k in line["latency"]] + [7])
    print(f"  {'hop':<{width}} {'n':>6} {'p50 ms':>9} {'p99 ms':>9}")
    for key, s in [*line["latency"].items(), ("overall", line["latency_overall"])]:
        print(f"  {key:<{width}} {s['n']:>6} {fmt(s['p50_ms']):>9} {fmt(s['p99_ms']):>9}")


# --- main -------------------------------------------------------------------------------------------


def _interrupt(*_):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Visits through the line vs raw RabbitMQ vs a bare nameko chain.")
    parser.add_argument("--visits", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--step-timeout", type=float, default=60.0, help="seconds each visit step may wait")
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))
    parser.add_argument("--raw-window", type=int, default=256, help="confirms in flight, baseline A")
    parser.add_argument("--raw-prefetch", type=int, default=100, help="consumer prefetch, baseline A")
    parser.add_argument("--json", type=Path, default=OUT_DIR / "latest.json")
    parser.add_argument("--keep-var", action="store_true", help="keep the line's temporary VAR_DIR")
    args = parser.parse_args(argv)
    if args.visits < 1 or args.concurrency < 1:
        parser.error("--visits and --concurrency must be at least 1")

    reason = broker_reachable(args.amqp_uri)
    if reason:
        print(f"RabbitMQ is not reachable at {args.amqp_uri}: {reason}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _interrupt)

    namespace = new_namespace()
    work_dir = Path(tempfile.mkdtemp(prefix="bench-"))
    var_dir = work_dir / "var"
    log_dir = OUT_DIR / "logs"
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir(parents=True)
    results: dict = {
        "config": {
            "visits": args.visits,
            "concurrency": args.concurrency,
            "namespace": namespace,
            "step_timeout": args.step_timeout,
            "started_at": datetime.now(UTC).isoformat(),
            "cpus": os.cpu_count(),
            "logs": str(log_dir),
        }
    }
    line = Line(
        env={
            "AMQP_URI": args.amqp_uri,
            "BUS_NAMESPACE": namespace,
            "VAR_DIR": str(var_dir),
            "SEED": "reference",
            "LOG_LEVEL": "WARNING",
        },
        log_dir=log_dir,
        ports={svc: free_port() for svc in names.SERVICES},
    )
    try:
        print(f"starting the line in namespace {namespace} (logs in {log_dir}) ...", file=sys.stderr, flush=True)
        try:
            line.start()
        except (RuntimeError, TimeoutError) as exc:
            print(f"the line did not start: {exc}", file=sys.stderr)
            return 1
        print(f"driving {args.visits} visits, {args.concurrency} at a time ...", file=sys.stderr, flush=True)
        try:
            run = drive(line, args.visits, args.concurrency, args.step_timeout)
        except WarmupFailed as exc:
            print(f"{exc}\nlogs: {log_dir}", file=sys.stderr)
            return 1
        dead = dead_letter_depths(args.amqp_uri, namespace)
        line.stop()
        measured = read_line(var_dir, run)
        failure_kinds = Counter((f["step"], f["error"][:160]) for f in run.failed)
        results["line"] = {
            "completed": len(run.completed),
            "failed": len(run.failed),
            "seconds": run.seconds,
            "visits_per_s": len(run.completed) / run.seconds,
            "events_per_s": measured["outbox_rows_in_drive"] / run.seconds,
            "visit_ms": summary([o["seconds"] * 1000 for o in run.completed]),
            "recipes": dict(run.recipes),
            "over_stock": run.over_stock,
            "dead_letters": dead,
            "failure_kinds": [{"step": s, "error": e, "count": c} for (s, e), c in failure_kinds.most_common()],
            "failures": run.failed[:50],
            **measured,
        }
        hops_per_visit = measured["hops_per_visit"] or 10.0
        body_bytes = round(measured["avg_body_bytes"] or 1000)
        messages = measured["inbox_rows"] or round(hops_per_visit * args.visits)

        print(f"baseline A: {messages} raw messages ...", file=sys.stderr, flush=True)
        try:
            results["raw"] = raw_baseline(
                args.amqp_uri,
                f"{namespace}bench.raw",
                messages,
                body_bytes,
                hops_per_visit,
                window=args.raw_window,
                prefetch=args.raw_prefetch,
                timeout=max(120.0, messages / 50),
            )
        except Exception as exc:  # noqa: BLE001 - one baseline failing still leaves a report
            results["raw_error"] = f"{exc.__class__.__name__}: {exc}"

        hops = max(1, round(hops_per_visit))
        print(
            f"baseline B: {args.visits} visits through a {hops}-hop nameko chain ...",
            file=sys.stderr,
            flush=True,
        )
        try:
            results["chain"] = chain_baseline(
                args.amqp_uri,
                f"{namespace.rstrip('.')}-chain",
                hops,
                args.visits,
                body_bytes,
                work_dir,
                log_dir / "chain.log",
                timeout=max(120.0, args.visits / 5),
            )
        except Exception as exc:  # noqa: BLE001
            results["chain_error"] = f"{exc.__class__.__name__}: {exc}"
    except KeyboardInterrupt:
        print("interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        line.stop()
        with suppress(Exception):
            drop_namespace(args.amqp_uri, namespace)
        if args.keep_var:
            print(f"kept the line's var dir: {var_dir}", file=sys.stderr)
        else:
            shutil.rmtree(work_dir, ignore_errors=True)

    report(results)
    line_rate = results["line"]["visits_per_s"]
    raw_rate = (results.get("raw") or {}).get("pipelined", {}).get("visits_per_s_equivalent")
    chain_rate = (results.get("chain") or {}).get("visits_per_s")
    results["ratios"] = {
        "line/raw-rabbitmq": line_rate / raw_rate if raw_rate else None,
        "line/nameko-chain": line_rate / chain_rate if chain_rate else None,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False))
    print(f"\nresults: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
