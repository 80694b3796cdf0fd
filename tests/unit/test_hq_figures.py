"""The group dashboard's figures (services/hq/domain/figures.py): per store and for the group, from the events
each store publishes; what a figure does not know is ignored."""

import csv
import io
import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from services.hq.domain import figures as rules
from services.hq.handlers import exports
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


def compute(*messages, first=DAY1.date(), last=DAY2.date(), earlier=()):
    return rules.compute(facts(*messages), SHANGHAI, first, last, earlier)


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
    # a store that sends no call results: the stand-in, 2 of 4 calls ended in a complaint, and no score
    assert (f.satisfaction_basis, f.satisfaction_rate, f.satisfaction_score) == ("complaints", Decimal("50.0"), None)
    assert f.complaints_by_cause == {"comeback": 1, "price": 1, "attitude": 1}


def _scheduled(store, n, at=DAY1):
    return [store.followup(store.order(at, booked=True), at) for _ in range(n)]


def test_satisfaction_is_the_share_of_reached_calls_that_were_satisfied_and_their_mean_score():
    """R-FU-4, R-FU-6: from followup_call_recorded; unreachable and call-back attempts count neither way."""
    a = Store("store-a")
    c = _scheduled(a, 5)
    out = compute(
        *c,
        a.call_recorded(c[0], "satisfied", DAY1, {"booking": 5, "workshop": 4}),
        a.call_recorded(c[1], "complaint", DAY1, {"workshop": 2}),
        a.complaint(None, "workmanship", DAY1),
        a.call_recorded(c[2], "unreachable", DAY1),
        a.call_recorded(c[3], "call_back", DAY1),
        a.call_recorded(c[4], "unreachable", DAY1),
        a.call_recorded(c[4], "satisfied", DAY2, {"reception": 5}),  # reached at its second attempt
    )
    f = out["store-a"]
    assert f.satisfaction_basis == "calls"
    assert (f.calls_reached, f.calls_satisfied) == (3, 2)
    assert f.satisfaction_rate == Decimal("66.7")  # 2 of 3 reached calls; the stand-in would say 80.0
    assert f.satisfaction_score == Decimal("4.00")  # (5 + 4 + 2 + 5) / 4 scores given
    assert isinstance(f.satisfaction_score, Decimal)
    assert (out[rules.GROUP].satisfaction_rate, out[rules.GROUP].satisfaction_score) == (
        Decimal("66.7"),
        Decimal("4.00"),
    )


def test_only_unreachable_or_call_back_attempts_give_no_satisfaction_rather_than_zero():
    a = Store("store-a")
    c = _scheduled(a, 2)
    f = compute(*c, a.call_recorded(c[0], "unreachable", DAY1), a.call_recorded(c[1], "call_back", DAY1))["store-a"]
    assert (f.satisfaction_basis, f.calls_reached, f.satisfaction_rate, f.satisfaction_score) == (
        "calls",
        0,
        None,
        None,
    )


def test_a_store_that_sent_call_results_before_the_period_is_never_read_by_the_stand_in():
    """Its calls scheduled in the period but not yet made are no satisfied calls (the stand-in would say 100.0)."""
    a = Store("store-a")
    [earlier] = _scheduled(a, 1, DAY1 - timedelta(days=20))
    out = compute(
        earlier, a.call_recorded(earlier, "satisfied", DAY1 - timedelta(days=18), {"workshop": 5}), *_scheduled(a, 3)
    )
    f = out["store-a"]
    assert (f.followups, f.satisfaction_basis, f.satisfaction_rate, f.satisfaction_score) == (3, "calls", None, None)


def test_the_mean_score_is_a_decimal_to_two_places_rounded_half_up():
    a = Store("store-a")
    c = _scheduled(a, 2)
    out = compute(
        *c,
        a.call_recorded(c[0], "satisfied", DAY1, {"booking": 4, "reception": 5}),
        a.call_recorded(c[1], "satisfied", DAY1, {"workshop": 5}),
    )
    assert out["store-a"].satisfaction_score == Decimal("4.67")  # 14 / 3 = 4.666...


def test_scores_a_figure_does_not_know_are_ignored_and_a_call_reached_twice_counts_once():
    """The tolerant reader: a department of a newer version, a score out of 1-5 or not a whole number."""
    a = Store("store-a")
    [c] = _scheduled(a, 1)
    odd = {"workshop": 4, "parts": 1, "booking": 9, "reception": "5", "settlement": True}
    again = a.call_recorded(c, "satisfied", DAY2, {"workshop": 4})
    f = compute(c, a.call_recorded(c, "satisfied", DAY1, odd), again)["store-a"]
    assert (f.calls_reached, f.score_count, f.satisfaction_score) == (1, 1, Decimal("4.00"))


