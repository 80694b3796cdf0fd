"""The line's throughput and per-hop latency, against raw RabbitMQ and a bare nameko relay chain.

    .venv/bin/python -m bench.bench --visits 1000 [--concurrency 16]

What is measured, and how, in one run:

1. The line. Its services (contracts.names.SERVICES) start as processes (kit.line.Line) in a
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
import os
import shutil
import signal
import sys
import tempfile
from collections import Counter
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from contracts import names
from tests.support.infra import drop_namespace, free_port, new_namespace
from tools.line import Line, broker_reachable

from .baselines import chain_baseline, raw_baseline
from .constants import DEFAULT_AMQP_URI, OUT_DIR
from .measure import dead_letter_depths, read_line, summary
from .report import report
from .visits import WarmupFailed, drive

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
