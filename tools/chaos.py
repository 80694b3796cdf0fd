"""The failure drill (`make chaos`, issue 12 item 9): N visits through the whole line on PostgreSQL (one database
per service) while every service is killed -9 at random moments (at least three times each, started again at
once as a supervisor would), the broker is restarted and PostgreSQL is restarted; then every visit's trail is
read from the services' databases (tools/chaos_audit.py): visits lost / doubled / stuck and the time to recover.
Exits 1 unless 0 / 0 / 0 and no dead letter.

    python -m tools.chaos --visits 200            # AMQP_URI, DATABASE_URL (PostgreSQL) from the environment

The staff's HTTP calls retry what a service did not answer (it was down) and what failed on a 5xx (the database
or the broker was away), as someone at a tablet would. A kill waits for the staff's HTTP calls to that service
in flight to be answered (a call answered 200 whose answer never came back would be retried by hand and is not
the line's doing); the messages and the outbox relays in flight are what it hits."""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests
from kombu import Connection

from bench.constants import VISIT_STEPS
from contracts import names
from kit import bus
from tests.support.http import READER, Client
from tests.support.infra import free_port
from tests.support.visit import Visit
from tools import chaos_audit, chaos_infra
from tools.line import ROOT, Line

RETRYABLE = (500, 502, 503, 504)


class Gate:
    """Many HTTP calls at once, or one kill: `shut()` waits for the calls in flight and holds new ones back."""

    def __init__(self):
        self._cond = threading.Condition()
        self._in_flight = 0
        self._shut = False

    @contextmanager
    def call(self):
        with self._cond:
            self._cond.wait_for(lambda: not self._shut)
            self._in_flight += 1
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    @contextmanager
    def shut(self):
        with self._cond:
            self._cond.wait_for(lambda: not self._shut)
            self._shut = True
            self._cond.wait_for(lambda: self._in_flight == 0)
        try:
            yield
        finally:
            with self._cond:
                self._shut = False
                self._cond.notify_all()


class PatientClient(Client):
    """A staff member's tablet: a call the service did not take (it was down) or answered 5xx is made again."""

    def __init__(self, line: Line, patience: float):
        super().__init__(line, minted=True)
        self.gates = {service: Gate() for service in names.SERVICES}
        self.patience = patience
        self.retried = 0
        self.stopping = threading.Event()  # the drill interrupted: every visit stops at its next call

    def request(self, method, service, path, body=None, as_=READER):
        deadline = time.monotonic() + self.patience
        while True:
            if self.stopping.is_set():
                raise RuntimeError("the drill was interrupted")
            with self.gates[service].call():
                try:
                    response = super().request(method, service, path, body, as_=as_)
                except requests.ConnectionError:
                    response = None
            if (response is not None and not again(response)) or time.monotonic() > deadline:
                if response is None:
                    raise requests.ConnectionError(f"{service} did not answer {method} {path} for {self.patience}s")
                return response
            self.retried += 1
            time.sleep(0.5)


def again(response: requests.Response) -> bool:
    """Worth pressing again: a 5xx (the database or the broker away), or the pre-inspection bays taken by the other
    advisors' cars for the moment (R-RC-8: the advisor waits for a free bay, as on the forecourt)."""
    if response.status_code in RETRYABLE:
        return True
    return response.status_code == 422 and ('"bay_occupied"' in response.text or '"bays_full"' in response.text)


STEPS = VISIT_STEPS  # the visit, step by step, as the benchmark drives it


def drive(visit: Visit) -> dict:
    """One visit, step by step (tests/support/visit.py), recording where it stopped if it did."""
    outcome = {"completed": False, "step": ""}
    try:
        for step in STEPS:
            outcome["step"] = step
            if step == "pay":
                visit.pay(visit.invoice()["total"])
            else:
                getattr(visit, step)()
        outcome["completed"] = True
    except Exception as exc:  # noqa: BLE001 - a visit that cannot go on is counted, not fatal
        outcome["error"] = f"{exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
    outcome.update(appointment_id=visit.appointment_id, order_id=visit.order_id, invoice_id=visit.invoice_id)
    return outcome


