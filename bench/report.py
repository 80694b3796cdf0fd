"""The printed report: each figure, and each ratio against the baselines."""

from __future__ import annotations

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
