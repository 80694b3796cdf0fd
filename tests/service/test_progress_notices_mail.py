"""R-PN-1: a car the workshop reports ready (vehicle_ready on the real broker) is announced to its customer
by e-mail through reception's notification outbox - received by a real local SMTP server (aiosmtpd)."""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from contracts import names
from kit.orders import OrderSigner
from tests.support.broker import envelope, publish
from tests.support.db import service_work
from tests.support.http import Client, eventually
from tests.support.reception_orders import store_signed_order

pytestmark = pytest.mark.service


def test_vehicle_ready_sends_the_ready_for_pick_up_mail_and_the_signed_order_prints(line_factory, mailbox):
    line = line_factory(SMTP_HOST="127.0.0.1", SMTP_PORT=str(mailbox.port))
    var_dir = Path(line.env["VAR_DIR"])
    # the order as reception signed it earlier (its database, its signing key), before the service starts
    var_dir.mkdir(parents=True, exist_ok=True)
    work = service_work("reception", var_dir)
    customer = {"name": "王先生", "mobile": "13912345678"}  # no e-mail address on the order
    order = store_signed_order(work, OrderSigner(var_dir / "keys"), customer=customer)
    work.session_factory.kw["bind"].dispose()
    line.start([names.RECEPTION])
    client = Client(line, minted=True)
    # the customer gives an address at the desk: the notices go there
    path = f"/api/visits/{order['visit_id']}/email"
    refused = client.post(names.RECEPTION, path, {"email": "wang-at-example"}, as_="A001", expect=422)
    assert refused["error"]["field"] == "email"
    client.post(names.RECEPTION, path, {"email": "wang@example.com"}, as_="A001", expect=200)

    ready = {
        "order_id": order["order_id"],
        "order_version": 1,
        "jobs_done": [{"line_no": 1, "code": "LAB-OIL", "hours": "0.5", "technician_id": "T001"}],
        "parts_used": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1"}],
        "inspector_id": "Q001",
        "ready_at": datetime(2026, 11, 28, 7, 30, tzinfo=UTC).isoformat(),
    }
    publish(line.env["AMQP_URI"], line.env["BUS_NAMESPACE"], envelope(names.VEHICLE_READY, ready, order["visit_id"]))

    mail = eventually(lambda: mailbox.messages[:1], 30, what="the ready-for-pick-up e-mail")[0]
    assert mail["To"] == "wang@example.com"
    assert order["vehicle"]["plate"] in mail["Subject"] and "取车" in mail["Subject"]
    text = mail.get_content()
    assert "王先生" in text and "2026-11-28 15:30" in text and order["advisor_id"] in text

    path = f"/api/orders/{order['order_id']}/notices"
    notices = eventually(lambda: client.get(names.RECEPTION, path, as_="A001")["notices"], 10, what="notice list")
    assert [(n["kind"], n["channel"], n["recipient"]) for n in notices] == [("ready", "email", "wang@example.com")]

    # the printed order of the same signed version, as the advisor opens it from the service (R-RC-5/6)
    printed = client.request("GET", names.RECEPTION, f"/orders/{order['order_id']}/pdf", as_="A001")
    assert printed.status_code == 200 and printed.headers["Content-Type"] == "application/pdf"
    assert order["vehicle"]["plate"] in PdfReader(io.BytesIO(printed.content)).pages[0].extract_text()
    refused = client.request("GET", names.RECEPTION, f"/orders/{order['order_id']}/versions/9/pdf", as_="A001")
    assert refused.status_code == 404
