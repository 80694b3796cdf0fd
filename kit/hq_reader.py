"""HQ's reader of the `hq.events` stream: over RabbitMQ's own stream protocol (the `rabbitmq_stream` plugin, port
5552) when the broker offers it, else over AMQP 0.9.1 (`kit.streams.StreamReader`).

Over the stream protocol the broker sends a stream's chunks as they are stored, rbfly decodes them in compiled code
and no acks go back: reading 100,000 events took 2.3 s of client CPU here, against 5.3 s for the AMQP 0.9.1 reader
(py-amqp decodes three frames a message in Python). `NativeStreamReader.run` has the same contract as
`kit.streams.StreamReader.run`: batches prepared on the reading thread, stored one at a time and in order on a
writer thread while the next batch is read; an exception from either ends the run, and the caller reads again
from the offset its database holds.

`reader()` chooses this reader when the broker's stream port answers, else the AMQP one (`kit.streams`).

Credit: while a batch is prepared the loop reads nothing, so the broker sends only as far as the subscription's
credit reaches and then waits. rbfly 0.10 grants 128 chunks and renews none while 256 messages wait unread, and
offers no setting for either (its `const` module, rbfly issue 5); `_tune_credit` raises both for the process (HQ's
reader is rbfly's only user): CREDIT_CHUNKS chunks in flight and a batch's worth of messages queued. On 100,000
events of the bench this took ingest from about 12,500 to about 15,200 events/s (three runs each, alternating).
Memory: at the stores' rate a chunk holds a few events (about 2 KB), so the credit holds about 1 MB in flight.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import rbfly.streams as rbs
from rbfly.streams import const as rbs_const

from .streams import MAX_BATCH_DELAY, STREAM_PORT, StreamMessage, StreamReader, names

log = logging.getLogger(__name__)

PROBE_SECONDS = 2.0
CREDIT_CHUNKS = 512  # chunks the broker may send ahead of the reader (rbfly's default 128)


def _tune_credit(queued_messages: int) -> None:
    """rbfly reads these when a subscription starts (`rbfly.streams.const`, no per-subscription setting in 0.10)."""
    rbs_const.INITIAL_CREDIT = max(rbs_const.INITIAL_CREDIT, CREDIT_CHUNKS)
    rbs_const.QUEUE_MAX_SIZE = max(rbs_const.QUEUE_MAX_SIZE, queued_messages)


def stream_uri(amqp_uri: str, port: int = STREAM_PORT) -> str:
    """`amqp://user:pass@host:5672/vhost` -> `rabbitmq-stream://user:pass@host:5552/vhost` (same credentials and
    vhost; rbfly takes the vhost as written after the slash, so the default vhost is an empty path)."""
    parts = urlsplit(amqp_uri)
    vhost = unquote(parts.path[1:]) if parts.path not in ("", "/") else "/"
    user = quote(unquote(parts.username or "guest"), safe="")
    password = quote(unquote(parts.password or "guest"), safe="")
    path = "/" if vhost == "/" else f"/{vhost}"
    return f"rabbitmq-stream://{user}:{password}@{parts.hostname or 'localhost'}:{port}{path}"


def port_answers(amqp_uri: str, port: int = STREAM_PORT) -> bool:
    """Whether the broker's stream port accepts a connection (the plugin enabled)."""
    host = urlsplit(amqp_uri).hostname or "localhost"
    try:
        with socket.create_connection((host, port), timeout=PROBE_SECONDS):
            return True
    except OSError:
        return False


def offset_of(start: int | str) -> rbs.Offset:
    if start == "first":
        return rbs.Offset.FIRST
    if start == "last":
        return rbs.Offset.LAST
    if start == "next":
        return rbs.Offset.NEXT
    return rbs.Offset.offset(int(start))


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


def _as_stream_message(body: Any, ctx) -> StreamMessage:
    properties = ctx.properties
    return StreamMessage(
        offset=ctx.stream_offset,
        body=body if isinstance(body, bytes) else str(body).encode(),
        headers={str(_text(k)): _text(v) for k, v in (ctx.app_properties or {}).items()},
        message_id=_text(getattr(properties, "message_id", None)),
        content_type=_text(getattr(properties, "content_type", None)),
    )


