"""Issue 14, item 2 (acceptance): two dealerships, each its own line in its own vhost with its own dealer id, and
the group HQ's vhost, on the local broker, linked by the shovels of deploy/hq (tools.hq_link). Events flow from
both stores; the link is cut (HQ refuses the stores' link users, their connections closed) while the stores keep
working, and restored. At HQ's hq.events stream: every event of both stores exactly once (by event id per dealer
id), nothing lost, nothing doubled, no customer name, mobile or e-mail, and the signed orders verify with each
store's public key although their customer is redacted."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import requests

from contracts import names
from kit import signing
from tests.support.broker import queue_depth
from tests.support.factories import make_booking, make_mobile
from tests.support.feed import read_stream
from tests.support.http import eventually
from tests.support.infra import MANAGEMENT_URL_SETTING, free_port
from tests.support.visit import Visit
from tools import hq_link
from tools.line import Line

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent.parent
STORES = ("a", "b")


class Broker:
    """The broker's management HTTP API (rabbitmq_management), for vhosts, users and definitions."""

    def __init__(self, amqp_uri: str):
        parts = urlsplit(amqp_uri)
        self.amqp_uri = amqp_uri
        self.api = os.environ.get(MANAGEMENT_URL_SETTING) or f"http://{parts.hostname}:15672/api"
        self.auth = (parts.username or "guest", parts.password or "guest")

    def call(self, method: str, path: str, body=None, ok=(200, 201, 204)) -> requests.Response:
        response = requests.request(method, self.api + path, json=body, auth=self.auth, timeout=30)
        if response.status_code not in ok:
            raise AssertionError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response

    def uri(self, vhost: str, user: str | None = None, password: str | None = None) -> str:
        parts = urlsplit(self.amqp_uri)
        netloc = f"{user or self.auth[0]}:{password or self.auth[1]}@{parts.hostname}:{parts.port or 5672}"
        return urlunsplit(("amqp", netloc, "/" + quote(vhost, safe=""), "", ""))

    def permit(self, vhost: str, user: str, configure=".*", write=".*", read=".*") -> None:
        body = {"configure": configure, "write": write, "read": read}
        self.call("PUT", f"/permissions/{quote(vhost, safe='')}/{user}", body)

    def shovel_state(self, vhost: str) -> str | None:
        shovels = self.call("GET", f"/shovels/{quote(vhost, safe='')}").json()
        return shovels[0]["state"] if shovels else None

    def close_connections_of(self, user: str) -> None:
        for connection in self.call("GET", "/connections").json():
            if connection.get("user") == user:
                self.call("DELETE", f"/connections/{quote(connection['name'], safe='')}", ok=(204, 404))


