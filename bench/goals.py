"""Issue 13's goals for the line, each met or not met with its figure (never a timed test)."""

from __future__ import annotations

GOAL_VISITS_PER_S = 30.0
GOAL_OF_PERSISTED_CHAIN = 0.5
GOAL_HOP_P99_MS = 20.0
GOAL_PAGE_P95_MS = 100.0
GOAL_RSS_MB = 120.0


def _goal(name: str, figure, target: str, met: bool | None) -> dict:
    return {"goal": name, "figure": figure, "target": target, "met": met}


def evaluate(results: dict) -> list[dict]:
    sweep = results.get("sweep") or []
    paced = results.get("paced") or {}
    failed = {str(level["concurrency"]): level["failed"] for level in sweep}
    if paced:
        failed["paced"] = paced["failed"]
    best = max((level["visits_per_s"] for level in sweep), default=None)
    persisted = (results.get("persisted_chain") or {}).get("visits_per_s")
    hop_p99 = ((paced.get("latency_overall") or {}).get("p99_ms")) if paced else None
    page_p95 = (paced.get("page") or {}).get("p95_ms") if paced else None
    rss = results.get("peak_rss_mb") or {}
    worst_rss = max(rss.values(), default=None)
    return [
        _goal("0 failed visits at every concurrency", failed, "0 each", not any(failed.values()) if failed else None),
        _goal(
            "visits/s at the best concurrency",
            best,
            f">= {GOAL_VISITS_PER_S:g}",
            best >= GOAL_VISITS_PER_S if best is not None else None,
        ),
        _goal(
            "best visits/s / persisted chain visits/s",
            best / persisted if best is not None and persisted else None,
            f">= {GOAL_OF_PERSISTED_CHAIN:g}",
            best / persisted >= GOAL_OF_PERSISTED_CHAIN if best is not None and persisted else None,
        ),
        _goal(
            "paced: per-hop p99 ms",
            hop_p99,
            f"<= {GOAL_HOP_P99_MS:g}",
            hop_p99 <= GOAL_HOP_P99_MS if hop_p99 is not None else None,
        ),
        _goal(
            "paced: department page p95 ms",
            page_p95,
            f"<= {GOAL_PAGE_P95_MS:g}",
            page_p95 <= GOAL_PAGE_P95_MS if page_p95 is not None else None,
        ),
        _goal(
            "peak resident MB of the largest service",
            worst_rss,
            f"<= {GOAL_RSS_MB:g}",
            worst_rss <= GOAL_RSS_MB if worst_rss is not None else None,
        ),
    ]


def cpu_a_visit(phase: dict, cpus: int) -> dict | None:
    """Where a phase's CPU went, in ms a completed visit: the services, the broker (None when it could not be read),
    the bench's driver, the machine in all and the rest of it (other processes, the kernel's threads). Then what
    the machine's CPUs allow at that cost (cpus x 1000 / the machine's ms), and what the goal of
    GOAL_VISITS_PER_S visits/s leaves for the services: cpus x 1000 / GOAL_VISITS_PER_S ms a visit, less what the
    broker and the driver took. None without the machine's figures."""
    completed = phase.get("completed") or 0
    machine = phase.get("machine_cpu_seconds") or {}
    if not completed or "machine" not in machine:
        return None

    def ms(seconds: float | None) -> float | None:
        return None if seconds is None else 1000 * seconds / completed

    services = ms(sum((phase.get("cpu_seconds") or {}).values()))
    broker, driver, in_all = ms(machine.get("broker")), ms(machine.get("driver", 0.0)), ms(machine["machine"])
    budget = cpus * 1000 / GOAL_VISITS_PER_S
    return {
        "services_ms": services,
        "broker_ms": broker,
        "driver_ms": driver,
        "machine_ms": in_all,
        "rest_ms": None if broker is None else in_all - services - broker - driver,
        "visits_per_s_at_this_cost": cpus * 1000 / in_all if in_all else None,
        "goal_ms_a_visit": budget,
        "goal_ms_left_for_services": None if broker is None else budget - broker - driver,
    }
