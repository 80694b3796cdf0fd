"""JSON logs carrying the correlation id (issue 12, item 11).

`python -m kit.serve <service>` logs one JSON object a line (`LOG_FORMAT=text` for the old lines): time, level,
logger, message, service, and the correlation id (the visit an event belongs to) and event id of the message
being handled, or the request id of an HTTP request (`X-Correlation-Id` when the caller sent one). The ids are set
for each worker by the kit's `LogContext` provider (every service has it, through kit.service.KitEndpoints).
"""

from __future__ import annotations

import contextvars
import logging
import uuid

from nameko.extensions import DependencyProvider
from pythonjsonlogger.json import JsonFormatter

CORRELATION = contextvars.ContextVar("correlation_id", default=None)
EVENT = contextvars.ContextVar("event_id", default=None)


class ContextFilter(logging.Filter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.correlation_id = CORRELATION.get()
        record.event_id = EVENT.get()
        return True


def configure(service: str, level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter(service))
    if fmt == "text":
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s %(event_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class LogContext(DependencyProvider):
    """Sets the correlation id (and event id) of each worker for its log lines."""

    def worker_setup(self, worker_ctx):
        first = worker_ctx.args[0] if worker_ctx.args else None
        correlation = getattr(first, "correlation_id", None)
        event_id = getattr(first, "event_id", None)
        if correlation is None and hasattr(first, "headers"):
            correlation = first.headers.get("X-Correlation-Id", "")[:64] or f"req-{uuid.uuid4().hex[:12]}"
        CORRELATION.set(correlation)
        EVENT.set(event_id)

    def worker_teardown(self, worker_ctx):
        CORRELATION.set(None)
        EVENT.set(None)
