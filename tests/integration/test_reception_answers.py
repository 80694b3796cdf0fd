"""Reception's commands answer from the rows they read once (handlers/visits.py `rows_of`, held for the unit of
work) and from what they wrote: each answer equals the same view read afresh afterwards, including when the
command itself changed what the rows had said (an odometer change, a finding, a signed reading)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from contracts import names
from contracts.repair_order import RepairOrder
from kit import price_list
from kit.errors import DomainError
from kit.orders import OrderSigner
from kit.uow import audit_trail
from kit.web import JSONEncoder
from services.billing.seed import PRICE_LIST
from services.reception.handlers import arrivals, drafts, orders, prices, walk_around, write_up
from services.reception.handlers.visits import last_mileage, rows_of
from services.reception.models import PriceListCopy
from tests.integration.test_reception_mileage import visit_of, write
from tests.integration.test_reception_mileage import walk_around as complete_walk_around
from tests.support.db import service_work, snapshot, wire_event
from tests.support.factories import SIGNATURE_PNG, make_vin


@pytest.fixture
def work(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_price_list")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), prices.take_price_list)
    return work


def signed_visit(work, tmp_path, vin, mileage_km):
    visit = visit_of(work, vin)
    order = write(work, visit.visit_id, mileage_km)
    complete_walk_around(work, visit)
    signer = OrderSigner(tmp_path / "keys")
    work.run(orders.sign_order, order.order_id, advisor_id="A001", signer=signer, customer_signature=SIGNATURE_PNG)
    return visit


def test_the_rows_read_together_say_what_each_table_says(work, tmp_path):
    vin = make_vin()
    signed_visit(work, tmp_path, vin, 35210)
    visit = visit_of(work, vin)
    held = work.read(rows_of, visit.visit_id)
    assert (held.order, held.sheet, held.write_up) == (None, None, None)
    assert (held.has_findings, held.has_odometer_changes) == (False, False)
    assert held.last_mileage == work.read(last_mileage, vin) == 35210
    assert work.read(rows_of, "no-such-visit") is None


def test_a_walk_around_answer_equals_the_sheet_read_afterwards(work, tmp_path):
    vin = make_vin()
    signed_visit(work, tmp_path, vin, 35210)
    visit = visit_of(work, vin)
    cover = {"seat": True, "customer_present": True}
    answered = work.run(walk_around.answered(walk_around.fit_covers), visit.visit_id, cover)
    assert answered == work.read(walk_around.walk_around_view, visit.visit_id)
    assert answered["last_mileage_km"] == 35210
    answered = work.run(walk_around.answered(walk_around.record_walk_around), visit.visit_id, {"mileage_km": 35300})
    assert answered == work.read(walk_around.walk_around_view, visit.visit_id)


def test_an_odometer_change_answers_with_the_last_mileage_it_reset(work, tmp_path):
    """R-RC-2: the readings before a confirmed change no longer bound the next one, in the answer too."""
    vin = make_vin()
    signed_visit(work, tmp_path, vin, 90000)
    visit = visit_of(work, vin)
    change = walk_around.answered(walk_around.confirm_odometer_change)
    answered = work.run(change, visit.visit_id, {"reason": "仪表总成更换"}, actor_id="M001")
    assert answered == work.read(walk_around.walk_around_view, visit.visit_id)
    assert answered["last_mileage_km"] is None and answered["odometer_changes"][0]["previous_km"] == 90000


def test_a_finding_proposed_counts_in_the_same_unit_of_work(work):
    """R-RC-4: a finding proposed and the order's draft refreshed in one unit of work see the finding."""
    visit = visit_of(work, make_vin())
    write(work, visit.visit_id, 1000)

    def propose_and_decide(uow, visit_id):
        finding = write_up.propose_finding(uow, visit_id, {"description": "刹车液含水量高", "lines": _BRAKE_FLUID})
        write_up.decide_finding(uow, visit_id, finding.id, True)
        return rows_of(uow.session, visit_id).order.draft

    draft = work.run(propose_and_decide, visit.visit_id)
    assert [line["code"] for line in draft["lines"]] == ["LAB-OIL", "LAB-BRAKE-FLUID"]
    assert work.read(arrivals.visit, visit.visit_id)["order"]["draft"] == draft


def test_a_check_in_answers_with_the_visit_as_read_afterwards(work):
    visit = visit_of(work, make_vin())
    assert arrivals.visit_view(visit, None) == work.read(arrivals.visit, visit.visit_id)


def test_signing_answers_with_the_order_as_read_afterwards(work, tmp_path):
    visit = visit_of(work, make_vin())
    order = write(work, visit.visit_id, 1000)
    complete_walk_around(work, visit)
    signer = OrderSigner(tmp_path / "keys")
    signing = {"advisor_id": "A001", "signer": signer, "customer_signature": SIGNATURE_PNG}
    answered = work.run(orders.signed_answer, order.order_id, **signing)  # as the JSON view signs (web/orders.py)
    assert answered == work.read(orders.order, order.order_id)
    assert json.dumps(answered, cls=JSONEncoder) == json.dumps(work.read(orders.order, order.order_id), cls=JSONEncoder)
    assert work.read(rows_of, visit.visit_id).last_mileage == 1000
    assert [e["action"] for e in work.read(audit_trail, order.order_id)][-1] == "sign_order"


