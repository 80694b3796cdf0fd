"""Follow-up's call results reach the group HQ (issue 14, items 3 and 5; R-FU-4, R-FU-6): the agent records a call,
the relay publishes `followup_call_recorded` (outcome and scores) into the store's feed stream on the real broker,
and HQ's reader and figures make the follow-up satisfaction of it; no copy holds a customer's name or mobile, or
what the customer said."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from kombu import Connection

from contracts import names
from kit import bus, clock
from kit.config import Settings
from services.followup import seed
from services.followup.handlers import calls
from services.followup.models import FollowUpCall
from services.hq.domain import figures as rules
from services.hq.domain import intake
from tests.service.test_outbox_relay import relay_for
from tests.support.db import service_work, wire_event
from tests.support.factories import make_delivered
from tests.support.feed import read_stream

pytestmark = pytest.mark.service


def deliver(work) -> FollowUpCall:
    payload = make_delivered(order_id=f"o-{uuid.uuid4()}", delivered_at=clock.now() - timedelta(days=2))
    work.handle(wire_event(names.VEHICLE_DELIVERED, payload, correlation_id=f"v-{uuid.uuid4()}"), calls.schedule_call)
    return work.read(lambda s: s.scalar(sa.select(FollowUpCall).filter_by(order_id=payload["order_id"])))


def test_a_recorded_call_reaches_hq_with_its_outcome_and_scores_and_without_the_customer(tmp_path, amqp_uri, namespace):
    work = service_work(names.FOLLOWUP, tmp_path, consumer="followup.test")
    seed.reference_data(work)
    with Connection(amqp_uri) as conn:
        bus.declare_topology(conn, namespace)
    not_reached, reached = deliver(work), deliver(work)
    said = f"{reached.customer['name']}说发动机有异响，请打{reached.customer['mobile']}"
    work.run(calls.record_outcome, not_reached.call_id, {"outcome": "unreachable"}, "F001")
    complaint = {
        "outcome": "complaint",
        "words": said,
        "scores": {"booking": 5, "reception": 4, "workshop": 2, "settlement": 4},
        "answers": {"since_service": said},
        "cause": "workmanship",
    }
    work.run(calls.record_outcome, reached.call_id, complaint, "F001")
    relay = relay_for(work, amqp_uri, namespace)
    # two followup_scheduled, two followup_call_recorded, one complaint_opened: no consumer in the store, the feed
    assert relay.publish_pending() == 5
    relay.close()

    feed = read_stream(amqp_uri, f"{namespace}hq.feed", "first", until=5)
    recorded = {
        m.json()["payload"]["call_id"]: m for m in feed if m.headers["event_type"] == names.FOLLOWUP_CALL_RECORDED
    }
    assert recorded[not_reached.call_id].json()["payload"]["scores"] == {}
    copy = recorded[reached.call_id].json()
    assert (copy["payload"]["outcome"], copy["payload"]["order_id"]) == ("complaint", reached.order_id)
    assert copy["payload"]["scores"] == complaint["scores"]
    assert copy["correlation_id"] == reached.visit_id and copy["dealer_id"] == "demo-4s"
    everything = "\n".join(m.body.decode() for m in feed) + repr([m.headers for m in feed])
    for call in (not_reached, reached):
        for value in (call.customer["name"], call.customer["mobile"], said):
            assert value not in everything, f"personal data in the feed: {value}"

    # HQ: its tolerant reader keeps each copy, its figures count the reached call only
    events = [intake.read(m.offset, m.body, m.headers, m.message_id) for m in feed]
    assert all(isinstance(e, intake.Event) for e in events)
    today = clock.now().astimezone(Settings.load().tz).date()
    facts = [rules.Fact(e.dealer_id, e.event_type, e.occurred_at, e.payload) for e in events]
    store = rules.compute(facts, Settings.load().tz, today - timedelta(days=1), today + timedelta(days=1))["demo-4s"]
    assert (store.satisfaction_basis, store.calls_reached, store.calls_satisfied) == ("calls", 1, 0)
    assert store.satisfaction_rate == Decimal("0.0")  # the stand-in would say 50.0: one complaint of two calls
    assert store.satisfaction_score == Decimal("3.75")  # (5 + 4 + 2 + 4) / 4
