"""Baseline B: a bare nameko relay chain of K hops, no business logic, all in this one process.

    python -m bench.chain --prefix t1a2b3c4d5-chain --hops 10 --expect 1000 --status-file /tmp/x.json

Service `<prefix>-hop0` handles "start" events from `<prefix>-bench` and dispatches "next";
`<prefix>-hop<i>` handles "next" from `<prefix>-hop<i-1>` and dispatches "next" again; the last
hop only counts. Each hop is its own service class with its own durable queue
(`evt-<source>-<type>--<service>.relay`), so one chain visit is exactly K consumed messages,
like the K hops (inbox rows) of one visit on the line.

The status file (JSON, replaced atomically) says when the services are up and how many events
the last hop has seen: {"ready": true, "count": 990, "last_at": <unix time>, "latencies": [...]}.
"""

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

if __name__ == "__main__":  # run as the chain process; the benchmark imports this module for names only
    eventlet.monkey_patch()  # before every other import

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from nameko.events import EventDispatcher, event_handler  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402

HANDLER = "relay"


def source_name(prefix: str) -> str:
    """The pretend service the benchmark publishes "start" events as."""
    return f"{prefix}-bench"


def hop_name(prefix: str, index: int) -> str:
    return f"{prefix}-hop{index}"


def topology(prefix: str, hops: int) -> tuple[list[str], list[str]]:
    """(queue names, exchange names) the chain declares: what to delete afterwards."""
    queues, exchanges = [], [f"{source_name(prefix)}.events"]
    for i in range(hops):
        source, event_type = (source_name(prefix), "start") if i == 0 else (hop_name(prefix, i - 1), "next")
        queues.append(f"evt-{source}-{event_type}--{hop_name(prefix, i)}.{HANDLER}")
        exchanges.append(f"{hop_name(prefix, i)}.events")
    return queues, exchanges


class Tally:
    """What the last hop has seen: a count and the end-to-end latency of each chain visit."""

    def __init__(self, expect: int):
        self.expect = expect
        self.count = 0
        self.last_at = 0.0
        self.latencies: list[float] = []

    def hit(self, payload: dict) -> None:
        now = time.time()
        self.count += 1
        self.last_at = now
        if "t0" in payload:
            self.latencies.append(now - payload["t0"])


def hop_service(prefix: str, index: int, hops: int, tally: Tally) -> type:
    source, event_type = (source_name(prefix), "start") if index == 0 else (hop_name(prefix, index - 1), "next")
    attrs: dict = {"name": hop_name(prefix, index)}
    if index < hops - 1:
        attrs["dispatch"] = EventDispatcher()

        def relay(self, payload):
            self.dispatch("next", payload)
    else:

        def relay(self, payload):
            tally.hit(payload)

    relay.__name__ = HANDLER
    attrs[HANDLER] = event_handler(source, event_type)(relay)
    return type(f"Hop{index}", (), attrs)


def write_status(path: Path, status: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(status))
    os.replace(tmp, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", required=True, help="unique per run: service, queue and exchange names")
    parser.add_argument("--hops", type=int, required=True)
    parser.add_argument("--expect", type=int, required=True, help="events the last hop should see")
    parser.add_argument("--status-file", type=Path, required=True)
    parser.add_argument("--amqp-uri", default=os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--max-workers", type=int, default=10, help="as the line's services (MAX_WORKERS)")
    args = parser.parse_args()
    if args.hops < 1:
        parser.error("--hops must be at least 1")

    tally = Tally(args.expect)
    runner = ServiceRunner({"AMQP_URI": args.amqp_uri, "max_workers": args.max_workers})
    for i in range(args.hops):
        runner.add_service(hop_service(args.prefix, i, args.hops, tally))
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    runner.start()  # returns once every consumer is attached to its declared, bound queue

    def status(final: bool = False) -> dict:
        done = final or tally.count >= tally.expect
        return {
            "ready": True,
            "count": tally.count,
            "last_at": tally.last_at,
            "latencies": tally.latencies if done else None,
        }

    write_status(args.status_file, status())
    written = 0
    while not stopping:
        if tally.count != written:
            written = tally.count
            write_status(args.status_file, status())
        eventlet.sleep(0.02)
    runner.stop()
    write_status(args.status_file, status(final=True))


if __name__ == "__main__":
    main()
