"""The write-up on the advisor's tablet, on a real SQLite schema: the walk-around sheet (R-RC-1..3, R-KB-1a),
the service manager's odometer change (R-RC-2), complaint and diagnosis with the knowledge base and findings
(R-RC-4, R-KB-1), the order's fields (R-RC-5..7) and signing only on a complete sheet (R-RC-6)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts import names
from kit.i18n import translate
from services.billing.seed import PRICE_LIST
from services.reception.handlers import orders, prices
from tests.support.db import service_work, wire_event
from tests.support.factories import make_mobile

LINES = [{"kind": "labour", "code": "LAB-OIL"}, {"kind": "part", "code": "P-OIL-5W30", "quantity": "1"}]


def workshop_answers(hours, not_before):
    """The workshop's promise_time as a plain function (what the RPC returns)."""
    return not_before + timedelta(hours=float(hours) + 1)


@pytest.fixture
def work(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_price_list")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), prices.take_price_list)
    return work


def write(work, visit, **cmd):
    cmd = {"lines": LINES, "key_tag": f"K{make_mobile()[-4:]}", "customer_waits": True, **cmd}
    return work.run(orders.write_order, visit.visit_id, cmd, promise=workshop_answers, actor_id="A001")


# --- the walk-around sheet ---------------------------------------------------------------------------------


# --- mileage and the manager's odometer change -------------------------------------------------------------


# --- complaint, diagnosis, knowledge base, findings ---------------------------------------------------------


# --- the order's fields --------------------------------------------------------------------------------------


# --- signing ------------------------------------------------------------------------------------------------


def test_refusals_of_the_write_up_have_chinese_and_english():
    for msgid in (
        "The walk-around sheet must be complete before the order is signed",
        "The workshop did not answer with a delivery time; enter the promise by hand with a note",
        "Key tag {tag} is on another car still in the workshop",
    ):
        assert translate(msgid, "zh_CN") != msgid
