"""A real local SMTP server (aiosmtpd) that keeps what it receives: the customer's mailbox in tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from .infra import free_port


class Mailbox:
    def __init__(self):
        self.messages = []
        self.port: int | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@contextmanager
def smtp_server(port: int | None = None) -> Iterator[Mailbox]:
    """Serve SMTP on 127.0.0.1 (a free port unless given) until the block ends."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    mailbox.port = controller.port
    try:
        yield mailbox
    finally:
        controller.stop()
