"""An SMS channel behind the notification interface (kit.notify.Channel): an HTTP gateway adapter.

Most SMS gateways take one HTTP POST per message; this adapter posts JSON `{"to": mobile, "text": body,
"subject": subject}` to `SMS_GATEWAY_URL` (with `Authorization: Bearer <SMS_GATEWAY_TOKEN>` when set) and
counts any 2xx answer as accepted; anything else raises, so the notification stays pending and is tried again
(kit.notify.send_pending). Queue with `kit.notify.queue(uow, channel="sms", recipient=mobile, …)`; a service
that sends SMS declares `sms = SmsNotifications(db)` beside its other providers.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass

from . import notify
from .providers import _Sender
from .types import utcnow


@dataclass
class HttpSmsChannel:
    url: str
    token: str | None = None
    name: str = "sms"
    timeout: float = 10.0

    def send(self, recipient: str, subject: str, body: str) -> None:
        data = json.dumps({"to": recipient, "text": body, "subject": subject}, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 - configured URL
                if not 200 <= answer.status < 300:
                    raise OSError(f"SMS gateway answered {answer.status}")
        except urllib.error.HTTPError as exc:
            raise OSError(f"SMS gateway answered {exc.code}") from exc


def channel_from_settings(raw) -> HttpSmsChannel | None:
    """SMS_GATEWAY_URL (and SMS_GATEWAY_TOKEN); None when no gateway is configured (messages wait, pending)."""
    if not raw or not raw.get("SMS_GATEWAY_URL"):
        return None
    return HttpSmsChannel(raw["SMS_GATEWAY_URL"], raw.get("SMS_GATEWAY_TOKEN") or None)


class SmsNotifications(_Sender):
    """Sends the queued notifications of the "sms" channel through the configured gateway."""

    thread_name = "sms-sender"

    def setup(self):
        super().setup()
        self.channel = channel_from_settings(self.settings.raw)

    def send_round(self) -> None:
        notify.send_pending(self.db.engine, self.db.metadata, self.channel, utcnow)
