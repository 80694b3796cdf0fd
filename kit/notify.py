"""Telling the customer: one channel interface, an outbox, and a working e-mail (SMTP) channel.

A notification is written in the same transaction as the change it reports (like an event), and a
sender delivers it afterwards, retrying while the mail server is away. An SMS or WeChat gateway is
another `Channel` with the same `send`.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import sqlalchemy as sa

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 10


class Channel(Protocol):
    name: str

    def send(self, recipient: str, subject: str, body: str) -> None:
        """Deliver or raise; the sender keeps the notification and tries again later."""


@dataclass
class SmtpChannel:
    host: str
    port: int = 25
    sender: str = "service@dealer.example"
    name: str = "email"
    timeout: float = 10.0

    def send(self, recipient: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, recipient, subject
        message.set_content(body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            smtp.send_message(message)


def channel_from_settings(raw) -> Channel | None:
    """SMTP_HOST / SMTP_PORT / SMTP_SENDER; None when no mail server is configured (notifications wait)."""
    if not raw or not raw.get("SMTP_HOST"):
        return None
    return SmtpChannel(
        raw["SMTP_HOST"], int(raw.get("SMTP_PORT", 25)), raw.get("SMTP_SENDER", "service@dealer.example")
    )


def queue(uow, *, recipient: str, subject: str, body: str, channel: str = "email", about: str | None = None) -> None:
    """Write a notification in the unit of work's transaction; it is sent after the commit."""
    table = uow.session.info["metadata"].tables["notifications"]
    uow.session.execute(
        table.insert().values(
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            about=about,
            status="pending",
            attempts=0,
            created_at=uow.clock(),
        )
    )
    uow.notified = True


def send_pending(engine: sa.Engine, metadata: sa.MetaData, channel: Channel | None, now, batch: int = 50) -> int:
    """Send what is pending on this channel; returns how many went out."""
    if channel is None:
        return 0
    table = metadata.tables["notifications"]
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(table)
            .where(table.c.status == "pending", table.c.channel == channel.name)
            .order_by(table.c.id)
            .limit(batch)
        ).all()
    sent = 0
    for row in rows:
        try:
            channel.send(row.recipient, row.subject, row.body)
        except Exception as exc:  # noqa: BLE001 - the server may be away; try again later
            attempts = row.attempts + 1
            with engine.begin() as conn:
                conn.execute(
                    table.update()
                    .where(table.c.id == row.id)
                    .values(
                        attempts=attempts,
                        last_error=str(exc)[:500],
                        status="failed" if attempts >= MAX_ATTEMPTS else "pending",
                    )
                )
            log.warning("notification %s not sent (%s)", row.id, exc)
            continue
        with engine.begin() as conn:
            conn.execute(
                table.update()
                .where(table.c.id == row.id)
                .values(status="sent", sent_at=now(), attempts=row.attempts + 1)
            )
        sent += 1
    return sent


def notifications_about(session, about: str) -> list[dict]:
    table = session.info["metadata"].tables["notifications"]
    rows = session.execute(sa.select(table).where(table.c.about == about).order_by(table.c.id)).all()
    return [
        {
            "channel": r.channel,
            "recipient": r.recipient,
            "subject": r.subject,
            "status": r.status,
            "attempts": r.attempts,
            "created_at": r.created_at,
            "sent_at": r.sent_at,
        }
        for r in rows
    ]