_BRAKE_FLUID = [{"kind": "labour", "code": "LAB-BRAKE-FLUID"}]


def test_the_price_book_read_by_version_is_the_current_copy_and_follows_a_newer_list(work):
    """R-RC-5: orders are priced from the list in force; a book is built once per version, and a newer list
    published later is the one read from then on."""
    assert work.read(prices.current_price_book) == work.read(price_list.current, PriceListCopy)
    newer = {
        **PRICE_LIST,
        "version": "2026.12-1",
        "effective_from": PRICE_LIST["effective_from"] + timedelta(days=30),
        "labour_rate": "320.00",
    }
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, newer), prices.take_price_list)
    book = work.read(prices.current_price_book)
    assert book.version == "2026.12-1" and book == work.read(price_list.current, PriceListCopy)


def test_the_rows_carry_the_price_list_in_force_and_an_order_without_one_is_refused(work, tmp_path):
    """R-RC-5: an order is priced from the list in force, read with the visit's rows; none yet, none priced."""
    visit = visit_of(work, make_vin())
    held = work.read(rows_of, visit.visit_id)
    assert held.price_list_version == PRICE_LIST["version"]
    assert work.read(prices.price_book_for, visit.visit_id) == work.read(prices.current_price_book)

    (tmp_path / "bare").mkdir()
    bare = service_work("reception", tmp_path / "bare")  # no price list heard yet
    walk_in = visit_of(bare, make_vin())
    assert work.read(prices.price_book_for, "no-such-visit") == work.read(prices.current_price_book)
    assert bare.read(prices.price_book_for, walk_in.visit_id) is None
    with pytest.raises(DomainError) as refused:
        write(bare, walk_in.visit_id, 1000)
    assert refused.value.code == "no_price_list"


def _hours_from_the_rows(session, visit_id, lines=None):
    """The labour hours as the visit's rows price them (the whole rows read, every finding's object)."""
    rows = rows_of(session, visit_id)
    jobs = drafts.requested_lines(lines) if lines is not None else list(rows.write_up.jobs if rows.write_up else [])
    book = prices.price_book_for(session, visit_id)
    return RepairOrder.of_lines(drafts.priced_lines(drafts.with_accepted_findings(session, visit_id, jobs), book))


def test_the_hours_asked_of_the_workshop_are_those_the_visits_rows_price(work):
    """R-RC-5: the promise is asked for the order's labour hours, read as columns (jobs, whether any finding, the
    list in force): the same as from the visit's rows, with an accepted finding's lines and without."""
    visit = visit_of(work, make_vin())
    lines = [{"kind": "labour", "code": "LAB-OIL"}]
    oil = work.read(_hours_from_the_rows, visit.visit_id, lines).labour_hours()
    assert work.read(drafts.labour_hours, visit.visit_id, lines) == oil
    assert work.read(drafts.labour_hours, "no-such-visit", lines) == oil  # priced from the list in force
    assert work.read(drafts.labour_hours, visit.visit_id) is None  # no jobs yet: nothing to price
    write(work, visit.visit_id, 1000)

    def propose_and_accept(uow, visit_id):
        finding = write_up.propose_finding(uow, visit_id, {"description": "刹车液含水量高", "lines": _BRAKE_FLUID})
        write_up.decide_finding(uow, visit_id, finding.id, True)

    work.run(propose_and_accept, visit.visit_id)
    hours = work.read(_hours_from_the_rows, visit.visit_id).labour_hours()
    assert work.read(drafts.labour_hours, visit.visit_id) == hours
    with_finding = work.read(_hours_from_the_rows, visit.visit_id, lines).labour_hours()
    assert work.read(drafts.labour_hours, visit.visit_id, lines) == with_finding > oil  # the finding counts


def test_a_second_tap_of_the_covers_and_the_same_mileage_again_leave_the_sheet_as_it_was(work):
    """R-RC-1/2: covers fitted already by the same advisor, and an order written with the mileage on the sheet,
    change nothing stored; the answers are those of the sheet read afterwards."""
    visit = visit_of(work, make_vin())
    covers = {"seat": True, "floor": True, "customer_present": True}
    fit = walk_around.answered(walk_around.fit_covers)
    first = work.run(fit, visit.visit_id, covers, actor_id="A001")
    record = walk_around.answered(walk_around.record_walk_around)
    work.run(record, visit.visit_id, {"mileage_km": 1000}, actor_id="A001")
    before = snapshot(work)["walk_arounds"]
    again = work.run(fit, visit.visit_id, covers, actor_id="A001")
    assert again == work.read(walk_around.walk_around_view, visit.visit_id)
    assert (again["covers"], again["covers_by"]) == (first["covers"], "A001")
    assert write(work, visit.visit_id, 1000).draft["mileage_km"] == 1000
    assert snapshot(work)["walk_arounds"] == before
    by_another = work.run(fit, visit.visit_id, covers, actor_id="A002")  # another advisor confirms them: recorded
    assert by_another["covers_by"] == "A002" and by_another["covers"] == first["covers"]
