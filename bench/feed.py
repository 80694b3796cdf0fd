"""The bench's own view of the line's events: a queue of its own bound to every service's events exchange in
the run's namespace, consumed by one thread, so that a visit step waits for the event that makes it possible
instead of polling the services' HTTP interfaces every 100 ms (which measured the bench's sleeps).

The queue is exclusive and auto-deleted (it goes with the bench's connection); the namespace is dropped at the
end of the run anyway.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from contextlib import suppress

from kombu import Connection, Consumer, Queue

from contracts import names
from kit.bus import events_exchange


class EventFeed(threading.Thread):
    """Every event the relays publish in `namespace`, by correlation id (a visit's events carry its visit id)."""

    def __init__(self, amqp_uri: str, namespace: str):
        super().__init__(daemon=True, name="bench-feed")
        self.amqp_uri, self.namespace = amqp_uri, namespace
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.count = 0
        self._changed = threading.Condition()
        self._ready = threading.Event()
        self._halt = threading.Event()
        self.error: str | None = None

    def start(self) -> EventFeed:
        super().start()
        if not self._ready.wait(30) or self.error:
            raise RuntimeError(f"the bench's event feed did not start: {self.error}")
        return self

    def run(self) -> None:
        try:
            with Connection(self.amqp_uri, connect_timeout=5, heartbeat=0) as conn:
                channel = conn.channel()
                queue = Queue(f"{self.namespace}bench.events", exclusive=True, auto_delete=True, durable=False)
                bound = queue(channel)
                bound.declare()
                for service in names.SERVICES:
                    bound.bind_to(events_exchange(self.namespace, service).name, routing_key="#")
                with Consumer(channel, [bound], callbacks=[self._on_message], accept=["json"], no_ack=True):
                    self._ready.set()
                    while not self._halt.is_set():
                        with suppress(TimeoutError):
                            conn.drain_events(timeout=0.5)
        except Exception as exc:  # noqa: BLE001 - reported through start() or wait()
            self.error = f"{exc.__class__.__name__}: {exc}"
            self._ready.set()

    def _on_message(self, body, message) -> None:
        if isinstance(body, bytes | str):
            body = json.loads(body)
        event_type = (message.headers or {}).get("event_type") or body.get("event_type")
        correlation_id = (message.headers or {}).get("correlation_id") or body.get("correlation_id")
        with self._changed:
            self.seen[correlation_id].add(event_type)
            self.count += 1
            self._changed.notify_all()

    def wait(self, correlation_id: str, event_types: set[str] | frozenset[str], timeout: float) -> str:
        """Block until one of `event_types` was published for `correlation_id`; return which one."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                hit = self.seen.get(correlation_id, set()) & event_types
                if hit:
                    return sorted(hit)[0]
                left = deadline - time.monotonic()
                if left <= 0 or self.error:
                    raise AssertionError(
                        f"no {'/'.join(sorted(event_types))} for {correlation_id} in {timeout:.0f} s"
                        + (f" (feed: {self.error})" if self.error else "")
                    )
                self._changed.wait(left)

    def stop(self) -> None:
        self._halt.set()
        self.join(5)
