"""CPU-heavy work off the event loop, so one slow request does not stall a whole service."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from functools import cache
from typing import TypeVar

T = TypeVar("T")
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
LARGE_BLOCK = 1 << 20


def offload(fn: Callable[..., T], *args) -> T:
    """Run `fn` in a real OS thread when the service runs under eventlet (password hashing releases the GIL)."""
    try:
        import eventlet.patcher
    except ImportError:  # pragma: no cover - eventlet is a dependency
        return fn(*args)
    if eventlet.patcher.is_monkey_patched("thread"):
        from eventlet import tpool

        return tpool.execute(fn, *args)
    return fn(*args)


def offload_one_at_a_time(fn: Callable[..., T], *args) -> T:
    """`offload`, one call at a time in this process, for work that needs much memory while it runs (argon2: 12 MiB
    a hash). A burst of sign-ins then costs one hash's memory, not one per thread of the pool; and that memory goes
    back to the system when the hash ends (`_large_blocks_unmapped`), instead of staying in each thread's arena."""
    _large_blocks_unmapped()
    with _one_at_a_time():
        return offload(fn, *args)


@cache
def _one_at_a_time() -> threading.Lock:
    return threading.Lock()  # made at first use: a green lock once eventlet has patched threading


@cache
def _large_blocks_unmapped() -> bool:
    """glibc raises its mmap threshold to the largest block freed, up to 32 MiB: after one hash, each thread
    kept its hash's block in its arena (19 MiB hashes, 20 threads: the staff service at 242 MB in the benchmark).
    Pinned at 1 MiB, a large block is mapped for its use and unmapped when freed. Elsewhere than glibc, nothing
    changes."""
    try:
        return bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK))
    except (OSError, AttributeError):
        return False
