"""The group dashboard's figures (services/hq/domain/figures.py): per store and for the group, from the events
each store publishes; what a figure does not know is ignored."""

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.hq.domain import figures as rules
from tests.support.hq import Store

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1 = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
DAY2 = DAY1 + timedelta(days=1)


def facts(*messages):
    return [
        rules.Fact(
            m["dealer_id"],
            m["event_type"],
            datetime.fromisoformat(m["occurred_at"]),
            json.loads(json.dumps(m["payload"])),
        )
        for m in messages
    ]


def compute(*messages, first=DAY1.date(), last=DAY2.date()):
    return rules.compute(facts(*messages), SHANGHAI, first, last)


def test_visits_per_day_and_the_appointment_rate_come_from_first_signed_versions():
    a, b = Store("store-a"), Store("store-b")
    o1, o2, o3 = a.order(DAY1, booked=True), a.order(DAY1, booked=False), a.order(DAY2, booked=True)
    amended = a.order(DAY2, booked=True, version=2, order_id="O-x")  # a second version is no new visit
    late_evening = a.order(datetime(2026, 12, 1, 23, 30, tzinfo=SHANGHAI), booked=False)  # 15:30 UTC: Dec 1 local
    out = compute(o1, o2, o3, amended, late_evening, b.order(DAY2, booked=False))
    assert out["store-a"].visits_by_day == {DAY1.date(): 3, DAY2.date(): 1}
    assert (out["store-a"].visits, out["store-a"].booked, out["store-a"].walk_ins) == (4, 2, 2)
    assert out["store-a"].appointment_rate == Decimal("50.0")
    assert out["store-b"].appointment_rate == Decimal("0.0")
    assert out[rules.GROUP].visits == 5 and out[rules.GROUP].visits_by_day[DAY2.date()] == 2
    assert out[rules.GROUP].appointment_rate == Decimal("40.0")


def test_on_time_is_ready_by_the_promise_of_the_latest_signed_version():
    a = Store("store-a")
    early, late = a.order(DAY1, booked=True, promised_hours=4), a.order(DAY1, booked=True, promised_hours=2)
    moved = a.order(DAY1 + timedelta(hours=1), booked=True, version=2, promised_hours=5, order_id="O-late")
    late["payload"]["order"]["order_id"] = "O-late"  # (re-signed below is not needed: figures read, not verify)
    out = compute(
        early,
        late,
        moved,
        a.ready(early, DAY1 + timedelta(hours=3)),  # by its promise
        a.ready(late, DAY1 + timedelta(hours=5)),  # after the first promise, by the amended one (1 h + 5 h)
        a.ready({"event_type": "order_signed", "payload": {"order": {"order_id": "O-unknown"}}}, DAY1),  # no promise
    )
    f = out["store-a"]
    assert (f.ready, f.on_time, f.on_time_rate) == (2, 2, Decimal("100.0"))
    assert f.qc_checks == 3


def test_qc_failure_comeback_and_satisfaction_rates():
    a = Store("store-a")
    o = [a.order(DAY1, booked=True) for _ in range(4)]
    messages = [*o, a.qc_failed(o[0], DAY1), *(a.ready(x, DAY1) for x in o)]
    messages += [a.delivered(x, DAY2) for x in o] + [a.followup(x, DAY2) for x in o]
    messages += [
        a.complaint(o[0], "comeback", DAY2),
        a.complaint(o[1], "price", DAY2),
        a.complaint(o[1], "attitude", DAY2),
    ]
    f = compute(*messages)["store-a"]
    assert f.qc_failure_rate == Decimal("20.0")  # 1 failed of 5 checks
    assert f.comeback_rate == Decimal("25.0")  # 1 comeback complaint per 4 delivered
    assert f.satisfaction_rate == Decimal("50.0")  # 2 of 4 calls ended in a complaint
    assert f.complaints_by_cause == {"comeback": 1, "price": 1, "attitude": 1}


def test_pre_inspection_incidents_by_cause_and_the_group_totals():
    a, b = Store("store-a"), Store("store-b")
    out = compute(a.congestion("queue", DAY1), a.congestion("wait", DAY2), b.congestion("queue", DAY2))
    assert out["store-a"].incidents_by_cause == {"queue": 1, "wait": 1}
    assert out[rules.GROUP].incidents == 3 and out[rules.GROUP].incidents_by_cause == {"queue": 2, "wait": 1}


def test_no_events_give_no_rate_rather_than_zero():
    out = compute()
    group = out[rules.GROUP]
    assert group.visits == 0 and group.appointment_rate is None and group.on_time_rate is None
    assert group.visits_by_day == {DAY1.date(): 0, DAY2.date(): 0}


def test_events_outside_the_period_unknown_types_and_newer_fields_are_ignored():
    a = Store("store-a")
    before = a.order(DAY1 - timedelta(days=3), booked=True)
    newer = a.order(DAY1, booked=True)
    newer["schema_version"] = 2
    newer["payload"]["order"]["loyalty_tier"] = "gold"  # a field this HQ does not know
    unknown = dict(newer, event_type="ev_charging_session", payload={"kwh": "30.5"})
    out = compute(before, newer, unknown, a.congestion("something_new", DAY1))
    assert out["store-a"].visits == 1 and out["store-a"].incidents_by_cause == {"something_new": 1}


def test_the_table_has_a_row_per_store_then_the_group_with_complaint_causes():
    a, b = Store("store-a"), Store("store-b")
    out = compute(a.order(DAY1, booked=True), b.complaint(None, "price", DAY1))
    rows = rules.table_rows(out)
    assert [r[0] for r in rows] == ["store-a", "store-b", rules.GROUP]
    assert rules.table_causes(out) == ["price"] and rows[-1][-1] == 1
    assert len(rows[0]) == len(rules.TABLE_COLUMNS) + 1
