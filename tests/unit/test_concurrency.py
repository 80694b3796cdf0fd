"""Memory-heavy work (argon2's 12 MiB a hash) runs one call at a time in a service."""

from __future__ import annotations

from kit import concurrency


def test_memory_heavy_calls_run_one_at_a_time_under_the_process_lock():
    seen = []

    def heavy(n: int) -> int:
        seen.append(concurrency._one_at_a_time().locked())  # every other caller waits for this lock
        return n * 2

    assert [concurrency.offload_one_at_a_time(heavy, n) for n in range(3)] == [0, 2, 4]
    assert seen == [True, True, True] and not concurrency._one_at_a_time().locked()
