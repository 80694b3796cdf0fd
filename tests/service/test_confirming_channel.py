"""kit.confirms: a batch of messages leaves in one socket write and is confirmed; a batch that cannot be framed
leaves nothing behind it, and the channel writes to its socket as before."""

import uuid

import pytest
from amqp.exceptions import RecoverableConnectionError
from kombu import Connection, Queue

from kit.confirms import ConfirmingChannel, Outgoing
from tests.support.broker import queue_depth

pytestmark = pytest.mark.service


@pytest.fixture
def queue(amqp_uri, namespace):
    declared = Queue(f"{namespace}confirms-{uuid.uuid4().hex[:8]}", durable=True, auto_delete=False)
    with Connection(amqp_uri) as conn:
        declared(conn.default_channel).declare()
    yield declared.name
    with Connection(amqp_uri) as conn:
        conn.default_channel.queue_delete(declared.name)


def counted_writes(channel: ConfirmingChannel) -> list[int]:
    """The sizes of the writes to the channel's socket from now on (its own writer, wrapped)."""
    transport = channel.connection.connection.transport
    sizes: list[int] = []
    socket_write = transport._write

    def write(data):
        sizes.append(len(data))
        return socket_write(data)

    transport._write = write
    return sizes


def messages(queue: str, count: int, body: bytes = b'{"n": 1}') -> list[Outgoing]:
    return [Outgoing(i, "", queue, body, {"event_type": "test"}, f"m{i}") for i in range(count)]


def test_a_batch_leaves_in_one_write_and_every_message_is_confirmed(amqp_uri, queue):
    channel = ConfirmingChannel(amqp_uri, timeout=10)
    writes = counted_writes(channel)
    try:
        confirmed, refused = channel.publish(messages(queue, 5))
        assert (confirmed, refused) == ({0, 1, 2, 3, 4}, {})
        assert len(writes) == 1  # the five messages' frames at once, not a write each
        confirmed, _ = channel.publish(messages(queue, 2))
        assert confirmed == {0, 1}
        assert len(writes) == 2  # the socket's writer is the channel's own again after each batch
    finally:
        channel.close()
    assert queue_depth(amqp_uri, queue) == 7


def test_a_batch_that_cannot_be_framed_sends_none_of_its_messages(amqp_uri, queue):
    channel = ConfirmingChannel(amqp_uri, timeout=10)
    writes = counted_writes(channel)
    try:
        broken = [*messages(queue, 2), Outgoing(9, "", queue, 12345)]  # a body neither text nor bytes
        with pytest.raises(TypeError):
            channel.publish(broken)
        assert writes == []
        assert queue_depth(amqp_uri, queue) == 0
        # the same channel goes on: its confirms are numbered from the messages the broker did get
        assert channel.publish(messages(queue, 3)) == ({0, 1, 2}, {})
        assert len(writes) == 1
    finally:
        channel.close()
    assert queue_depth(amqp_uri, queue) == 3


def test_a_closed_channel_refuses_a_batch_as_a_lost_connection(amqp_uri, queue):
    channel = ConfirmingChannel(amqp_uri, timeout=10)
    channel.close()
    with pytest.raises(RecoverableConnectionError):  # the relay keeps its rows pending and reconnects
        channel.publish(messages(queue, 2))
    assert queue_depth(amqp_uri, queue) == 0
