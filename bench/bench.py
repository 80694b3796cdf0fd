"""The line's throughput and latency, against raw RabbitMQ, a bare nameko chain and a persisted chain.

    .venv/bin/python -m bench.bench                      # make bench: a few minutes
    .venv/bin/python -m bench.bench --sweep 4,16,64 --visits 200 --paced-seconds 60   # the full run

One line (kit: tools.line.Line) in a fresh bus namespace and a temporary VAR_DIR (SEED=reference,
LOG_LEVEL=WARNING, free ports, PRE_INSPECTION_BAYS sized to the largest concurrency), then:

1. One untimed warm-up visit (connections, first queries, sign-ins).
2. The sweep: for each concurrency C, max(--visits, 2 C) visits through the public HTTP APIs
   (tests.support.visit.Visit, every step by the staff member whose job it is), C at a time.
   A car that finds every pre-inspection bay taken waits for its ticket (it is counted, not failed).
   Each step that waits for the line waits for the event that makes it possible on the bench's own
   queue bound to the namespace's events exchanges (bench.feed), then reads the answer (every 20 ms
   until the event's consumer has handled it), instead of polling HTTP every 100 ms.
3. The paced run: visits started at --paced-rate a second for --paced-seconds, whatever the line's
   pace; a visit's time counts from its planned start. Meanwhile a department page (the workshop's
   dispatch board) is opened every half second: its p50 / p95.
4. Per service: CPU seconds of each phase and peak resident memory (psutil), from the processes.
5. After the line stopped, from its SQLite files: events/s (outbox rows), hops (inbox rows of a
   phase's visits) and their latency, producer's outbox created_at -> consumer's inbox handled_at.
6. Baselines in the same run: raw RabbitMQ (pika, quorum queue, persistent, confirms in flight and
   one at a time), the bare nameko chain (bench/chain.py) and the persisted chain (bench/persisted.py:
   the same hops through the kit's own outbox, relay and inbox on SQLite, the floor for this design).
7. Issue 13's goals, each MET / NOT MET with its figure; everything in --json (var/bench/result.json).

The exit status is 1 when any visit failed (each failure kind is printed), 2 when the line could not
be measured at all. Everything the run creates on the broker is deleted at the end.
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
from .feed import EventFeed
from .goals import cpu_a_visit, evaluate
from .measure import dead_letter_depths, load_line, profile_per_visit, read_line, summary
from .persisted import persisted_baseline
from .report import report
from .resources import PageWatch, Resources, cpu_between
from .visits import Drive, WarmupFailed, drive, plan_recipes, warm_up

# --- main -------------------------------------------------------------------------------------------


def _interrupt(*_):
    raise KeyboardInterrupt


def _profiles() -> Path:
    path = OUT_DIR / "profiles"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _levels(text: str) -> list[int]:
    levels = [int(part) for part in text.split(",") if part.strip()]
    if not levels or min(levels) < 1:
        raise argparse.ArgumentTypeError("concurrency levels are positive integers, e.g. 4,16,64")
    return levels


def _phase_figures(loaded, run: Drive, cpu: dict | None, machine: dict | None = None) -> dict:
    measured = read_line(loaded, run)
    kinds = Counter((f["step"], f["error"][:160]) for f in run.failed)
    return {
        "concurrency": run.concurrency,
        "rate": run.rate,
        "visits": len(run.completed) + len(run.failed),
        "completed": len(run.completed),
        "failed": len(run.failed),
        "seconds": run.seconds,
        "visits_per_s": len(run.completed) / run.seconds,
        "events_per_s": measured["outbox_rows_in_drive"] / run.seconds,
        "visit_ms": summary([o["seconds"] * 1000 for o in run.completed]),
        "bay_waits": run.bay_waits,
        "recipes": dict(run.recipes),
        "cpu_seconds": cpu,
        "machine_cpu_seconds": machine,  # the broker, the driver and the machine in all (bench/resources.py)
        "failure_kinds": [{"step": s, "error": e, "count": c} for (s, e), c in kinds.most_common()],
        "failures": run.failed[:50],
        **measured,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Visits through the line vs raw RabbitMQ vs the chains.")
    parser.add_argument("--sweep", type=_levels, default=[4, 16, 64], help="concurrency levels (4,16,64)")
    parser.add_argument("--visits", type=int, default=40, help="visits per level (at least 2 x the level)")
    parser.add_argument("--paced-rate", type=float, default=10.0, help="visits started a second (0: no run)")
    parser.add_argument("--paced-seconds", type=float, default=15.0)
    parser.add_argument("--step-timeout", type=float, default=60.0, help="seconds each visit step may wait")
    parser.add_argument("--baselines", default="raw,chain,persisted", help="which baselines to run ('' none)")
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", DEFAULT_AMQP_URI))
    parser.add_argument("--raw-window", type=int, default=256, help="confirms in flight, raw baseline")
    parser.add_argument("--raw-prefetch", type=int, default=100, help="consumer prefetch, raw baseline")
    parser.add_argument("--json", type=Path, default=OUT_DIR / "result.json")
    parser.add_argument("--keep-var", action="store_true", help="keep the line's temporary VAR_DIR")
    parser.add_argument("--profile", action="store_true", help="cProfile each service into var/bench/profiles")
    args = parser.parse_args(argv)
    if args.visits < 1:
        parser.error("--visits must be at least 1")

    reason = broker_reachable(args.amqp_uri)
    if reason:
        print(f"RabbitMQ is not reachable at {args.amqp_uri}: {reason}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)

    namespace = new_namespace()
    work_dir = Path(tempfile.mkdtemp(prefix="bench-"))
    var_dir = work_dir / "var"
    log_dir = OUT_DIR / "logs"
    shutil.rmtree(log_dir, ignore_errors=True)
    log_dir.mkdir(parents=True)
    sizes = [max(args.visits, 2 * level) for level in args.sweep]
    paced_visits = round(args.paced_rate * args.paced_seconds) if args.paced_rate > 0 else 0
    bays = max(args.sweep)
    results: dict = {
        "config": {
            "sweep": args.sweep,
            "visits_per_level": sizes,
            "paced_rate": args.paced_rate,
            "paced_visits": paced_visits,
            "namespace": namespace,
            "step_timeout": args.step_timeout,
            "started_at": datetime.now(UTC).isoformat(),
            "cpus": os.cpu_count(),
            "bays": bays,
            "logs": str(log_dir),
            "command": " ".join(["python -m bench.bench", *(argv if argv is not None else sys.argv[1:])]),
        }
    }
    line = Line(
        env={
            "AMQP_URI": args.amqp_uri,
            "BUS_NAMESPACE": namespace,
            "VAR_DIR": str(var_dir),
            "SEED": "reference",
            "LOG_LEVEL": "WARNING",
            # as many pre-inspection bays as cars the bench keeps in flight (R-RC-8); beyond them a car waits
            "PRE_INSPECTION_BAYS": ",".join(f"P{i}" for i in range(1, bays + 1)),
            **({"PROFILE_DIR": str(_profiles())} if args.profile else {}),
        },
        log_dir=log_dir,
        ports={svc: free_port() for svc in names.SERVICES},
    )
    plan, _over = plan_recipes(1 + sum(sizes) + paced_visits)
    feed = resources = None
    runs: list[tuple[Drive, dict | None, dict | None]] = []
    paced_run = page = None
    try:
        print(f"starting the line in namespace {namespace} (logs in {log_dir}) ...", file=sys.stderr, flush=True)
        try:
            line.start()
        except (RuntimeError, TimeoutError) as exc:
            print(f"the line did not start: {exc}", file=sys.stderr)
            return 2
        feed = EventFeed(args.amqp_uri, namespace).start()
        resources = Resources(line, args.amqp_uri)
        resources.start()
        try:
            shared = warm_up(line, plan[0], args.step_timeout, feed)
        except WarmupFailed as exc:
            print(f"{exc}\nlogs: {log_dir}", file=sys.stderr)
            return 2
        if args.profile:  # the statistics count from here: no start-up, no warm-up
            for process in line.processes.values():
                process.send_signal(signal.SIGUSR1)
        taken = 1
        for level, size in zip(args.sweep, sizes, strict=True):
            print(f"sweep: {size} visits, {level} at a time ...", file=sys.stderr, flush=True)
            before, machine = resources.cpu(), resources.machine()
            run = drive(
                line, plan[taken : taken + size], args.step_timeout, shared, concurrency=level, label=f"c={level}"
            )
            runs.append((run, cpu_between(before, resources.cpu()), cpu_between(machine, resources.machine())))
            taken += size
        if paced_visits:
            print(f"paced: {paced_visits} visits at {args.paced_rate:g}/s ...", file=sys.stderr, flush=True)
            page = PageWatch(shared["client"])
            page.start()
            before, machine = resources.cpu(), resources.machine()
            paced_run = drive(
                line, plan[taken : taken + paced_visits], args.step_timeout, shared, rate=args.paced_rate, label="paced"
            )
            paced_cpu, paced_machine = cpu_between(before, resources.cpu()), cpu_between(machine, resources.machine())
            page = page.stop()
        results["peak_rss_mb"] = resources.peak_mb()
        results["dead_letters"] = dead_letter_depths(args.amqp_uri, namespace)
        feed.stop()
        resources.stop()
        line.stop()
        if args.profile:
            results["profile"] = profile_per_visit(OUT_DIR / "profiles", sum(sizes) + paced_visits)
        loaded = load_line(var_dir)
        results["sweep"] = [_phase_figures(loaded, run, cpu, machine) for run, cpu, machine in runs]
        if paced_run is not None:
            results["paced"] = {**_phase_figures(loaded, paced_run, paced_cpu, paced_machine), "page": page}
        phases = results["sweep"] + ([results["paced"]] if paced_run is not None else [])
        for phase in phases:
            phase["cpu_a_visit"] = cpu_a_visit(phase, results["config"]["cpus"])
        results["unpublished_outbox_rows"] = max(p["unpublished_outbox_rows"] for p in phases)
        measured = max(phases, key=lambda p: p["inbox_rows"])
        hops_per_visit = measured["hops_per_visit"] or 10.0
        body_bytes = round(measured["avg_body_bytes"] or 1000)
        visits = max(sizes)
        results.update(run_baselines(args, namespace, work_dir, log_dir, visits, hops_per_visit, body_bytes))
    except KeyboardInterrupt:
        print("interrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        for thread in (feed, resources):
            if thread is not None and thread.is_alive():
                thread.stop()
        line.stop()
        with suppress(Exception):
            drop_namespace(args.amqp_uri, namespace)
        if args.keep_var:
            print(f"kept the line's var dir: {var_dir}", file=sys.stderr)
        else:
            shutil.rmtree(work_dir, ignore_errors=True)

    results["goals"] = evaluate(results)
    report(results)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False))
    print(f"\nresults: {args.json}")
    failed = sum(p["failed"] for p in phases)
    if failed:
        print(f"{failed} visits failed", file=sys.stderr)
        return 1
    return 0


def run_baselines(
    args, namespace: str, work_dir: Path, log_dir: Path, visits: int, hops_per_visit: float, body_bytes: int
) -> dict:
    wanted = {b.strip() for b in args.baselines.split(",") if b.strip()}
    out: dict = {}
    hops = max(1, round(hops_per_visit))
    if "raw" in wanted:
        messages = round(hops_per_visit * visits)
        print(f"baseline: {messages} raw messages ...", file=sys.stderr, flush=True)
        try:
            out["raw"] = raw_baseline(
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
            out["raw_error"] = f"{exc.__class__.__name__}: {exc}"
    if "chain" in wanted:
        print(f"baseline: {visits} visits through a {hops}-hop nameko chain ...", file=sys.stderr, flush=True)
        try:
            out["chain"] = chain_baseline(
                args.amqp_uri,
                f"{namespace.rstrip('.')}-chain",
                hops,
                visits,
                body_bytes,
                work_dir,
                log_dir / "chain.log",
                timeout=max(120.0, visits / 5),
            )
        except Exception as exc:  # noqa: BLE001
            out["chain_error"] = f"{exc.__class__.__name__}: {exc}"
    if "persisted" in wanted:
        print(f"baseline: {visits} visits through a {hops}-hop persisted chain ...", file=sys.stderr, flush=True)
        try:
            out["persisted_chain"] = persisted_baseline(
                args.amqp_uri,
                f"{namespace.rstrip('.')}-kept.",
                hops,
                visits,
                body_bytes,
                work_dir / "persisted",
                timeout=max(120.0, visits / 2),
            )
        except Exception as exc:  # noqa: BLE001
            out["persisted_chain_error"] = f"{exc.__class__.__name__}: {exc}"
    return out


if __name__ == "__main__":
    sys.exit(main())
