"""The SMS channel's HTTP gateway adapter against a real local HTTP server (kit.sms)."""

from __future__ import annotations

import pytest

from kit.sms import HttpSmsChannel, channel_from_settings
from tests.support.sms import Gateway


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


def test_a_message_is_posted_to_the_configured_gateway(gateway):
    channel = channel_from_settings({"SMS_GATEWAY_URL": gateway.url, "SMS_GATEWAY_TOKEN": "t0k"})
    channel.send("13900139000", "回访", "您好，感谢您到店")
    assert gateway.received == [
        {"auth": "Bearer t0k", "to": "13900139000", "subject": "回访", "text": "您好，感谢您到店"}
    ]


def test_a_refusing_gateway_raises_so_the_message_stays_pending(gateway):
    gateway.status = 503
    with pytest.raises(OSError, match="503"):
        HttpSmsChannel(gateway.url).send("13900139000", "回访", "x")


def test_an_absent_gateway_raises():
    with pytest.raises(OSError):
        HttpSmsChannel("http://127.0.0.1:9/sms", timeout=2).send("13900139000", "回访", "x")


def test_no_gateway_configured_means_no_channel():
    assert channel_from_settings({}) is None
    assert channel_from_settings({"SMS_GATEWAY_URL": ""}) is None
