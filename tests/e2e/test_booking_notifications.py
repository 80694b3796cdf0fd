"""R-BK-8 on the real line with a real local SMTP server: when the dealership moves a booking the customer is
told at once, with the new time, the advisor and other times offered."""

from datetime import datetime, timedelta

import pytest

from contracts import names
from tests.support.factories import make_booking
from tests.support.http import Client, eventually

pytestmark = pytest.mark.e2e


def test_the_customer_is_told_at_once_when_the_dealership_moves_the_booking(line_factory, mailbox):
    line = line_factory(SMTP_HOST="127.0.0.1", SMTP_PORT=str(mailbox.port))
    line.start()
    client = Client(line)
    booking = make_booking(email="wang@example.com")
    appointment = client.post(names.BOOKING, "/api/appointments", booking, as_="B001", expect=201)
    eventually(lambda: mailbox.messages[:1], 30, what="the booking confirmation")

    new_time = datetime.fromisoformat(booking["starts_at"]) + timedelta(days=1)
    client.post(
        names.BOOKING,
        f"/api/appointments/{appointment['appointment_id']}/reschedule",
        {"starts_at": new_time.isoformat(), "reason": "举升机故障", "by_dealership": True},
        as_="B001",
        expect=200,
    )
    notice = eventually(lambda: mailbox.messages[1:2], 30, what="the notice of the move")[0]
    body = notice.get_content()
    assert notice["To"] == "wang@example.com" and notice["Subject"] == "您的预约时间已变更"
    assert new_time.strftime("%Y-%m-%d %H:%M") in body and "A001" in body
    assert "举升机故障" in body and "我们还可为您安排" in body
    sent = client.get(names.BOOKING, f"/api/appointments/{appointment['appointment_id']}/notifications")
    assert [n["status"] for n in sent["notifications"]] == ["sent", "sent"]
