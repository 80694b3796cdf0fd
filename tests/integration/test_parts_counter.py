"""The parts counter's use cases on a real migrated schema: the queue and issuing by scan (R-WS-2), shortages
to backorders and goods-in, returns (R-BL-3), old parts, counts, the master's search, the ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contracts import names
from kit.errors import DomainError
from services.parts import handlers as parts
from services.parts import seed as parts_seed
from services.parts.models import StockLevel
from tests.support.db import service_work, snapshot, wire_event
from tests.support.factories import make_mobile, make_plate, make_vin

D = Decimal
CLERK = "P001"


@pytest.fixture
def work(tmp_path):
    work = service_work("parts", tmp_path, consumer="parts.test")
    parts_seed.reference_data(work)
    return work


def order(order_id="ro-1", visit_id="visit-1", lines=None):
    return {
        "order_id": order_id,
        "version": 1,
        "visit_id": visit_id,
        "lines": lines
        or [
            {"line_no": 1, "kind": "labour", "code": "LAB-OIL", "quantity": "0.6"},
            {"line_no": 2, "kind": "part", "code": "P-OIL-5W30", "quantity": "1"},
            {"line_no": 3, "kind": "part", "code": "P-PAD-F", "quantity": "2"},
        ],
    }


def queue(work, request_id="r-1", the_order=None, lines=None):
    the_order = the_order or order()
    asked = lines or [
        {"line_no": n["line_no"], "quantity": n["quantity"]} for n in the_order["lines"] if n["kind"] == "part"
    ]
    work.run(parts.queue_request, request_id, the_order, "T001", asked)


def level(work, part_no, location="MAIN"):
    return work.read(lambda s: s.get(StockLevel, (part_no, location)).quantity)


def outbox(work, event_type):
    rows = work.read(lambda s: s.execute(sa.text("SELECT body FROM outbox")).all())
    return [json.loads(r[0])["payload"] for r in rows if json.loads(r[0])["event_type"] == event_type]


def test_the_clerk_issues_by_scanning_partially_and_never_beyond_the_signed_quantity(work):
    queue(work)
    assert [r["request_id"] for r in work.read(parts.queue)] == ["r-1"]
    before = level(work, "P-PAD-F")
    done = work.run(parts.issue_at_counter, "r-1", "p-pad-f", "1", actor_id=CLERK)
    assert (done["line_no"], done["quantity"]) == (3, D("1"))
    assert level(work, "P-PAD-F") == before - 1
    for scanned, quantity, field in (
        ("P-PAD-F", "2", "quantity"),
        ("P-DISC-F", None, "part_no"),
        ("P-PAD-F", "1e308", "quantity"),
    ):
        state = snapshot(work)
        with pytest.raises(DomainError) as refused:
            work.run(parts.issue_at_counter, "r-1", scanned, quantity, actor_id=CLERK)
        assert refused.value.field == field and snapshot(work) == state  # nothing moves on a refusal
    work.run(parts.issue_at_counter, "r-1", "P-PAD-F", None, actor_id=CLERK)  # the rest of the line
    work.run(parts.issue_at_counter, "r-1", "P-OIL-5W30", None, actor_id=CLERK)
    assert work.read(parts.queue) == []  # done: off the queue
    issued = outbox(work, names.PARTS_ISSUED)
    assert [(i["lines"][0]["line_no"], i["lines"][0]["quantity"]) for i in issued] == [(3, "1"), (3, "1"), (2, "1")]
    moves = work.read(parts.stock_moves, reference="ro-1")
    assert {m["actor_id"] for m in moves} == {CLERK} and {m["reason"] for m in moves} == {"issue"}


def test_a_shortage_becomes_a_backorder_and_goods_in_allocates_it_by_promised_time(work):
    the_order = order(lines=[{"line_no": 2, "kind": "part", "code": "P-DISC-F", "quantity": "2"}])
    queue(work, the_order=the_order)
    count = work.run(parts.record_count, "P-DISC-F", "MAIN", "1", actor_id=CLERK)  # the store holds one disc
    work.run(parts.decide_count, count.count_id, True, actor_id="M001")
    with pytest.raises(DomainError) as short:
        work.run(parts.issue_at_counter, "r-1", "P-DISC-F", None, actor_id=CLERK)
    assert short.value.code == "stock_short" and "P-DISC-F" in short.value.message
    backorder = work.run(parts.backorder_line, "r-1", 2, actor_id=CLERK)
    assert backorder["quantity"] == D("2") and backorder["status"] == "waiting"
    [event] = outbox(work, names.PARTS_BACKORDERED)
    assert event["order_id"] == "ro-1" and event["lines"][0]["line_no"] == 2 and event["lines"][0]["expected_on"]
    # a later booking's backorder of the same part, needed later
    booked = {
        "appointment_id": "ap-9",
        "visit_id": "visit-9",
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
        "advisor_id": "A001",
        "starts_at": datetime.now(UTC) + timedelta(days=3),
        "planned_parts": [{"part_no": "P-DISC-F", "quantity": "2"}],
    }
    work.handle(wire_event(names.APPOINTMENT_BOOKED, booked, "visit-9"), parts.reserve_for_appointment)
    assert level(work, "P-DISC-F") == 0
    [short] = [b for b in work.read(parts.backorders, "ap-9")]
    assert short["quantity"] == D("1")
    receipt = work.run(parts.goods_in, [("P-DISC-F", "2")], [event["purchase_order_id"]], actor_id=CLERK)
    [received] = outbox(work, names.PARTS_RECEIVED)
    assert received["receipt_id"] == receipt.receipt_id
    assert [(a["backorder_id"], a["quantity"]) for a in received["allocated"]] == [(backorder["backorder_id"], "2")]
    issued = outbox(work, names.PARTS_ISSUED)[-1]
    assert issued["request_id"] == "r-1" and issued["lines"][0]["quantity"] == "2"  # the job resumes
    work.run(parts.goods_in, [("P-DISC-F", "1")], [], actor_id=CLERK)
    assert [b["status"] for b in work.read(parts.backorders, "ap-9")] == ["allocated"]
    shelf = [r for r in work.read(parts.reservations, "ap-9")]
    assert sum(r["quantity"] for r in shelf) == 2 and level(work, "P-DISC-F", "APPT-SHELF") == 2


def test_a_return_reverses_the_issue_exactly_and_billing_is_told(work):
    queue(work)
    before = level(work, "P-PAD-F")
    work.run(parts.issue_at_counter, "r-1", "P-PAD-F", None, actor_id=CLERK)
    work.run(parts.return_parts, "ro-1", [{"line_no": 3, "quantity": "1"}], actor_id=CLERK)
    assert level(work, "P-PAD-F") == before - 1
    with pytest.raises(DomainError) as over:
        work.run(parts.return_parts, "ro-1", [{"line_no": 3, "quantity": "2"}], actor_id=CLERK)
    assert over.value.code == "return_too_large"
    work.run(parts.return_parts, "ro-1", [{"line_no": 3, "quantity": "1"}], actor_id=CLERK)
    assert level(work, "P-PAD-F") == before
    returned = outbox(work, names.PARTS_RETURNED)
    assert [(r["order_version"], r["lines"]) for r in returned] == [
        (1, [{"line_no": 3, "part_no": "P-PAD-F", "quantity": "1"}])
    ] * 2
    moves = work.read(parts.stock_moves, part_no="P-PAD-F", reference="ro-1")
    assert sorted((m["reason"], m["from_location"], m["to_location"], m["quantity"]) for m in moves) == [
        ("issue", "MAIN", None, D("2")),
        ("return", None, "MAIN", D("1")),
        ("return", None, "MAIN", D("1")),
    ]


def test_an_old_part_kept_for_warranty_goes_into_quarantine(work):
    decided = {
        "order_id": "ro-1",
        "decided_by": "C001",
        "decided_at": datetime.now(UTC).isoformat(),
        "parts": [
            {"line_no": 3, "part_no": "P-PAD-F", "quantity": "2", "fate": "kept_for_warranty"},
            {"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1", "fate": "scrapped"},
        ],
    }
    work.handle(wire_event(names.OLD_PARTS_DECIDED, decided), parts.record_old_parts)
    assert [o["fate"] for o in work.read(parts.old_parts, "ro-1")] == ["kept_for_warranty", "scrapped"]
    assert level(work, "P-PAD-F", "QUARANTINE") == 2


def test_old_parts_fates_are_kept_once_a_line_however_often_they_are_decided(work):
    """R-BL-3 (issue 12, item 6): fates that move no stock are inserted in one statement unless their line's is
    kept; what is kept is what reading the order's fates first kept: the first fate of each line, in order."""
    at = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)

    def decide(*fates):
        parts_decided = [{"line_no": n, "part_no": p, "quantity": q, "fate": f} for n, p, q, f in fates]
        decided = {"order_id": "ro-9", "decided_by": "C001", "decided_at": at.isoformat(), "parts": parts_decided}
        assert work.handle(wire_event(names.OLD_PARTS_DECIDED, decided), parts.record_old_parts) is True

    decide(
        (2, "P-OIL-5W30", "1", "scrapped"),
        (3, "P-PAD-F", "2", "returned_to_customer"),
        (2, "P-OIL-5W30", "1", "returned_to_customer"),
    )
    kept = [
        {"order_id": "ro-9", "line_no": 2, "part_no": "P-OIL-5W30", "quantity": D("1"), "fate": "scrapped"},
        {"order_id": "ro-9", "line_no": 3, "part_no": "P-PAD-F", "quantity": D("2"), "fate": "returned_to_customer"},
    ]
    kept = [{**row, "decided_at": at, "decided_by": "C001"} for row in kept]
    assert work.read(parts.old_parts, "ro-9") == kept
    decide((3, "P-PAD-F", "2", "scrapped"), (4, "P-DISC-F", "1", "scrapped"))  # re-sent, and a line decided later
    later = {"order_id": "ro-9", "line_no": 4, "part_no": "P-DISC-F", "quantity": D("1"), "fate": "scrapped"}
    assert work.read(parts.old_parts, "ro-9") == [*kept, {**later, "decided_at": at, "decided_by": "C001"}]
    assert work.read(parts.stock_moves, reference="ro-9") == []  # nothing moved


