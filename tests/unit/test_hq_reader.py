"""HQ's stream-protocol reader: the stream URI made from the AMQP one, and the start offsets (issue 14, item 7)."""

import pytest
import rbfly.streams as rbs
from rbfly.streams import const as rbs_const

from kit import hq_reader
from kit.hq_reader import offset_of, stream_uri


@pytest.mark.parametrize(
    ("amqp_uri", "expected"),
    [
        ("amqp://guest:guest@127.0.0.1:5672/", "rabbitmq-stream://guest:guest@127.0.0.1:5552/"),
        ("amqp://guest:guest@127.0.0.1:5672/%2F", "rabbitmq-stream://guest:guest@127.0.0.1:5552/"),
        ("amqp://hq:s%40cret@mq.group.cn:5672/group-hq", "rabbitmq-stream://hq:s%40cret@mq.group.cn:5552/group-hq"),
        ("amqp://mq", "rabbitmq-stream://guest:guest@mq:5552/"),
    ],
)
def test_the_stream_uri_keeps_credentials_host_and_vhost(amqp_uri, expected):
    assert stream_uri(amqp_uri) == expected


def test_the_stream_port_is_a_setting():
    assert stream_uri("amqp://u:p@h/v", port=35552) == "rabbitmq-stream://u:p@h:35552/v"


def test_start_offsets():
    assert offset_of("first") == rbs.Offset.FIRST
    assert offset_of("last") == rbs.Offset.LAST
    assert offset_of("next") == rbs.Offset.NEXT
    assert offset_of(1234) == rbs.Offset.offset(1234)


def test_an_unknown_protocol_is_refused_by_name():
    with pytest.raises(ValueError, match="HQ_STREAM_PROTOCOL"):
        hq_reader.reader("amqp://guest:guest@127.0.0.1:5672/", protocol="mqtt")


def test_amqp_is_chosen_without_asking_the_broker():
    assert hq_reader.reader("amqp://guest:guest@127.0.0.1:1/", protocol="amqp").protocol == "amqp"


def test_the_reader_lets_the_broker_send_a_batch_ahead(monkeypatch):
    monkeypatch.setattr(rbs_const, "INITIAL_CREDIT", 128)
    monkeypatch.setattr(rbs_const, "QUEUE_MAX_SIZE", 256)
    hq_reader.NativeStreamReader("amqp://guest:guest@127.0.0.1:5672/", batch_size=5000)
    assert (rbs_const.INITIAL_CREDIT, rbs_const.QUEUE_MAX_SIZE) == (hq_reader.CREDIT_CHUNKS, 5000)
    hq_reader.NativeStreamReader("amqp://guest:guest@127.0.0.1:5672/", batch_size=100)  # never lowered again
    assert (rbs_const.INITIAL_CREDIT, rbs_const.QUEUE_MAX_SIZE) == (hq_reader.CREDIT_CHUNKS, 5000)