class Drill:
    def __init__(self, line: Line, client: PatientClient, args, infra: dict):
        self.line, self.client, self.args, self.infra = line, client, args, infra
        self.rng = random.Random(args.seed)
        self.finished = 0
        self.lock = threading.Lock()
        self.recoveries: list[dict] = []

    def plan(self) -> list[tuple[str, str]]:
        actions = [("kill", s) for s in names.SERVICES for _ in range(self.args.kills)]
        actions += [("broker", "restart"), ("postgresql", "restart")]
        self.rng.shuffle(actions)
        return actions

    def run_disruptions(self, actions, visits_done: threading.Event) -> None:
        marks = sorted(self.rng.uniform(0.02, 0.8) * self.args.visits for _ in actions)
        for (kind, target), mark in zip(actions, marks, strict=True):
            while self.finished < mark and not visits_done.is_set():
                time.sleep(0.2)
            time.sleep(self.rng.uniform(0, 1.5))  # a random moment in whatever is in flight
            try:
                self.recoveries.append(self.disrupt(kind, target))
            except Exception as exc:  # noqa: BLE001 - the line did not come back: the drill fails, and says why
                self.recoveries.append({"kind": kind, "target": target, "seconds": None, "error": str(exc)[:300]})
                print(f"  ... {kind} {target}: NOT recovered: {exc}", file=sys.stderr)
                continue
            print(f"  ... {kind} {target}: recovered in {self.recoveries[-1]['seconds']:.1f}s", file=sys.stderr)

    def disrupt(self, kind: str, target: str) -> dict:
        with ExitStack() as stack:
            for service in [target] if kind == "kill" else names.SERVICES:
                stack.enter_context(self.client.gates[service].shut())
            t0 = time.monotonic()
            if kind == "kill":
                self.line.kill(target)
                self.line.start_one(target)  # the supervisor starts it again at once
            elif kind == "broker":
                self.infra["vhost"].close_connections() if self.args.soft else chaos_infra.restart_broker()
            else:
                self.infra["databases"].outage() if self.args.soft else chaos_infra.restart_postgresql()
        if kind == "broker":
            wait_for(lambda: chaos_infra_broker_answers(self.line.env["AMQP_URI"]), 300, "the broker")
        self.line.wait_healthy([target] if kind == "kill" else names.SERVICES, timeout=300)
        return {"kind": kind, "target": target, "seconds": time.monotonic() - t0}


def chaos_infra_broker_answers(amqp_uri: str) -> bool:
    try:
        with Connection(amqp_uri, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:  # noqa: BLE001
        return False


def wait_for(probe, timeout: float, what: str) -> float:
    t0 = time.monotonic()
    while not probe():
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"{what}: not after {timeout}s")
        time.sleep(0.25)
    return time.monotonic() - t0