def test_a_count_variance_moves_stock_only_when_the_manager_approves(work):
    before = level(work, "P-DOT4")
    row = work.run(parts.record_count, "P-DOT4", "MAIN", str(before - 2), actor_id=CLERK)
    assert level(work, "P-DOT4") == before and row.status == "pending"
    work.run(parts.decide_count, row.count_id, True, actor_id="M001")
    assert level(work, "P-DOT4") == before - 2
    [move] = work.read(parts.stock_moves, part_no="P-DOT4", reference=f"count-{row.count_id}")
    assert (move["reason"], move["quantity"], move["actor_id"]) == ("count", D("2"), "M001")


def test_the_master_is_searched_by_pinyin_initials_and_litres_count_to_a_tenth(work):
    assert [p["part_no"] for p in work.read(parts.search_parts, "jy")] == ["P-FILTER-OIL", "P-OIL-5W30"]  # 机油…
    assert [p["part_no"] for p in work.read(parts.search_parts, "jylqq")] == ["P-FILTER-OIL"]  # 机油滤清器
    [atf] = work.read(parts.search_parts, "P-ATF")
    assert (atf["unit"], atf["precision"]) == ("L", 1)
    with pytest.raises(DomainError):
        work.run(parts.goods_in, [("P-ATF", "0.25")], [])
    work.run(parts.goods_in, [("P-ATF", "4.5")], [])
    assert level(work, "P-ATF") == D("124.5")
    with pytest.raises(DomainError) as unknown:
        work.run(parts.goods_in, [("P-NOPE", "1")], [])
    assert unknown.value.field == "part_no"