@pytest.fixture
def group(amqp_uri, tmp_path, request):
    """HQ's vhost and two stores' vhosts, link users and lines; all removed afterwards."""
    broker = Broker(amqp_uri)
    try:
        broker.call("GET", "/shovels")
    except (requests.RequestException, AssertionError) as exc:
        pytest.fail(f"needs rabbitmq_management and rabbitmq_shovel on the broker (.ci/run enables them): {exc}")
    run = uuid.uuid4().hex[:8]
    hq_vhost = f"t-{run}-hq"
    stores = {
        s: {"vhost": f"t-{run}-store-{s}", "dealer_id": f"DLR-{run}-{s}", "user": f"t-{run}-link-{s}"} for s in STORES
    }
    password = uuid.uuid4().hex
    lines: list[Line] = []
    try:
        broker.call("PUT", f"/vhosts/{hq_vhost}")
        broker.permit(hq_vhost, broker.auth[0])
        hq_defs = {k: v for k, v in hq_link.hq_definitions(hq_vhost).items() if k != "vhosts"}
        broker.call("POST", f"/definitions/{hq_vhost}", hq_defs)
        for store in stores.values():
            broker.call("PUT", f"/vhosts/{store['vhost']}")
            broker.permit(store["vhost"], broker.auth[0])
            broker.call("PUT", f"/users/{store['user']}", {"password": password, "tags": ""})
            store["permit"] = lambda user=store["user"]: broker.permit(hq_vhost, user, "^$", r"^hq\.ingress$", "^$")
            store["permit"]()
            log_dir = ROOT / "var" / "test-logs" / f"{request.node.name}-{store['dealer_id']}"
            line = Line(
                env={
                    "AMQP_URI": broker.uri(store["vhost"]),
                    "BUS_NAMESPACE": "",
                    "DEALER_ID": store["dealer_id"],
                    "VAR_DIR": str(tmp_path / store["dealer_id"]),
                    "SEED": "reference",
                    "MAX_DELIVERY_ATTEMPTS": "3",
                    "LOG_LEVEL": "WARNING",
                },
                log_dir=log_dir,
                ports={svc: free_port() for svc in names.SERVICES},
            )
            lines.append(line)
            store["line"] = line
        for line in lines:
            line.start()
        for store in stores.values():  # the link, from the store's one definitions file
            definitions = hq_link.store_definitions(
                dealer_id=store["dealer_id"],
                store_vhost=store["vhost"],
                hq_uri=broker.uri(hq_vhost, store["user"], password),
                reconnect_delay=1,
            )
            broker.call("POST", f"/definitions/{quote(store['vhost'], safe='')}", definitions)
        for store in stores.values():
            eventually(lambda v=store["vhost"]: broker.shovel_state(v) == "running", 30, what="the shovel runs")
        yield broker, hq_vhost, stores
    finally:
        for line in lines:
            line.stop(graceful=False)  # the test is over and its vhosts go next (tools.line.Line.stop)
        for store in stores.values():
            broker.call("DELETE", f"/vhosts/{store['vhost']}", ok=(204, 404))
            broker.call("DELETE", f"/users/{store['user']}", ok=(204, 404))
        broker.call("DELETE", f"/vhosts/{hq_vhost}", ok=(204, 404))


def _book(store: dict, customers: list[dict]) -> None:
    """A booking at the store's desk (the customer's details in its appointment_booked), until the parts counter
    answered (parts_reserved or parts_short: the last event a booking causes)."""
    booking = make_booking(customer={"name": f"测试客户{uuid.uuid4().hex[:6]}", "mobile": make_mobile()})
    booking["email"] = f"c{uuid.uuid4().hex[:8]}@example.cn"
    visit = Visit(store["line"], booking=booking, timeout=60)
    visit.book()
    visit.wait_parts_reserved()
    customers.append({**booking["customer"], "email": booking["email"]})


def _store_feed(broker: Broker, store: dict) -> list[str]:
    """What the store's relays published (its own hq.feed stream), by event id."""
    return [m.message_id for m in read_stream(broker.uri(store["vhost"]), "hq.feed", "first", idle=1)]


def _at_hq(broker: Broker, hq_vhost: str):
    return read_stream(broker.uri(hq_vhost), hq_link.EVENTS, "first", idle=1)


def _arrived(broker: Broker, hq_vhost: str, stores: dict):
    """HQ's messages once every store's published event is there and the stores published nothing meanwhile (so
    nothing is on its way: a link cut then leaves no copy between HQ's stream and the store's acknowledgement)."""
    published = {(s["dealer_id"], event_id) for s in stores.values() for event_id in _store_feed(broker, s)}
    messages = _at_hq(broker, hq_vhost)
    if not published <= {(m.headers.get("dealer_id"), m.message_id) for m in messages}:
        return None
    still = {(s["dealer_id"], event_id) for s in stores.values() for event_id in _store_feed(broker, s)}
    return messages if still == published else None


def _outbound_depth(broker: Broker, store: dict) -> int:
    return queue_depth(broker.uri(store["vhost"]), "hq.outbound")


