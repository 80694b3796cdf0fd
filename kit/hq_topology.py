"""The dealer group's HQ feed on the store's broker (issue 12, item 6; issue 14): the headers exchange the relays
publish the feed copies to, the relays' mark, and the two queues that take only what carries it: the stream
`<ns>hq.feed` (retained by age and size, replayed from any offset) and `<ns>hq.outbound`, the buffer the link
to HQ (a shovel, deploy/hq) takes. kit.bus declares them with the rest of the topology."""

from __future__ import annotations

import hashlib
import hmac
import logging

from amqp.exceptions import PreconditionFailed
from kombu import Connection, Exchange, Queue

from . import feed as kit_feed

log = logging.getLogger(__name__)

HQ_FEED_MAX_LENGTH = 100_000  # the quorum hq.feed before issue 14 (replaced by a stream at start-up)
LEGACY_HQ_FEED_ARGS = {"x-queue-type": "quorum", "x-max-length": HQ_FEED_MAX_LENGTH, "x-overflow": "drop-head"}


HQ_MARK_HEADER = "aftersales-relay-mark"  # not x-…: a headers exchange ignores those when matching


def hq_exchange(ns: str) -> Exchange:
    return Exchange(f"{ns}hq.relayed", type="headers", durable=True)


def hq_mark(ns: str, secret: str | None = None) -> str:
    """The relays' mark on what they publish: derived from the dealership's shared secret (kit.auth), which a
    publisher without it cannot know."""
    if secret is None:
        from .auth import load_or_create_secret
        from .config import Settings

        secret = load_or_create_secret(Settings.load().signing_key_dir)
    return hmac.new(secret.encode(), f"hq-feed:{ns}".encode(), hashlib.sha256).hexdigest()[:32]


def hq_binding(ns: str, mark: str | None = None) -> dict:
    return {"x-match": "all", HQ_MARK_HEADER: mark or hq_mark(ns)}


def hq_feed_queues(ns: str, mark: str | None = None, settings=None) -> list[Queue]:
    """The group HQ's stream and the link's buffer, fed by the headers exchange with the relays' mark only."""
    if settings is None:
        from .config import Settings

        settings = Settings.load()
    stream = {
        "x-queue-type": "stream",
        "x-max-age": settings.feed_max_age,
        "x-max-length-bytes": settings.feed_max_bytes,
    }
    # bounded like the stream: after an outage longer than that, HQ replays the gap from the store's stream
    outbound = {"x-queue-type": "quorum", "x-max-length-bytes": settings.feed_max_bytes, "x-overflow": "drop-head"}
    binding = hq_binding(ns, mark)
    return [
        Queue(name, exchange=hq_exchange(ns), durable=True, queue_arguments=args, binding_arguments=binding)
        for name, args in ((f"{ns}hq.feed", stream), (f"{ns}hq.outbound", outbound))
    ]


def declare_feed_queue(connection: Connection, queue: Queue) -> None:
    """Declare a feed queue; one declared before with other arguments fails with 406 and closes the channel:
    the quorum hq.feed of before issue 14 is then replaced by the stream (its messages, never read by anyone,
    are dropped); a stream or buffer whose retention differs from the settings is kept as it is (a policy
    changes a queue's retention; a redeclare cannot) and only bound."""
    try:
        with connection.channel() as channel:
            queue(channel).declare()
        return
    except PreconditionFailed:
        pass
    if queue.name.endswith("hq.feed") and _is_legacy_feed(connection, queue.name):
        log.warning("replacing the quorum queue %s by a stream (issue 14); its messages are dropped", queue.name)
        with connection.channel() as channel:
            channel.queue_delete(queue.name)
            queue(channel).declare()
        return
    log.warning("%s exists with other arguments than the settings ask for: kept as it is", queue.name)
    with connection.channel() as channel:
        channel.queue_bind(queue.name, queue.exchange.name, routing_key="", arguments=queue.binding_arguments)


def _is_legacy_feed(connection: Connection, name: str) -> bool:
    try:
        with connection.channel() as channel:
            channel.queue_declare(name, durable=True, auto_delete=False, arguments=LEGACY_HQ_FEED_ARGS)
        return True
    except PreconditionFailed:
        return False


def feed_settings(key: bytes | None, mode: str | None) -> tuple[bytes, str]:
    if key is not None and mode is not None:
        return key, kit_feed.check_mode(mode)
    from .auth import load_or_create_secret
    from .config import Settings

    settings = Settings.load()
    if key is None:
        key = kit_feed.customer_ref_key(load_or_create_secret(settings.signing_key_dir))
    return key, kit_feed.check_mode(mode or settings.feed_personal_data)