def test_the_technician_who_asked_confirms_receipt_of_what_was_issued(work):
    queue(work)
    with pytest.raises(DomainError):
        work.run(parts.confirm_receipt, "r-1", actor_id="T001")  # nothing issued yet
    work.run(parts.issue_at_counter, "r-1", "P-OIL-5W30", None, actor_id=CLERK)
    with pytest.raises(DomainError) as not_theirs:
        work.run(parts.confirm_receipt, "r-1", actor_id="T002")
    assert not_theirs.value.code == "not_yours"
    assert work.run(parts.confirm_receipt, "r-1", actor_id="T001") == 1
    [issued] = work.read(parts.issues, "ro-1")
    assert issued["received_by"] == "T001" and issued["received_at"] is not None


def booked(appointment_id, starts_at, parts_=(("P-OIL-5W30", "1"), ("P-FILTER-OIL", "1"))):
    return wire_event(
        names.APPOINTMENT_BOOKED,
        {
            "appointment_id": appointment_id,
            "visit_id": f"visit-{appointment_id}",
            "customer": {"name": "王先生", "mobile": make_mobile()},
            "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
            "advisor_id": "A001",
            "starts_at": starts_at,
            "planned_parts": [{"part_no": p, "quantity": q} for p, q in parts_],
        },
        f"visit-{appointment_id}",
    )


