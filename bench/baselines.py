"""The two baselines measured in the same run: raw RabbitMQ (pika) and a bare nameko relay chain."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from contextlib import suppress
from pathlib import Path

import pika
from kombu import Connection

from tools.line import ROOT

from .measure import summary

# --- baseline A: raw RabbitMQ ----------------------------------------------------------------------


class _Consumer(threading.Thread):
    """Consume `count` messages with manual acks, one ack per message; note when the last was acked."""

    def __init__(self, params: pika.URLParameters, queue: str, count: int, prefetch: int, timeout: float):
        super().__init__(daemon=True, name="raw-consumer")
        self.params, self.queue, self.count, self.prefetch, self.timeout = (
            params,
            queue,
            count,
            prefetch,
            timeout,
        )
        self.ready = threading.Event()
        self.got = 0
        self.ended: float | None = None
        self.error: str | None = None

    def run(self) -> None:
        try:
            connection = pika.BlockingConnection(self.params)
            try:
                channel = connection.channel()
                channel.basic_qos(prefetch_count=self.prefetch)

                def on_message(ch, method, _properties, _body):
                    ch.basic_ack(method.delivery_tag)
                    self.got += 1
                    if self.got >= self.count:
                        self.ended = time.perf_counter()
                        ch.stop_consuming()

                channel.basic_consume(self.queue, on_message, auto_ack=False)
                self.ready.set()
                deadline = time.monotonic() + self.timeout
                while self.got < self.count and time.monotonic() < deadline:
                    connection.process_data_events(time_limit=0.5)
            finally:
                with suppress(Exception):
                    connection.close()
        except Exception as exc:  # noqa: BLE001 - reported by the caller
            self.error = f"{exc.__class__.__name__}: {exc}"
            self.ready.set()


class _WindowedPublisher:
    """Publish `count` messages on a SelectConnection keeping up to `window` confirms in flight."""

    def __init__(self, params, queue: str, body: bytes, count: int, window: int, timeout: float):
        self.params, self.queue, self.body, self.count, self.window = params, queue, body, count, window
        self.timeout = timeout
        self.properties = pika.BasicProperties(delivery_mode=2, content_type="application/json")
        self.published = self.confirmed = self.nacked = 0
        self.outstanding: set[int] = set()
        self.error: str | None = None
        self.connection: pika.SelectConnection | None = None
        self.channel = None

    def run(self) -> None:
        self.connection = pika.SelectConnection(
            self.params,
            on_open_callback=self._on_open,
            on_open_error_callback=self._on_open_error,
            on_close_callback=lambda conn, _reason: conn.ioloop.stop(),
        )
        self.connection.ioloop.call_later(self.timeout, self._give_up)
        self.connection.ioloop.start()

    def _on_open(self, connection) -> None:
        connection.channel(on_open_callback=self._on_channel)

    def _on_open_error(self, connection, error) -> None:
        self.error = f"connection failed: {error}"
        connection.ioloop.stop()

    def _give_up(self) -> None:
        if self.confirmed < self.count:
            self.error = f"timed out with {self.confirmed}/{self.count} confirmed"
            self.connection.close()

    def _on_channel(self, channel) -> None:
        self.channel = channel
        channel.confirm_delivery(ack_nack_callback=self._on_confirm, callback=lambda _frame: self._pump())

    def _pump(self) -> None:
        while self.published < self.count and len(self.outstanding) < self.window:
            self.channel.basic_publish("", self.queue, self.body, self.properties)
            self.published += 1
            self.outstanding.add(self.published)

    def _on_confirm(self, frame) -> None:
        method = frame.method
        done = [t for t in self.outstanding if t <= method.delivery_tag] if method.multiple else [method.delivery_tag]
        self.outstanding.difference_update(done)
        self.confirmed += len(done)
        if isinstance(method, pika.spec.Basic.Nack):
            self.nacked += len(done)
        if self.confirmed >= self.count:
            self.connection.close()
        else:
            self._pump()


def _publish_one_by_one(params, queue: str, body: bytes, count: int) -> int:
    """BlockingConnection.confirm_delivery: basic_publish returns only after the broker confirmed."""
    nacked = 0
    properties = pika.BasicProperties(delivery_mode=2, content_type="application/json")
    connection = pika.BlockingConnection(params)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        for _ in range(count):
            try:
                channel.basic_publish("", queue, body, properties, mandatory=True)
            except (pika.exceptions.NackError, pika.exceptions.UnroutableError):
                nacked += 1
    finally:
        connection.close()
    return nacked


def raw_baseline(
    amqp_uri: str,
    queue: str,
    count: int,
    body_bytes: int,
    hops_per_visit: float,
    *,
    window: int,
    prefetch: int,
    timeout: float,
) -> dict:
    params = pika.URLParameters(amqp_uri)
    body = json.dumps({"pad": "x" * max(0, body_bytes - 11)}).encode()
    setup = pika.BlockingConnection(params)
    results: dict = {
        "messages": count,
        "body_bytes": len(body),
        "queue": queue,
        "queue_type": "quorum",
        "prefetch": prefetch,
        "window": window,
    }
    try:
        channel = setup.channel()
        channel.queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
        for mode in ("pipelined", "per-message"):
            channel.queue_purge(queue)
            consumer = _Consumer(params, queue, count, prefetch, timeout)
            consumer.start()
            consumer.ready.wait(30)
            t0 = time.perf_counter()
            if mode == "pipelined":
                publisher = _WindowedPublisher(params, queue, body, count, window, timeout)
                publisher.run()
                nacked, error = publisher.nacked, publisher.error
            else:
                nacked, error = _publish_one_by_one(params, queue, body, count), None
            published = time.perf_counter() - t0
            consumer.join(timeout)
            seconds = (consumer.ended - t0) if consumer.ended else None
            rate = count / seconds if seconds else None
            results[mode] = {
                "seconds": seconds,
                "publish_seconds": published,
                "consumed": consumer.got,
                "nacked": nacked,
                "error": error or consumer.error,
                "msgs_per_s": rate,
                "visits_per_s_equivalent": rate / hops_per_visit if rate and hops_per_visit else None,
            }
    finally:
        with suppress(Exception):
            setup.channel().queue_delete(queue)
        with suppress(Exception):
            setup.close()
    return results


# --- baseline B: the nameko chain --------------------------------------------------------------------


def _status(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def chain_baseline(
    amqp_uri: str,
    prefix: str,
    hops: int,
    visits: int,
    body_bytes: int,
    work_dir: Path,
    log_path: Path,
    timeout: float,
) -> dict:
    with warnings.catch_warnings():  # nameko pulls in eventlet, which warns that it is deprecated
        warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
        from nameko.standalone.events import event_dispatcher

        from . import chain

    status_file = work_dir / "chain-status.json"
    result: dict = {"hops": hops, "visits": visits, "prefix": prefix, "log": str(log_path)}
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.chain", "--prefix", prefix, "--hops", str(hops)]
            + ["--expect", str(visits), "--status-file", str(status_file), "--amqp-uri", amqp_uri],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        deadline = time.monotonic() + 60
        while not (_status(status_file) or {}).get("ready"):
            if proc.poll() is not None:
                raise RuntimeError(f"chain exited with {proc.returncode}; see {log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"chain not ready after 60 s; see {log_path}")
            time.sleep(0.05)
        dispatch = event_dispatcher({"AMQP_URI": amqp_uri})
        pad = "x" * max(0, body_bytes - 60)
        t0 = time.time()
        for i in range(visits):
            dispatch(chain.source_name(prefix), "start", {"visit": i, "t0": time.time(), "pad": pad})
        result["publish_seconds"] = time.time() - t0
        deadline = time.monotonic() + timeout
        status = _status(status_file) or {}
        while status.get("count", 0) < visits and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
            status = _status(status_file) or status
        seen = status.get("count", 0)
        result["seen"] = seen
        if seen >= visits:
            result["seconds"] = status["last_at"] - t0
            result["visits_per_s"] = visits / result["seconds"]
            result["msgs_per_s"] = visits * hops / result["seconds"]
        else:
            result["error"] = f"last hop saw {seen}/{visits} events"
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        latencies = sorted((_status(status_file) or {}).get("latencies") or [])
        result["visit_latency"] = summary([s * 1000 for s in latencies])
        _delete(amqp_uri, *chain.topology(prefix, hops))
    return result


def _delete(amqp_uri: str, queues: list[str], exchanges: list[str]) -> None:
    with Connection(amqp_uri, connect_timeout=5) as conn:
        for kind, name in [("queue", q) for q in queues] + [("exchange", e) for e in exchanges]:
            channel = conn.channel()
            try:
                (channel.queue_delete if kind == "queue" else channel.exchange_delete)(name)
            except Exception as exc:  # noqa: BLE001 - best effort, but say so
                print(f"warning: could not delete {kind} {name}: {exc}", file=sys.stderr)
            finally:
                with suppress(Exception):
                    channel.close()
