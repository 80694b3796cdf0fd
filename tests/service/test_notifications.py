"""Customers are told through the notification outbox; tests use a real local SMTP server (aiosmtpd)."""

import pytest

from contracts import names
from tests.support.factories import make_booking
from tests.support.http import Client, eventually
from tests.support.infra import free_port
from tests.support.mail import smtp_server

pytestmark = pytest.mark.service


def test_the_customer_gets_a_confirmation_and_new_times_when_the_dealership_must_cancel(line_factory, mailbox):
    """R-BK-5 (who receives them, when) and R-BK-8 (told at once, offered new times)."""
    line = line_factory(SMTP_HOST="127.0.0.1", SMTP_PORT=str(mailbox.port))
    client = Client(line, minted=True)
    line.start([names.WORKSHOP, names.BOOKING])  # booking holds workshop capacity first (R-BK-4)

    booking = make_booking(email="wang@example.com")
    appointment = client.post(names.BOOKING, "/api/appointments", booking, as_="B001", expect=201)
    confirmation = eventually(lambda: mailbox.messages[:1], 30, what="confirmation e-mail")[0]
    assert confirmation["To"] == "wang@example.com"
    text = confirmation.get_content()
    assert "A001" in text and booking["vehicle"]["plate"] in text and "预约" in confirmation["Subject"]

    client.post(
        names.BOOKING,
        f"/api/appointments/{appointment['appointment_id']}/cancel",
        {"reason": "举升机故障", "by_dealership": True},
        as_="B001",
        expect=200,
    )
    notice = eventually(lambda: mailbox.messages[1:2], 30, what="the dealership's cancellation notice")[0]
    body = notice.get_content()
    assert "举升机故障" in body and "可为您安排以下时间" in body
    sent = client.get(names.BOOKING, f"/api/appointments/{appointment['appointment_id']}/notifications")
    assert [n["status"] for n in sent["notifications"]] == ["sent", "sent"]


def test_notifications_wait_while_the_mail_server_is_away_and_go_out_when_it_is_back(line_factory):
    port = free_port()
    line = line_factory(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port))
    client = Client(line, minted=True)
    line.start([names.WORKSHOP, names.BOOKING])  # booking holds workshop capacity first (R-BK-4)
    appointment = client.post(
        names.BOOKING, "/api/appointments", make_booking(email="li@example.com"), as_="B001", expect=201
    )
    path = f"/api/appointments/{appointment['appointment_id']}/notifications"
    eventually(
        lambda: client.get(names.BOOKING, path)["notifications"][0]["attempts"] >= 1, 30, what="a failed attempt"
    )
    assert client.get(names.BOOKING, path)["notifications"][0]["status"] == "pending"

    with smtp_server(port) as mailbox:
        eventually(lambda: mailbox.messages, 30, what="the e-mail after the server came back")
        assert client.get(names.BOOKING, path)["notifications"][0]["status"] == "sent"
