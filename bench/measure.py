"""What a run left in the line's databases: visits/s, events/s, hops and their latencies."""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter, defaultdict
from contextlib import closing, suppress
from datetime import UTC, datetime
from pathlib import Path

from kombu import Connection

from contracts import names

from .constants import EVENT_ORDER
from .visits import Drive

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


def load_line(var_dir: Path) -> tuple[dict[str, dict], list[dict]]:
    """Outbox and inbox rows of the services' SQLite files (read once, after the line stopped)."""
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
    return outbox, inbox


def read_line(loaded: tuple[dict[str, dict], list[dict]], drive_: Drive) -> dict:
    """A drive's figures: its events (created in its time) and its hops (inbox rows of its visits)."""
    outbox, inbox = loaded
    visit_ids = {o.get("visit_id") for o in drive_.completed + drive_.failed} - {None, ""}
    in_drive = {eid: row for eid, row in outbox.items() if drive_.started <= row["created_at"] <= drive_.ended}
    since_start = {eid: row for eid, row in outbox.items() if row["created_at"] >= drive_.started}
    per_hop: dict[str, list[float]] = defaultdict(list)
    hops = []
    for row in inbox:
        produced = outbox.get(row["event_id"])
        sent_at = produced["created_at"] if produced else row["occurred_at"]
        if row["correlation_id"] not in visit_ids:
            continue  # another drive's, the warm-up's, or e.g. the price list published at start-up
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


def profile_per_visit(directory: Path, visits: int) -> dict:
    """From --profile (kit.serve counts from the bench's SIGUSR1 after its warm-up): Python function calls and
    SQL statements a visit, per service, and each service's statements a visit by their text (most first); the
    garbage collector's milliseconds a visit and its passes by generation."""
    import pstats

    out = {}
    for prof in sorted(directory.glob("*.prof")):
        service = prof.stem
        calls = pstats.Stats(str(prof)).total_calls
        statements = []
        sql = directory / f"{service}.sql.tsv"
        if sql.exists():
            for line in sql.read_text(encoding="utf-8").splitlines():
                count, _, text = line.partition("\t")
                statements.append((round(int(count) / visits, 2), text))
        collections = directory / f"{service}.gc.json"
        gc = json.loads(collections.read_text(encoding="utf-8")) if collections.exists() else None
        out[service] = {
            "calls_a_visit": round(calls / visits),
            "statements_a_visit": round(sum(n for n, _ in statements), 1),
            "gc_ms_a_visit": round(1000 * sum(gc["seconds"]) / visits, 2) if gc else None,
            "gc_passes_by_generation": gc["collections"] if gc else None,
            "statements": statements[:40],
        }
    return out