def drained(line: Line, client: PatientClient) -> bool:
    """Every outbox published and every consumer queue empty."""
    for service in names.SERVICES:
        try:
            health = requests.get(line.url(service, "/healthz"), timeout=10).json()
        except (requests.RequestException, ValueError):
            return False
        if health.get("status") != "ok" or health.get("outbox_pending"):
            return False
    ns = line.env["BUS_NAMESPACE"]
    with Connection(line.env["AMQP_URI"], connect_timeout=5) as conn:
        channel = conn.channel()
        for svc, types in bus.SUBSCRIPTIONS.items():
            for event_type in types:
                queue = bus.consumer_queue(ns, svc, event_type)
                if channel.queue_declare(queue=queue.name, passive=True).message_count:
                    return False
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=200)
    parser.add_argument("--kills", type=int, default=3, help="kill -9 of every service, each this many times")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--patience", type=float, default=180.0, help="seconds a step may wait for the line")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--soft", action="store_true", help="close this run's connections instead of restarting")
    parser.add_argument("--keep", action="store_true", help="keep the databases and the vhost afterwards")
    args = parser.parse_args(argv)
    args.seed = args.seed if args.seed is not None else random.randrange(10**6)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a timeout's TERM cleans up as Ctrl-C does
    run_id = time.strftime("%Y%m%d-%H%M%S")
    out = ROOT / "var" / "chaos" / run_id
    databases = chaos_infra.Databases(os.environ.get("DATABASE_URL", ""))
    vhost = chaos_infra.Vhost(os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"))
    line = None
    try:
        env = {
            "AMQP_URI": vhost.create(),
            "BUS_NAMESPACE": f"chaos{uuid.uuid4().hex[:6]}.",
            "VAR_DIR": str(out / "var"),
            "SEED": "reference",
            "LOG_LEVEL": "WARNING",
            **databases.create(),
        }
        line = Line(env=env, log_dir=out / "logs", ports={s: free_port() for s in names.SERVICES})
        line.start()
        return run(line, args, {"vhost": vhost, "databases": databases}, out)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the clean-up runs to its end
        if line is not None:
            line.stop()
        if not args.keep:
            for cleanup in (databases.drop, vhost.delete):
                try:
                    cleanup()
                except Exception as exc:  # noqa: BLE001
                    print(f"cleanup: {exc}", file=sys.stderr)


def run(line: Line, args, infra: dict, out: Path) -> int:
    client = PatientClient(line, args.patience)
    drill = Drill(line, client, args, infra)
    reference = drive(Visit(line, client=client, timeout=args.patience))  # before any disruption
    if not reference["completed"]:
        print(f"the line cannot take one visit before any disruption: {reference}", file=sys.stderr)
        return 2
    print(f"chaos: {args.visits} visits, seed {args.seed}, logs in {out}", file=sys.stderr)
    visits_done = threading.Event()
    chaos = threading.Thread(target=drill.run_disruptions, args=(drill.plan(), visits_done), daemon=True)
    t0 = time.monotonic()
    chaos.start()

    def one(_i):
        outcome = drive(Visit(line, client=client, timeout=args.patience))
        with drill.lock:
            drill.finished += 1
            if drill.finished % max(1, args.visits // 10) == 0:
                print(f"  ... {drill.finished}/{args.visits} visits", file=sys.stderr)
        return outcome

    with ThreadPoolExecutor(args.concurrency, thread_name_prefix="visit") as pool:
        try:
            visits = list(pool.map(one, range(args.visits)))
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): the visits stop, the line is stopped and cleaned up
            client.stopping.set()
            raise
    visits_done.set()
    chaos.join()
    driven = time.monotonic() - t0
    settle = wait_for(lambda: drained(line, client), 600, "the line to drain")
    dead = {
        s: len(bus.peek_dead_letters(line.env["AMQP_URI"], line.env["BUS_NAMESPACE"], s, 1000)) for s in names.SERVICES
    }
    engines = {s: infra["databases"].engine(s) for s in names.SERVICES}
    verdict = chaos_audit.audit(engines.__getitem__, reference, visits, dead)
    for engine in engines.values():
        engine.dispose()
    report(args, verdict, drill.recoveries, driven, settle, client.retried, out)
    return 0 if verdict.ok and all(r["seconds"] is not None for r in drill.recoveries) else 1


def report(args, verdict, recoveries, driven, settle, retried, out: Path) -> None:
    failed = [r for r in recoveries if r["seconds"] is None]
    kills = [r["seconds"] for r in recoveries if r["kind"] == "kill" and r["seconds"] is not None]
    other = {r["kind"]: r["seconds"] or 0 for r in recoveries if r["kind"] != "kill"}
    mode = "disrupted softly (its own connections closed, its databases away 3 s: --soft)" if args.soft else "restarted"
    lines = [
        f"chaos: {verdict.visits} visits on PostgreSQL, concurrency {args.concurrency}, seed {args.seed}",
        f"disruptions: {len(kills)} kill -9 ({args.kills} of each of {len(names.SERVICES)} services), "
        f"broker and PostgreSQL {mode}",
        f"visits completed: {verdict.completed}/{verdict.visits}",
        f"visits lost: {len(verdict.lost)}",
        f"visits doubled: {len(verdict.doubled)}",
        f"visits stuck: {len(verdict.stuck)}",
        f"dead letters: {sum(verdict.dead_letters.values())}",
        f"time to recover: kill -9 -> healthy again median {statistics.median(kills or [0]):.1f}s, "
        f"max {max(kills or [0]):.1f}s; broker {other.get('broker', 0):.1f}s; "
        f"PostgreSQL {other.get('postgresql', 0):.1f}s",
        f"drained {settle:.1f}s after the last visit; visits took {driven:.0f}s; {retried} staff calls made again",
    ]
    for r in failed:
        lines.append(f"  NOT recovered after {r['kind']} {r['target']}: {r['error']}")
    for trail in verdict.lost[:10]:
        lines.append(f"  lost {trail.visit.get('order_id') or trail.visit.get('appointment_id')}: {trail.missing()}")
    for trail, why in verdict.doubled[:10]:
        lines.append(f"  doubled {trail.visit.get('order_id')}: {why}")
    for visit in verdict.stuck[:10]:
        lines.append(f"  stuck at {visit['step']}: {visit.get('error', '')}")
    print("\n".join(lines))
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(
        json.dumps(
            {
                "summary": lines,
                "recoveries": recoveries,
                "dead_letters": verdict.dead_letters,
                "stuck": verdict.stuck,
                "lost": [t.visit | {"missing": t.missing()} for t in verdict.lost],
                "doubled": [t.visit | {"why": why} for t, why in verdict.doubled],
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
