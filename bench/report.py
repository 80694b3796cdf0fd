"""The printed report: each phase's figures, the baselines, and each goal met / not met."""

from __future__ import annotations

# --- report -----------------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "n/a" if value is None else format(value, spec)


def _phase(title: str, phase: dict) -> None:
    print(f"\n== {title} ==")
    print(
        f"completed {phase['completed']}/{phase['visits']} visits, {phase['failed']} failed, "
        f"{phase['seconds']:.1f} s -> {fmt(phase['visits_per_s'], '.2f')} visits/s; "
        f"{phase['bay_waits']} waits for a pre-inspection bay"
    )
    took = phase["visit_ms"]
    print(f"one visit, booking to follow-up: p50 {fmt(took['p50_ms'], '.0f')} ms, p99 {fmt(took['p99_ms'], '.0f')} ms")
    print(
        f"events {phase['outbox_rows_in_drive']} ({fmt(phase['events_per_s'])}/s, "
        f"{fmt(phase['events_per_visit'], '.2f')} a visit); hops {phase['inbox_rows']} "
        f"({fmt(phase['hops_per_visit'], '.2f')} a visit): p50 {fmt(phase['latency_overall']['p50_ms'])} ms, "
        f"p99 {fmt(phase['latency_overall']['p99_ms'])} ms"
    )
    cpu = phase.get("cpu_seconds") or {}
    if cpu:
        print("CPU s: " + ", ".join(f"{svc} {fmt(v)}" for svc, v in cpu.items()) + f" (total {fmt(sum(cpu.values()))})")
    spent = phase.get("cpu_a_visit")
    if spent:
        print(
            f"CPU ms a visit: services {fmt(spent['services_ms'])}, broker {fmt(spent['broker_ms'])}, "
            f"bench driver {fmt(spent['driver_ms'])}, rest {fmt(spent['rest_ms'])}; the machine "
            f"{fmt(spent['machine_ms'])} in all ({fmt(spent['visits_per_s_at_this_cost'])} visits/s at this cost)"
        )
    if phase.get("page"):
        page = phase["page"]
        print(
            f"department page {page['page']}: {page['n']} loads, p50 {fmt(page['p50_ms'])} ms, "
            f"p95 {fmt(page['p95_ms'])} ms, {page['errors']} not 200"
        )
    for failure in phase["failure_kinds"]:
        print(f"FAILED x{failure['count']} at {failure['step']}: {failure['error']}")


def report(results: dict) -> None:
    cfg = results["config"]
    print(f"\nthe line in namespace {cfg['namespace']}, {cfg['cpus']} CPUs, bays {cfg['bays']}")
    for phase in results.get("sweep") or []:
        _phase(f"sweep: {phase['visits']} visits, {phase['concurrency']} at a time", phase)
    if results.get("paced"):
        paced = results["paced"]
        _phase(f"paced: {paced['visits']} visits started at {paced['rate']:g} a second", paced)
        width = max([len(k) for k in paced["latency"]] + [7])
        print(f"  {'hop':<{width}} {'n':>6} {'p50 ms':>9} {'p99 ms':>9}")
        for key, s in [*paced["latency"].items(), ("overall", paced["latency_overall"])]:
            print(f"  {key:<{width}} {s['n']:>6} {fmt(s['p50_ms']):>9} {fmt(s['p99_ms']):>9}")
    rss = results.get("peak_rss_mb") or {}
    if rss:
        print("\npeak resident MB: " + ", ".join(f"{svc} {v:.0f}" for svc, v in rss.items()))
    profile = results.get("profile") or {}
    if profile:
        print(
            "\na visit (--profile, after the warm-up): "
            + ", ".join(
                f"{svc} {p['statements_a_visit']:g} SQL statements, {p['calls_a_visit']:,} calls"
                + (f", GC {p['gc_ms_a_visit']:g} ms" if p.get("gc_ms_a_visit") is not None else "")
                for svc, p in profile.items()
            )
        )
    if results.get("unpublished_outbox_rows") or any((results.get("dead_letters") or {}).values()):
        print(
            f"warning: {results['unpublished_outbox_rows']} outbox rows unpublished, dead letters "
            f"{results['dead_letters']}"
        )

    print("\n== baselines, same run ==")
    raw = results.get("raw")
    if raw:
        for mode, how in (("pipelined", "confirms in flight"), ("per-message", "one confirm at a time")):
            r = raw[mode]
            print(
                f"raw RabbitMQ ({raw['messages']} msgs x {raw['body_bytes']} B, quorum queue, {how}): "
                f"{fmt(r['msgs_per_s'])} msgs/s = {fmt(r['visits_per_s_equivalent'])} visits/s-equivalent"
                + (f"  [{r['error']}]" if r["error"] else "")
            )
    else:
        print(f"raw RabbitMQ: not run ({results.get('raw_error') or 'not asked: --baselines'})")
    for key, title in (("chain", "bare nameko chain"), ("persisted_chain", "persisted chain (kit outbox/relay/inbox)")):
        ch = results.get(key)
        if ch:
            spent = ch.get("cpu_ms_a_visit") or {}
            print(
                f"{title}: {ch['hops']} hops, {ch['visits']} visits: {fmt(ch.get('visits_per_s'))} visits/s"
                + (f"  [{ch['error']}]" if ch.get("error") else "")
                + (
                    f"; CPU ms a visit: hops {fmt(spent.get('hops'))}, broker {fmt(spent.get('broker'))}, "
                    f"the machine {fmt(spent.get('machine'))}"
                    if spent
                    else ""
                )
            )
        else:
            print(f"{title}: not run ({results.get(key + '_error') or 'not asked: --baselines'})")

    print("\n== goals ==")
    for goal in results["goals"]:
        state = {True: "MET", False: "NOT MET", None: "not measured"}[goal["met"]]
        figure = goal["figure"]
        shown = fmt(figure, ".2f") if isinstance(figure, float | int) or figure is None else figure
        print(f"{state:>12}  {goal['goal']}: {shown} (goal {goal['target']})")
    best = max(results.get("sweep") or [], key=lambda p: p["visits_per_s"], default=None)
    spent = (best or {}).get("cpu_a_visit")
    if spent:
        took = None if spent["broker_ms"] is None else spent["broker_ms"] + spent["driver_ms"]  # broker not here: n/a
        print(
            f"\nCPU budget: {results['config']['cpus']} CPUs at the goal's visits/s leave "
            f"{fmt(spent['goal_ms_a_visit'])} ms a visit for everything; at the best concurrency the broker and the "
            f"bench driver took {fmt(took)} of them, leaving "
            f"{fmt(spent['goal_ms_left_for_services'])} ms for the services, which took {fmt(spent['services_ms'])}"
        )