def test_a_store_without_call_results_keeps_the_stand_in_and_the_group_says_it_is_mixed():
    a, b = Store("store-a"), Store("store-b")
    ca, cb = _scheduled(a, 3), _scheduled(b, 2)
    out = compute(
        *ca,
        *cb,
        a.call_recorded(ca[0], "satisfied", DAY1, {"workshop": 5}),
        a.call_recorded(ca[1], "complaint", DAY1, {"workshop": 1}),
        a.call_recorded(ca[2], "satisfied", DAY1, {"workshop": 3}),
        b.complaint(None, "price", DAY1),
    )
    assert (out["store-a"].satisfaction_basis, out["store-a"].satisfaction_rate) == ("calls", Decimal("66.7"))
    assert (out["store-b"].satisfaction_basis, out["store-b"].satisfaction_rate) == ("complaints", Decimal("50.0"))
    assert out["store-b"].satisfaction_score is None
    group = out[rules.GROUP]
    assert group.satisfaction_basis == "mixed"
    assert (group.satisfied, group.judged, group.satisfaction_rate) == (3, 5, Decimal("60.0"))  # 2 of 3 + 1 of 2
    assert group.satisfaction_score == Decimal("3.00")  # store-a's scores only


def test_the_table_and_its_exports_say_what_satisfaction_is_read_from():
    a, b = Store("store-a"), Store("store-b")
    [ca], [cb] = _scheduled(a, 1), _scheduled(b, 1)
    out = compute(ca, cb, a.call_recorded(ca, "satisfied", DAY1, {"workshop": 5}))
    columns = [name for name, _ in rules.TABLE_COLUMNS]
    rows = {row[0]: dict(zip(columns, row, strict=False)) for row in rules.table_rows(out)}
    assert rows["store-a"]["satisfaction_score"] == Decimal("5.00")
    assert [rows[k]["satisfaction_basis"] for k in ("store-a", "store-b", rules.GROUP)] == [
        "calls",
        "complaints",
        "mixed",
    ]
    table = list(csv.reader(io.StringIO(exports.csv_bytes(out, "zh_CN").decode("utf-8-sig"))))
    at = columns.index("satisfaction_rate")
    assert table[0][at : at + 3] == ["回访满意率 (%)", "回访平均分 (1-5)", "满意度依据"]
    assert table[2][0] == "store-b" and table[2][at : at + 3] == ["100.0", "", "投诉（门店未上报回访结果）"]
    assert table[3][at + 2] == "回访结果与投诉"
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(out, "en", "period"))).active
    header = [cell.value for cell in sheet[2]]
    assert header[columns.index("satisfaction_score")] == "Follow-up score (1-5)"
    assert [row[columns.index("satisfaction_basis")] for row in sheet.iter_rows(min_row=3, values_only=True)] == [
        "Call results",
        "Complaints (a store without call results)",
        "Call results and complaints",
    ]


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


def test_a_returning_customer_signed_at_the_same_store_within_a_year_before():
    a, b = Store("store-a"), Store("store-b")
    regular, once, seen_long_ago = "c-" + "1" * 32, "c-" + "2" * 32, "c-" + "3" * 32
    full = a.order(DAY2, booked=False)
    del full["payload"]["customer_ref"]  # a store that sends its customers in full: no pseudonym, not counted
    out = compute(
        a.order(DAY1, booked=True, customer_ref=regular),  # came before (the earlier visits below): returning
        a.order(DAY1, booked=False, customer_ref=once),  # first visit
        a.order(DAY2, booked=False, customer_ref=once),  # the same customer the next day: returning
        a.order(DAY2, booked=True, customer_ref=seen_long_ago),  # last seen 400 days before: not returning
        b.order(DAY2, booked=True, customer_ref=regular),  # the same pseudonym at another store: a new customer
        full,
        earlier=[
            ("store-a", regular, DAY1 - timedelta(days=200)),
            ("store-a", seen_long_ago, DAY2 - timedelta(days=400)),
        ],
    )
    assert (out["store-a"].known_customers, out["store-a"].returning) == (4, 2)
    assert out["store-a"].returning_rate == Decimal("50.0") and out["store-a"].visits == 5
    assert (out["store-b"].returning, out["store-b"].returning_rate) == (0, Decimal("0.0"))
    assert (out[rules.GROUP].returning, out[rules.GROUP].known_customers) == (2, 5)
    assert out[rules.GROUP].returning_rate == Decimal("40.0")


def test_a_store_without_pseudonyms_has_no_returning_figure():
    order = Store("store-a").order(DAY1, booked=True)
    del order["payload"]["customer_ref"]
    assert compute(order)["store-a"].returning_rate is None