def test_the_pick_list_shows_the_next_48_hours_confirmed_line_by_line_and_expiry_releases_the_shelf(work):
    """R-BK-6: reserved at booking, picked 48 hours ahead (scan per line), released when the visit is long past."""
    now = datetime.now(UTC)
    work.handle(booked("ap-soon", now + timedelta(hours=20)), parts.reserve_for_appointment)
    work.handle(booked("ap-later", now + timedelta(days=5)), parts.reserve_for_appointment)
    listed = work.read(parts.pick_list, now)
    assert {line["appointment_id"] for line in listed} == {"ap-soon"}
    oil = next(line for line in listed if line["part_no"] == "P-OIL-5W30")
    with pytest.raises(DomainError) as wrong:
        work.run(parts.confirm_pick, oil["reservation_id"], "P-FILTER-OIL", actor_id=CLERK)
    assert wrong.value.field == "part_no"
    work.run(parts.confirm_pick, oil["reservation_id"], "p-oil-5w30", actor_id=CLERK)
    picked = {line["part_no"]: line["picked_by"] for line in work.read(parts.pick_list, now)}
    assert picked == {"P-OIL-5W30": CLERK, "P-FILTER-OIL": None}

    shelf = level(work, "P-OIL-5W30", "APPT-SHELF")
    assert work.read(parts.expired, now) == []
    three_days_on = now + timedelta(days=3)
    assert work.read(parts.expired, three_days_on) == ["ap-soon"]
    work.clock = lambda: three_days_on
    assert work.run(parts.release_expired) == 1
    assert level(work, "P-OIL-5W30", "APPT-SHELF") == shelf - 1
    assert {r["status"] for r in work.read(parts.reservations, "ap-soon")} == {"released"}
    assert {r["status"] for r in work.read(parts.reservations, "ap-later")} == {"reserved"}


