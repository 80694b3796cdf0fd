"""CPU-heavy work off the event loop, so one slow request does not stall a whole service."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


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
