"""Publishing with publisher confirms kept in flight: publish a batch, then wait once for the broker's confirms
(one round trip for the batch instead of one per message). Used by the outbox relay (kit.bus.OutboxRelay).

A message is published mandatory (unless it says otherwise): one no queue takes comes back (basic.return, which
the broker sends before its confirm), and counts as refused, as does one the broker nacks.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from amqp import Message, spec
from amqp.exceptions import RecoverableConnectionError
from kombu import Connection


@dataclass
class Outgoing:
    """One message to publish; `key` names what it belongs to (an outbox row id: a row may have several).
    `mandatory=False` for a copy whose exchange may route it nowhere without that refusing its row."""

    key: int
    exchange: str
    routing_key: str
    body: str | bytes
    headers: dict = field(default_factory=dict)
    message_id: str | None = None
    mandatory: bool = True


class ConfirmingChannel:
    """A connection of its own and a channel in confirm mode (py-amqp underneath kombu)."""

    def __init__(self, amqp_uri: str, timeout: float = 30.0):
        self.connection = Connection(amqp_uri, connect_timeout=5, heartbeat=0)
        self.connection.ensure_connection(max_retries=1)
        self.channel = self.connection.channel()
        self.channel.events["basic_ack"].add(self._on_ack)
        self.channel.events["basic_nack"].add(self._on_nack)
        self.channel.events["basic_return"].add(self._on_return)
        self.channel.confirm_select()
        self.timeout = timeout
        self._next_tag = 1  # the broker numbers a confirm channel's publishes 1, 2, 3, ...
        self._in_flight: dict[int, int] = {}  # delivery tag -> key, until confirmed
        self._keys_by_id: dict[str, int] = {}  # message id -> key (a returned message names its id)
        self._refused: dict[int, str] = {}

    def publish(self, messages: list[Outgoing]) -> tuple[set[int], dict[int, str]]:
        """Publish every message, then wait for every confirm. Returns (keys all of whose messages the broker
        confirmed and none refused, {key: why refused}). Raises ChannelError when the broker closed the channel
        (an exchange missing), ConnectionError when it confirmed nothing in `timeout` seconds."""
        self._in_flight.clear()
        self._keys_by_id.clear()
        self._refused.clear()
        first_tag = self._next_tag
        with self._one_write(first_tag):
            for m in messages:
                body = m.body.encode("utf-8") if isinstance(m.body, str) else m.body
                properties = {"message_id": m.message_id} if m.message_id else {}
                message = Message(
                    body,
                    content_type="application/json",
                    content_encoding="utf-8",
                    delivery_mode=2,
                    application_headers=m.headers,
                    **properties,
                )
                # basic.publish as py-amqp's Channel.basic_publish sends it, without its look for a pending
                # connection.blocked before each message (a read that costs more than the frames): such a frame is
                # read with the confirms, next.
                self.channel.send_method(
                    spec.Basic.Publish, "Bssbb", (0, m.exchange, m.routing_key, m.mandatory, False), message
                )
                self._in_flight[self._next_tag] = m.key
                self._next_tag += 1
                if m.message_id:
                    self._keys_by_id[m.message_id] = m.key
        deadline = time.monotonic() + self.timeout
        while self._in_flight:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ConnectionError(f"no confirm from the broker in {self.timeout:g} s")
            try:
                self.connection.drain_events(timeout=left)
            except TimeoutError:  # socket.timeout: the deadline says whether to give up
                continue
        keys = {m.key for m in messages}
        return keys - set(self._refused), {k: v for k, v in self._refused.items() if k in keys}

    @contextmanager
    def _one_write(self, first_tag: int):
        """The frames of a batch written to the socket at once, not a write per message: py-amqp writes each
        message's frames with its transport's `_write` (the socket's sendall), which collects them here meanwhile.
        A batch that fails while being framed sends nothing: the broker's numbering starts again at `first_tag`."""
        connection = self.channel.connection  # py-amqp's, None once closed (kombu's would try to reconnect)
        transport = connection.transport if connection is not None else None
        if transport is None:
            raise RecoverableConnectionError("publish: the connection is closed")
        own = transport.__dict__.get("_write")  # TCP: the socket's sendall, set on the instance; TLS: a method
        frames: list[bytes] = []
        transport._write = lambda view: frames.append(bytes(view))  # the frame writer reuses its buffer: a copy
        try:
            yield
        except BaseException:
            self._next_tag = first_tag
            raise
        finally:
            if own is None:
                del transport._write
            else:
                transport._write = own
        if frames:
            transport.write(b"".join(frames))

    def _confirmed(self, delivery_tag: int, multiple: bool) -> list[int]:
        tags = [t for t in self._in_flight if t <= delivery_tag] if multiple else [delivery_tag]
        return [key for key in (self._in_flight.pop(t, None) for t in tags) if key is not None]

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        self._confirmed(delivery_tag, multiple)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        for key in self._confirmed(delivery_tag, multiple):
            self._refused.setdefault(key, "nacked by the broker")

    def _on_return(self, exc, exchange, routing_key, message) -> None:
        key = self._keys_by_id.get((message.properties or {}).get("message_id"))
        if key is not None:
            self._refused.setdefault(key, f"{exc} ({exchange} {routing_key})")

    def close(self) -> None:
        try:
            self.connection.release()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
