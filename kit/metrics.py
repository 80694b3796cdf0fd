"""Prometheus metrics of every service (issue 12, item 11), served at `GET /metrics` (kit.service):

- aftersales_events_handled_total{service, event_type}: events a consumer handled (committed);
- aftersales_events_failed_total{service, event_type}: handling attempts that failed (retried or refused);
- aftersales_events_dead_lettered_total{service, event_type}: messages dead-lettered, with their reason kept;
- aftersales_outbox_backlog{service}: outbox rows not yet published (read when scraped);
- aftersales_http_request_seconds{service, method, route, status}: request latency, by route rule (not path).

One process runs one service, so the process's default registry holds that service's figures.
"""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

EVENTS_HANDLED = Counter("aftersales_events_handled_total", "Events handled", ["service", "event_type"])
EVENTS_FAILED = Counter(
    "aftersales_events_failed_total", "Event handling attempts that failed", ["service", "event_type"]
)
EVENTS_DEAD_LETTERED = Counter(
    "aftersales_events_dead_lettered_total", "Messages dead-lettered", ["service", "event_type"]
)
OUTBOX_BACKLOG = Gauge("aftersales_outbox_backlog", "Outbox rows not yet published", ["service"])
REQUEST_SECONDS = Histogram(
    "aftersales_http_request_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def observe_request(service: str, method: str, route: str, status: int, started: float) -> None:
    REQUEST_SECONDS.labels(service, method, route, str(status)).observe(time.perf_counter() - started)


def exposition(service: str, outbox_backlog: int | None) -> tuple[bytes, str]:
    """The text format Prometheus scrapes, and its content type."""
    if outbox_backlog is not None:
        OUTBOX_BACKLOG.labels(service).set(outbox_backlog)
    return generate_latest(), CONTENT_TYPE_LATEST
