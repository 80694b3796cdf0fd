"""The one clock every service reads: `now()` is the current time, aware, in UTC.

In-process, tests move it with time-machine (it patches `datetime.now`, which this reads).
Across processes, a test may move a whole line: only when the setting `TEST_CLOCK_FILE=<path>` is present does
the clock add an offset, the number of seconds written in that file (re-read when the file's mtime changes).
Without that setting there is no offset, ever; a missing, empty or unreadable file means an offset of zero.
Timers read this clock; `TEST_TIMER_SECONDS` (tests only) shortens their intervals.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta

SETTING = "TEST_CLOCK_FILE"
TIMER_SETTING = "TEST_TIMER_SECONDS"

_lock = threading.Lock()
_cache: dict[str, tuple[int | None, timedelta]] = {}


def now() -> datetime:
    """The current time in UTC (plus the test offset when `TEST_CLOCK_FILE` is set)."""
    path = os.environ.get(SETTING)
    current = datetime.now(UTC)
    return current + _offset(path) if path else current


def _offset(path: str) -> timedelta:
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return timedelta(0)
    with _lock:
        cached = _cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read().strip()
            offset = timedelta(seconds=float(text)) if text else timedelta(0)
        except (OSError, ValueError):
            offset = timedelta(0)
        _cache[path] = (mtime, offset)
        return offset


def timer_seconds(seconds: float) -> float:
    """A timer's interval: `seconds`, or TEST_TIMER_SECONDS when a test sets it (so a test that moves the clock
    sees the timer act within a second or so instead of waiting for its production interval)."""
    override = os.environ.get(TIMER_SETTING)
    return float(override) if override else seconds


def set_offset(path: str | os.PathLike, seconds: float) -> None:
    """For tests: move every process that reads `path` (its TEST_CLOCK_FILE) by `seconds` from real time."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(repr(float(seconds)))
    os.replace(tmp, path)
