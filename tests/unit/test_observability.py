"""Issue 12, item 11: Prometheus metrics per service and JSON logs carrying the correlation id."""

from __future__ import annotations

import io
import json
import logging
import time
from types import SimpleNamespace

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from contracts import names
from kit import logs, metrics


def test_the_exposition_carries_every_figure_of_the_issue():
    metrics.observe_request("booking", "POST", "/api/appointments", 201, time.perf_counter() - 0.02)
    metrics.EVENTS_HANDLED.labels("booking", names.PARTS_RESERVED).inc()
    metrics.EVENTS_DEAD_LETTERED.labels("booking", names.PARTS_SHORT).inc()
    body, content_type = metrics.exposition("booking", 3)
    text = body.decode()
    assert content_type.startswith("text/plain")
    assert 'aftersales_outbox_backlog{service="booking"} 3.0' in text
    assert 'aftersales_events_handled_total{event_type="parts_reserved",service="booking"}' in text
    assert "aftersales_events_failed_total" in text and "aftersales_events_dead_lettered_total" in text
    assert 'aftersales_http_request_seconds_bucket{le="0.05",method="POST",route="/api/appointments"' in text


def _logged(fmt: str = "json") -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    logs.configure("reception", "INFO", fmt)
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)
    return logging.getLogger("services.reception.test"), stream


def test_a_log_line_is_json_with_the_correlation_id_of_the_event_being_handled():
    root = logging.getLogger()
    kept, level = list(root.handlers), root.level
    try:
        log, stream = _logged()
        envelope = SimpleNamespace(correlation_id="visit-42", event_id="e-1")
        context = logs.LogContext()
        context.worker_setup(SimpleNamespace(args=(envelope,)))
        log.info("ready notice queued")
        context.worker_teardown(SimpleNamespace(args=(envelope,)))
        log.info("idle")
        first, second = (json.loads(line) for line in stream.getvalue().splitlines())
        assert first["message"] == "ready notice queued" and first["level"] == "INFO"
        assert first["service"] == "reception" and first["correlation_id"] == "visit-42" and first["event_id"] == "e-1"
        assert second["correlation_id"] is None
    finally:
        root.handlers[:] = kept
        root.setLevel(level)


def test_an_http_worker_logs_the_callers_correlation_id_or_a_request_id():
    given = Request(EnvironBuilder(path="/api/visits", headers={"X-Correlation-Id": "visit-7"}).get_environ())
    context = logs.LogContext()
    context.worker_setup(SimpleNamespace(args=(given,)))
    assert logs.CORRELATION.get() == "visit-7"
    context.worker_setup(SimpleNamespace(args=(Request(EnvironBuilder(path="/").get_environ()),)))
    assert logs.CORRELATION.get().startswith("req-")
    context.worker_teardown(None)
    assert logs.CORRELATION.get() is None