def test_the_figures_value_stock_at_cost_and_count_first_time_fills(work):
    figures = work.read(parts.figures, datetime.now(UTC))
    oil = next(row for row in figures["value_by_part"] if row["label"] == "P-OIL-5W30")
    assert oil["value"] == 400 * 180 and figures["fill_rate"] is None
    queue(work)
    work.run(parts.issue_at_counter, "r-1", "P-OIL-5W30", None, actor_id=CLERK)  # in full at once
    work.run(parts.issue_at_counter, "r-1", "P-PAD-F", "1", actor_id=CLERK)  # 1 of 2 first: not a first-time fill
    figures = work.read(parts.figures, datetime.now(UTC))
    assert figures["fill_rate"] == D("50.0") and figures["turnover"] > 0
    count = work.run(parts.record_count, "P-DISC-F", "MAIN", "1", actor_id=CLERK)
    work.run(parts.decide_count, count.count_id, True, actor_id="M001")
    [disc] = [s for s in work.read(parts.reorder_suggestions, datetime.now(UTC)) if s["part_no"] == "P-DISC-F"]
    assert disc["suggested"] == 59  # up to the max of 60


def test_the_master_shows_retail_prices_from_billings_published_list(work):
    from services.billing import seed as billing_seed

    assert work.read(parts.search_parts, "P-OIL-5W30")[0]["retail_price"] is None
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, billing_seed.PRICE_LIST), parts.take_price_list)
    [oil] = work.read(parts.search_parts, "P-OIL-5W30")
    assert oil["retail_price"] == D("268.00") and oil["cost"] == D("180.00")


def test_goods_in_never_issues_beyond_the_signed_line_and_a_line_is_backordered_once(work):
    the_order = order(lines=[{"line_no": 2, "kind": "part", "code": "P-DISC-F", "quantity": "2"}])
    queue(work, the_order=the_order)
    count = work.run(parts.record_count, "P-DISC-F", "MAIN", "0", actor_id=CLERK)
    work.run(parts.decide_count, count.count_id, True, actor_id="M001")
    work.run(parts.backorder_line, "r-1", 2, actor_id=CLERK)
    with pytest.raises(DomainError) as twice:
        work.run(parts.backorder_line, "r-1", 2, actor_id=CLERK)
    assert twice.value.code == "on_backorder"
    # two discs turn up in a count and the clerk fills the line from them meanwhile
    count = work.run(parts.record_count, "P-DISC-F", "MAIN", "2", actor_id=CLERK)
    work.run(parts.decide_count, count.count_id, True, actor_id="M001")
    work.run(parts.issue_at_counter, "r-1", "P-DISC-F", None, actor_id=CLERK)
    work.run(parts.goods_in, [("P-DISC-F", "2")], [], actor_id=CLERK)  # nothing more is due: stays in the store
    assert sum(i["quantity"] for i in work.read(parts.issues, "ro-1")) == 2
    assert level(work, "P-DISC-F") == 2
    assert [b["status"] for b in work.read(parts.backorders, None, "ro-1")] == ["released"]


def test_a_short_shelf_reservation_is_ordered_once_and_goes_to_the_job_when_it_arrives(work):
    """R-BK-6 / R-WS-2: the booking was short; at dispatch the same backorder serves the request's signed line."""
    count = work.run(parts.record_count, "P-DISC-F", "MAIN", "0", actor_id=CLERK)
    work.run(parts.decide_count, count.count_id, True, actor_id="M001")
    work.handle(
        booked("ap-7", datetime.now(UTC) + timedelta(hours=2), (("P-DISC-F", "2"),)), parts.reserve_for_appointment
    )
    [waiting] = work.read(parts.backorders, "ap-7")
    the_order = order(
        visit_id="visit-ap-7", lines=[{"line_no": 2, "kind": "part", "code": "P-DISC-F", "quantity": "2"}]
    )
    queue(work, the_order=the_order)
    [attached] = work.read(parts.backorders, None, "ro-1")
    assert attached["backorder_id"] == waiting["backorder_id"] and attached["request_id"] == "r-1"
    with pytest.raises(DomainError) as twice:
        work.run(parts.backorder_line, "r-1", 2, actor_id=CLERK)
    assert twice.value.code == "on_backorder"
    work.run(parts.goods_in, [("P-DISC-F", "2")], [waiting["purchase_order_id"]], actor_id=CLERK)
    assert [(i["line_no"], i["quantity"]) for i in work.read(parts.issues, "ro-1")] == [(2, D("2"))]