class NativeStreamReader:
    """Reads `<prefix>hq.events` over the stream protocol from an offset in batches of at most `batch_size`."""

    protocol = "stream"

    def __init__(
        self, amqp_uri: str, prefix: str = "", batch_size: int = 2000, linger: float = 0.05, port: int = STREAM_PORT
    ):
        self.uri = stream_uri(amqp_uri, port)
        self.prefix = prefix
        self.batch_size = batch_size
        self.linger = linger
        _tune_credit(batch_size)

    def run(
        self,
        start: int | str,
        prepare: Callable[[list[StreamMessage]], Any],
        store: Callable[[Any], None],
        stopping: Callable[[], bool],
        idle: Callable[[], None] | None = None,
    ) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # the usual case (HQ's service, the bench): this thread runs the reader's own loop
            asyncio.run(self._run(start, prepare, store, stopping, idle))
            return
        # the caller's thread runs an event loop already (a test process with Playwright's): a thread of its own
        failure: list[BaseException] = []

        def own_loop() -> None:
            try:
                asyncio.run(self._run(start, prepare, store, stopping, idle))
            except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
                failure.append(exc)

        thread = threading.Thread(target=own_loop, name="stream-reader")
        thread.start()
        thread.join()
        if failure:
            raise failure[0]

    async def _run(self, start, prepare, store, stopping, idle) -> None:
        loop = asyncio.get_running_loop()
        client = rbs.streams_client(self.uri)
        stream = names(self.prefix)[1]
        pending: list[StreamMessage] = []
        received = 0
        full, room = asyncio.Event(), asyncio.Event()
        room.set()

        async def consume() -> None:
            nonlocal received
            async for body in client.subscribe(stream, offset=offset_of(start)):
                pending.append(_as_stream_message(body, rbs.get_message_ctx()))
                received += 1
                if len(pending) >= self.batch_size:
                    full.set()
                    room.clear()
                    await room.wait()  # the batch is taken before more is read: the broker waits for credit

        reading = asyncio.create_task(consume())
        in_flight: asyncio.Future | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stream-store") as writer:
            try:
                since, seen = loop.time(), 0
                while not stopping():
                    try:
                        await asyncio.wait_for(full.wait(), self.linger)
                    except TimeoutError:
                        pass
                    full.clear()
                    if reading.done():
                        reading.result()  # raises what the subscription raised
                        raise ConnectionError("the stream subscription ended")
                    if in_flight is not None and in_flight.done():
                        in_flight, done = None, in_flight
                        done.result()  # raises what the store raised
                    quiet, seen = received == seen, received
                    if not pending:
                        since = loop.time()
                        if quiet and idle is not None:
                            idle()
                        continue
                    if not (len(pending) >= self.batch_size or quiet or loop.time() - since > MAX_BATCH_DELAY):
                        continue
                    batch = pending[:]
                    pending.clear()
                    room.set()
                    prepared = prepare(batch)
                    if in_flight is not None:
                        in_flight, previous = None, in_flight
                        await previous  # the previous batch stored before this one is handed over: in order
                    in_flight = loop.run_in_executor(writer, store, prepared)
                    since = loop.time()
                if in_flight is not None:
                    await in_flight
            finally:
                reading.cancel()
                try:
                    await reading
                except (asyncio.CancelledError, Exception):  # noqa: BLE001 - ending the run, its error is raised already
                    pass
                await client.disconnect()


def reader(amqp_uri: str, prefix: str = "", batch_size: int = 2000, protocol: str = "auto", port: int = STREAM_PORT):
    """HQ's reader of `<prefix>hq.events`: over the stream protocol (`NativeStreamReader`, rbfly) when `protocol` is
    "stream", or "auto" and the broker's stream port answers; else over AMQP 0.9.1 (`StreamReader`). Both have the
    same `run(start, prepare, store, stopping, idle)`."""
    if protocol not in ("auto", "stream", "amqp"):
        raise ValueError(f"HQ_STREAM_PROTOCOL must be auto, stream or amqp, not {protocol!r}")
    if protocol != "amqp" and (protocol == "stream" or port_answers(amqp_uri, port)):
        return NativeStreamReader(amqp_uri, prefix, batch_size=batch_size, port=port)
    if protocol != "amqp":
        log.warning("the broker's stream port does not answer (plugin rabbitmq_stream off?): reading over AMQP 0.9.1")
    return StreamReader(amqp_uri, prefix, batch_size=batch_size)