def test_two_stores_feed_hq_through_a_cut_link_with_nothing_lost_doubled_or_personal(group):
    broker, hq_vhost, stores = group
    customers: list[dict] = []

    # 1. the link up: a visit to the signed order, and a booking, at each store
    for store in stores.values():
        visit = Visit(store["line"], timeout=60)
        visit.booking["customer"]["name"] = f"测试客户{uuid.uuid4().hex[:6]}"
        visit.book()
        visit.wait_parts_reserved()
        visit.check_in()
        visit.write_and_sign_order()
        customers.append(visit.booking["customer"])
        _book(store, customers)
    eventually(lambda: _arrived(broker, hq_vhost, stores), 60, what="the first events at HQ")

    # 2. the link cut: HQ refuses the stores' link users; the stores keep booking, their copies wait at home
    for store in stores.values():
        broker.call("DELETE", f"/permissions/{hq_vhost}/{store['user']}")
        broker.close_connections_of(store["user"])
    for store in stores.values():
        eventually(lambda v=store["vhost"]: broker.shovel_state(v) != "running", 30, what="the link down")
    for store in stores.values():
        _book(store, customers)
        _book(store, customers)
        eventually(lambda s=store: _outbound_depth(broker, s) >= 2, 30, what="the copies held at the store")
    at_hq = {(m.headers["dealer_id"], m.message_id) for m in _at_hq(broker, hq_vhost)}
    for store in stores.values():
        waiting = set(_store_feed(broker, store)) - {e for d, e in at_hq if d == store["dealer_id"]}
        assert len(waiting) >= 2, "the bookings made while the link was down are not at HQ"

    # 3. the link restored: the copies held at the stores catch up, new ones follow
    for store in stores.values():
        store["permit"]()
    for store in stores.values():
        _book(store, customers)
    messages = eventually(
        lambda: all(_outbound_depth(broker, s) == 0 for s in stores.values()) and _arrived(broker, hq_vhost, stores),
        90,
        what="every event of both stores at HQ",
    )

    # exactly once, per dealer id
    counts = Counter((m.headers["dealer_id"], m.message_id) for m in messages)
    assert [key for key, n in counts.items() if n > 1] == []
    for store in stores.values():
        published = _store_feed(broker, store)
        assert len(published) == len(set(published))
        at_hq = {event for dealer, event in counts if dealer == store["dealer_id"]}
        assert at_hq == set(published), f"{store['dealer_id']}: lost {set(published) - at_hq}"
        assert len(published) >= 8
    assert {m.headers["dealer_id"] for m in messages} == {s["dealer_id"] for s in stores.values()}
    link_user = {s["dealer_id"]: s["user"] for s in stores.values()}
    assert all(m.user_id == link_user[m.headers["dealer_id"]] for m in messages)  # which link each came by

    # no personal data at HQ, and the feed copies say whose they are
    bodies = "\n".join(m.body.decode() for m in messages) + repr([m.headers for m in messages])
    for customer in customers:
        for value in (customer["name"], customer["mobile"], customer.get("email")):
            assert not value or value not in bodies, f"personal data at HQ: {value}"
    for m in messages:
        assert m.json()["event_id"] == m.message_id and m.json()["event_type"] == m.headers["event_type"]
        assert m.json()["dealer_id"] == m.headers["dealer_id"] and m.routing_key == m.headers["event_type"]

    # the signed orders verify at HQ with their store's public key, their customer redacted
    for store in stores.values():
        trusted = signing.load_trusted_keys(Path(store["line"].env["VAR_DIR"]) / "keys")
        [order_signed] = [
            m.json()
            for m in messages
            if m.headers["event_type"] == names.ORDER_SIGNED and m.headers["dealer_id"] == store["dealer_id"]
        ]
        signed = order_signed["payload"]
        assert set(signed["order"]["customer"]) == {"digest"} and signed["customer_ref"].startswith("c-")
        assert signing.verify(signed, trusted)["dealer_id"]
