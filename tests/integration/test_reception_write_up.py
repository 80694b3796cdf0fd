"""The write-up on the advisor's tablet, on a real SQLite schema: the walk-around sheet (R-RC-1..3, R-KB-1a),
the service manager's odometer change (R-RC-2), complaint and diagnosis with the knowledge base and findings
(R-RC-4, R-KB-1), the order's fields (R-RC-5..7) and signing only on a complete sheet (R-RC-6)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from contracts import names
from kit.errors import DomainError
from kit.orders import OrderSigner, OrderVerifier
from kit.signing import SignatureInvalid
from services.billing.seed import PRICE_LIST
from services.reception.handlers import arrivals as reception_arrivals
from services.reception.handlers import orders, pre_inspection, prices, walk_around, write_up
from tests.support.db import service_work, wire_event
from tests.support.factories import SIGNATURE_PNG, make_mobile, make_plate, make_vin

LINES = [{"kind": "labour", "code": "LAB-OIL"}, {"kind": "part", "code": "P-OIL-5W30", "quantity": "1"}]
PROMISED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
EVERY_CHECK = {name: {"state": "ok"} for name in ("tyres", "lights", "glass", "interior")} | {
    "oil_dipstick": {"state": "ok"},
    "coolant": {"state": "ok"},
    "brake_fluid": {"state": "attention", "note": "液位接近下限"},
}


def workshop_answers(hours, not_before):
    """The workshop's promise_time as a plain function (what the RPC returns)."""
    return not_before + timedelta(hours=float(hours) + 1)


def workshop_silent(hours, not_before):
    return None


@pytest.fixture
def work(tmp_path):
    work = service_work("reception", tmp_path, consumer="reception.take_price_list")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, PRICE_LIST), prices.take_price_list)
    return work


@pytest.fixture
def signer(tmp_path):
    return OrderSigner(tmp_path / "keys")


def walk_in(work, vin=None, complaint="冷车启动怠速抖动"):
    cmd = {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": vin or make_vin(), "plate": make_plate(), "model": "帕萨特"},
        "advisor_id": "A001",
        "complaint": complaint,
    }
    return work.run(reception_arrivals.check_in, cmd, actor_id="A001")


def full_walk_around(work, visit, mileage_km=35210, **extra):
    work.run(
        walk_around.fit_covers,
        visit.visit_id,
        {"seat": True, "steering_wheel": True, "floor": True, "customer_present": True},
        actor_id="A001",
    )
    cmd = {
        "vin": visit.vehicle["vin"],
        "mileage_km": mileage_km,
        "fuel_eighths": 4,
        "checks": EVERY_CHECK,
        "valuables": {"left": False},
        **extra,
    }
    work.run(walk_around.record_walk_around, visit.visit_id, cmd, actor_id="A001")
    return work.run(walk_around.complete_walk_around, visit.visit_id, actor_id="A001")


def write(work, visit, **cmd):
    cmd = {"lines": LINES, "key_tag": f"K{make_mobile()[-4:]}", "customer_waits": True, **cmd}
    return work.run(orders.write_order, visit.visit_id, cmd, promise=workshop_answers, actor_id="A001")


def sign(work, signer, order_id):
    return work.run(
        orders.sign_order,
        order_id,
        advisor_id="A001",
        signer=signer,
        customer_signature=SIGNATURE_PNG,
        actor_id="A001",
    )


# --- the walk-around sheet ---------------------------------------------------------------------------------


def test_covers_are_fitted_in_front_of_the_customer_each_with_its_time(work):
    """R-RC-1."""
    visit = walk_in(work)
    with pytest.raises(DomainError) as refused:
        work.run(walk_around.fit_covers, visit.visit_id, {"seat": True}, actor_id="A001")
    assert refused.value.field == "customer_present"
    work.run(walk_around.fit_covers, visit.visit_id, {"seat": True, "customer_present": True}, actor_id="A001")
    sheet = work.read(walk_around.walk_around_view, visit.visit_id)
    assert set(sheet["covers"]) == {"seat"} and datetime.fromisoformat(sheet["covers"]["seat"]).tzinfo
    assert sheet["covers_by"] == "A001"
    assert "covers.steering_wheel" in sheet["missing"] and "covers.floor" in sheet["missing"]


def test_the_vin_read_on_the_car_is_checked_for_its_check_digit_and_against_the_visit(work):
    """R-RC-2: ISO 3779 / GB 16735 check digit, and the car of the appointment."""
    visit = walk_in(work)
    vin = visit.vehicle["vin"]
    wrong_digit = vin[:8] + ("0" if vin[8] != "0" else "1") + vin[9:]
    with pytest.raises(DomainError) as refused:
        work.run(walk_around.record_walk_around, visit.visit_id, {"vin": wrong_digit})
    assert refused.value.field == "vin" and refused.value.code == "vin_check_digit"
    with pytest.raises(DomainError) as refused:
        work.run(walk_around.record_walk_around, visit.visit_id, {"vin": make_vin()})
    assert refused.value.code == "vin_mismatch" and "车架号" in refused.value.message
    work.run(walk_around.record_walk_around, visit.visit_id, {"vin": vin.lower()})
    assert work.read(walk_around.walk_around_view, visit.visit_id)["vin"] == vin


def test_damage_is_marked_by_zone_and_kind_and_can_be_removed(work):
    visit = walk_in(work)
    work.run(walk_around.mark_damage, visit.visit_id, {"zone": "left_front_door", "kind": "scratch", "note": "10 cm"})
    work.run(walk_around.mark_damage, visit.visit_id, {"zone": "rear_bumper", "kind": "dent"})
    with pytest.raises(DomainError) as refused:
        work.run(walk_around.mark_damage, visit.visit_id, {"zone": "flux_capacitor", "kind": "dent"})
    assert refused.value.field == "damage.zone"
    with pytest.raises(DomainError):
        work.run(walk_around.mark_damage, visit.visit_id, {"zone": "roof", "kind": "melted"})
    work.run(walk_around.remove_damage, visit.visit_id, 1)
    damages = work.read(walk_around.walk_around_view, visit.visit_id)["damages"]
    assert damages == [{"zone": "left_front_door", "kind": "scratch", "note": "10 cm"}]


@pytest.mark.parametrize(
    "cmd, field",
    [
        ({"fuel_eighths": 9}, "fuel_eighths"),
        ({"checks": {"tyres": {"state": "attention"}}}, "checks.tyres"),  # what needs attention must be said
        ({"valuables": {"left": True}}, "valuables"),
    ],
)
def test_sheet_entries_are_refused_naming_their_field(work, cmd, field):
    visit = walk_in(work)
    with pytest.raises(DomainError) as refused:
        work.run(walk_around.record_walk_around, visit.visit_id, cmd)
    assert refused.value.field == field


def test_an_incomplete_sheet_cannot_be_completed_and_names_what_is_missing(work):
    """R-RC-1..2."""
    visit = walk_in(work)
    work.run(walk_around.record_walk_around, visit.visit_id, {"vin": visit.vehicle["vin"], "fuel_eighths": 8})
    with pytest.raises(DomainError) as refused:
        work.run(walk_around.complete_walk_around, visit.visit_id)
    assert refused.value.code == "walk_around_incomplete"
    assert refused.value.field == "covers.seat"
    assert "mileage_km" in refused.value.details["missing"] and "checks.tyres" in refused.value.details["missing"]
    assert "checks.underbody" not in refused.value.details["missing"]  # not a first service


def test_a_first_service_needs_the_underbody_check(work):
    """R-RC-3: the car is lifted on a first service 首保."""
    visit = walk_in(work, complaint="首保")
    assert work.read(walk_around.walk_around_view, visit.visit_id)["first_service"] is False  # no sheet yet
    with pytest.raises(DomainError) as refused:
        full_walk_around(work, visit)
    assert refused.value.code == "underbody_required" and refused.value.field == "checks.underbody"
    assert "底盘" in refused.value.message
    work.run(walk_around.record_walk_around, visit.visit_id, {"checks": {"underbody": {"state": "ok"}}})
    assert work.run(walk_around.complete_walk_around, visit.visit_id, actor_id="A001").completed_at is not None


def test_marking_a_first_service_later_reopens_a_completed_sheet(work):
    visit = walk_in(work, complaint="冷车抖动")
    full_walk_around(work, visit)
    work.run(walk_around.record_walk_around, visit.visit_id, {"first_service": True})
    sheet = work.read(walk_around.walk_around_view, visit.visit_id)
    assert sheet["completed_at"] is None and sheet["missing"] == ["checks.underbody"]


# --- mileage and the manager's odometer change -------------------------------------------------------------


def signed_visit(work, signer, vin, mileage_km):
    visit = walk_in(work, vin=vin)
    full_walk_around(work, visit, mileage_km=mileage_km)
    return sign(work, signer, write(work, visit).order_id)


def test_a_lower_mileage_is_refused_until_a_service_manager_confirms_an_odometer_change(work, signer):
    """R-RC-2: refused in Chinese naming mileage_km; accepted after the manager's confirmation (who, when, why)."""
    vin = make_vin()
    signed_visit(work, signer, vin, 35210)
    visit = walk_in(work, vin=vin)
    with pytest.raises(DomainError) as refused:
        work.run(walk_around.record_walk_around, visit.visit_id, {"mileage_km": 1200})
    assert refused.value.field == "mileage_km" and "35210" in refused.value.message and "里程" in refused.value.message
    assert work.read(walk_around.walk_around_view, visit.visit_id)["mileage_km"] is None  # nothing stored

    with pytest.raises(DomainError) as no_reason:
        work.run(walk_around.confirm_odometer_change, visit.visit_id, {"reason": " "}, actor_id="M001")
    assert no_reason.value.field == "reason"
    work.run(walk_around.confirm_odometer_change, visit.visit_id, {"reason": "仪表总成更换"}, actor_id="M001")
    work.run(walk_around.record_walk_around, visit.visit_id, {"mileage_km": 1200})
    sheet = work.read(walk_around.walk_around_view, visit.visit_id)
    assert sheet["mileage_km"] == 1200
    [change] = sheet["odometer_changes"]
    assert (change["previous_km"], change["reason"], change["confirmed_by"]) == (35210, "仪表总成更换", "M001")

    full_walk_around(work, visit, mileage_km=1200)
    signed = sign(work, signer, write(work, visit).order_id).signed
    assert signed["order"]["mileage_km"] == 1200
    assert signed["order"]["walk_around"]["odometer_change"]["confirmed_by"] == "M001"
    # the next reading is held to the new odometer, not the old one
    later = walk_in(work, vin=vin)
    with pytest.raises(DomainError):
        work.run(walk_around.record_walk_around, later.visit_id, {"mileage_km": 1000})
    work.run(walk_around.record_walk_around, later.visit_id, {"mileage_km": 5000})


# --- complaint, diagnosis, knowledge base, findings ---------------------------------------------------------


def test_the_customers_words_are_kept_apart_from_the_diagnosis_and_the_knowledge_base_suggests(work):
    """R-RC-4, R-KB-1: suggestions priced from reception's copy of the published price list."""
    visit = walk_in(work, complaint="冷车启动的时候怠速抖得厉害")
    [suggestion] = work.read(write_up.suggestions, visit.visit_id)
    assert suggestion["code"] == "COLD-ROUGH-IDLE"
    assert suggestion["estimate"]["price_list_version"] == "2026.11-1"
    assert suggestion["estimate"]["net"] == Decimal("180.00")  # LAB-THROTTLE 0.6 h x 300.00
    work.run(
        write_up.record_diagnosis,
        visit.visit_id,
        {
            "concern": "冷车怠速抖动",
            "cause": "节气门脏污",
            "correction": "清洗节气门",
            "symptom_codes": ["COLD-ROUGH-IDLE"],
        },
    )
    work.run(write_up.add_jobs, visit.visit_id, {"symptom": "COLD-ROUGH-IDLE"})
    view = work.read(write_up.write_up_view, visit.visit_id)
    assert view["customer_words"] == "冷车启动的时候怠速抖得厉害"  # the customer's words, untouched
    assert (view["concern"], view["cause"], view["correction"]) == ("冷车怠速抖动", "节气门脏污", "清洗节气门")
    assert view["jobs"] == [{"kind": "labour", "code": "LAB-THROTTLE", "quantity": None}]
    with pytest.raises(DomainError) as refused:
        work.run(write_up.record_diagnosis, visit.visit_id, {"symptom_codes": ["NOPE"]})
    assert refused.value.field == "symptom_codes"


def test_a_finding_the_customer_declines_is_recorded_as_declined_and_not_quoted(work, signer):
    """R-RC-4: findings are separate lines the customer accepts or declines."""
    visit = walk_in(work)
    full_walk_around(work, visit)
    order = write(work, visit, lines=[{"kind": "labour", "code": "LAB-OIL"}])
    brake = work.run(
        write_up.propose_finding,
        visit.visit_id,
        {"description": "制动液含水量超标", "lines": [{"kind": "labour", "code": "LAB-BRAKE-FLUID"}]},
        actor_id="A001",
    )
    align = work.run(
        write_up.propose_finding, visit.visit_id, {"description": "高速抖动", "symptom": "HIGH-SPEED-STEERING-SHAKE"}
    )
    with pytest.raises(DomainError) as pending:
        sign(work, signer, order.order_id)
    assert pending.value.field == "findings"

    work.run(write_up.decide_finding, visit.visit_id, brake.id, True, actor_id="A001")
    work.run(write_up.decide_finding, visit.visit_id, align.id, False, actor_id="A001")
    draft = work.read(orders.order, order.order_id)["draft"]
    assert [line["code"] for line in draft["lines"]] == ["LAB-OIL", "LAB-BRAKE-FLUID"]
    assert Decimal(draft["subtotal"]) == Decimal("390.00")  # 0.5 h + 0.8 h at 300.00; the declined not quoted
    assert {line["code"] for line in draft["declined_lines"]} == {"LAB-BALANCE", "LAB-ALIGN", "P-WEIGHT"}
    assert [(f["description"], f["status"]) for f in draft["complaint"]["findings"]] == [
        ("制动液含水量超标", "accepted"),
        ("高速抖动", "declined"),
    ]
    body = sign(work, signer, order.order_id).signed["order"]
    assert body["declined_lines"] and body["total"] == draft["total"]


# --- the order's fields --------------------------------------------------------------------------------------


def test_pay_type_key_tag_waiting_and_the_workshops_promise_are_on_the_order(work):
    """R-RC-5..7."""
    visit = walk_in(work)
    full_walk_around(work, visit)
    order = write(work, visit, pay_type="warranty", key_tag="k-17", customer_waits=False)
    draft = order.draft
    assert (draft["pay_type"], draft["key_tag"], draft["customer_waits"]) == ("warranty", "K-17", False)
    assert draft["promise_source"] == "workshop"
    assert draft["mileage_km"] == 35210  # from the walk-around sheet
    with pytest.raises(DomainError) as refused:
        write(work, visit, pay_type="friends")
    assert refused.value.field == "pay_type"


def test_a_key_tag_is_unique_among_open_visits_and_free_again_when_the_car_has_left(work, signer):
    """R-RC-7."""
    first = walk_in(work)
    full_walk_around(work, first)
    order = sign(work, signer, write(work, first, key_tag="K-01").order_id)
    second = walk_in(work)
    full_walk_around(work, second)
    with pytest.raises(DomainError) as refused:
        write(work, second, key_tag="k-01")
    assert (
        refused.value.field == "key_tag" and refused.value.code == "key_tag_taken" and "K-01" in refused.value.message
    )
    work.run(lambda uow: write_up.close_visit_for_order(uow.session, order.order_id, uow.clock()))
    assert write(work, second, key_tag="K-01").draft["key_tag"] == "K-01"


def test_two_advisors_giving_one_key_tag_at_the_same_moment_one_gets_it_the_other_a_refusal(work):
    """R-RC-7 under a race: the unique index decides, and the loser is told in Chinese, not with an error 500."""
    visits = [walk_in(work), walk_in(work)]
    for visit in visits:
        full_walk_around(work, visit)
    start = threading.Barrier(2)

    def give_tag(visit):
        start.wait()
        try:
            write(work, visit, key_tag="K-RACE")
            return "ok"
        except DomainError as refused:
            return refused.code

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(give_tag, visits))
    assert outcomes == ["key_tag_taken", "ok"]


def test_without_the_workshops_answer_the_promise_is_entered_by_hand_with_a_note(work):
    """R-RC-5: the workshop's load decides the promise; if it does not answer, the advisor enters it."""
    visit = walk_in(work)
    full_walk_around(work, visit)
    cmd = {"lines": LINES, "key_tag": "K-77", "customer_waits": True}
    with pytest.raises(DomainError) as refused:
        work.run(orders.write_order, visit.visit_id, cmd, promise=workshop_silent)
    assert refused.value.field == "promised_at" and refused.value.code == "promise_needed"
    assert "车间" in refused.value.message
    with pytest.raises(DomainError) as no_note:
        work.run(orders.write_order, visit.visit_id, {**cmd, "promised_at": PROMISED}, promise=workshop_silent)
    assert no_note.value.field == "promise_note"
    order = work.run(
        orders.write_order,
        visit.visit_id,
        {**cmd, "promised_at": PROMISED, "promise_note": "车间系统未应答，电话确认 D001"},
        promise=workshop_silent,
    )
    assert order.draft["promise_source"] == "manual" and order.draft["promise_note"].startswith("车间系统未应答")
    assert datetime.fromisoformat(order.draft["promised_at"]) == PROMISED


# --- signing ------------------------------------------------------------------------------------------------


def test_an_order_cannot_be_signed_without_a_complete_walk_around(work, signer):
    """R-RC-1..3 before R-RC-6."""
    visit = walk_in(work)
    order = write(work, visit, mileage_km=35210)
    with pytest.raises(DomainError) as refused:
        sign(work, signer, order.order_id)
    assert refused.value.field == "walk_around" and refused.value.code == "walk_around_incomplete"
    assert work.read(orders.order, order.order_id)["status"] == "draft"
    full_walk_around(work, visit)
    assert sign(work, signer, order.order_id).version == 1


def test_an_order_cannot_be_signed_without_the_customers_signature(work, signer):
    visit = walk_in(work)
    full_walk_around(work, visit)
    order = write(work, visit)
    with pytest.raises(DomainError) as refused:
        work.run(orders.sign_order, order.order_id, advisor_id="A001", signer=signer, customer_signature=None)
    assert refused.value.field == "customer_signature" and refused.value.code == "unsigned"


def test_the_signed_body_carries_the_write_up_and_every_verifier_refuses_it_edited(work, signer, tmp_path):
    """The extended body stays signed: changing the key tag or the diagnosis after signing fails verification."""
    visit = walk_in(work)
    work.run(walk_around.mark_damage, visit.visit_id, {"zone": "bonnet", "kind": "chip"})
    full_walk_around(work, visit)
    work.run(
        write_up.record_diagnosis, visit.visit_id, {"concern": "冷车抖动", "cause": "节气门脏", "correction": "清洗"}
    )
    signed = sign(work, signer, write(work, visit, key_tag="K-09").order_id).signed
    body = OrderVerifier(tmp_path / "keys").verify(signed)
    assert body["key_tag"] == "K-09" and body["pay_type"] == "customer" and body["customer_waits"] is True
    assert body["complaint"]["customer_words"] == "冷车启动怠速抖动" and body["complaint"]["cause"] == "节气门脏"
    walk = body["walk_around"]
    assert set(walk["covers"]) == {"seat", "steering_wheel", "floor"} and walk["vin_read"] == visit.vehicle["vin"]
    assert walk["damages"] == [{"zone": "bonnet", "kind": "chip", "note": ""}] and walk["fuel_eighths"] == 4
    assert walk["checks"]["brake_fluid"] == {"state": "attention", "note": "液位接近下限"}
    for field, value in (("key_tag", "K-10"), ("pay_type", "warranty")):
        tampered = {**signed, "order": {**signed["order"], field: value}}
        with pytest.raises(SignatureInvalid):
            OrderVerifier(tmp_path / "keys").verify(tampered)
    tampered = {**signed, "order": {**signed["order"], "complaint": {**signed["order"]["complaint"], "cause": "无"}}}
    with pytest.raises(SignatureInvalid):
        OrderVerifier(tmp_path / "keys").verify(tampered)


def test_nothing_on_the_sheet_changes_after_the_order_is_signed(work, signer):
    visit = walk_in(work)
    full_walk_around(work, visit)
    sign(work, signer, write(work, visit).order_id)
    with pytest.raises(DomainError) as refused:
        work.run(walk_around.mark_damage, visit.visit_id, {"zone": "roof", "kind": "dent"})
    assert refused.value.code == "order_signed"


def test_the_key_tag_is_released_when_billing_reports_the_car_delivered(work, signer, tmp_path):
    """R-RC-7: vehicle_delivered closes the visit; its key tag can go on the next car."""
    from tests.support.factories import make_delivered

    first = walk_in(work)
    full_walk_around(work, first)
    order = sign(work, signer, write(work, first, key_tag="K-02").order_id)
    delivered = service_work("reception", tmp_path, consumer="reception.close_visit")
    assert delivered.handle(
        wire_event(names.VEHICLE_DELIVERED, make_delivered(order_id=order.order_id)), write_up.close_visit
    )
    second = walk_in(work)
    full_walk_around(work, second)
    assert write(work, second, key_tag="K-02").draft["key_tag"] == "K-02"


def test_a_booked_car_is_found_by_its_plate_written_any_way_and_keeps_its_booked_advisor(work, tmp_path):
    """R-BK-5: the advisor who was booked receives the car."""
    from tests.support.factories import make_booking

    booking = make_booking(advisor_id="A002")
    payload = {
        "appointment_id": "ap-1",
        "visit_id": "v-1",
        "customer": booking["customer"],
        "vehicle": {**booking["vehicle"], "vin": booking["vin"]},
        "starts_at": booking["starts_at"],
        "advisor_id": "A002",
        "complaint": booking["complaint"],
    }
    arrivals = service_work("reception", tmp_path, consumer="reception.expect_arrival")
    arrivals.handle(wire_event(names.APPOINTMENT_BOOKED, payload), reception_arrivals.expect_arrival)
    plate = booking["vehicle"]["plate"]
    visit = work.run(reception_arrivals.check_in, {"plate": f" {plate[:2]}·{plate[2:].lower()} "}, actor_id="A001")
    assert (visit.visit_id, visit.advisor_id, visit.appointment_id) == ("v-1", "A002", "ap-1")


def test_fitting_the_covers_takes_the_car_onto_a_pre_inspection_bay(work):
    """R-RC-2 on a pre-inspection bay, R-RC-8: the car no longer waits in the pre-inspection area."""
    visit = walk_in(work)
    now = datetime.now(UTC)
    assert [w["visit_id"] for w in work.read(pre_inspection.pre_inspection_area, now)["waiting"]] == [visit.visit_id]
    with pytest.raises(DomainError) as refused:
        work.run(walk_around.fit_covers, visit.visit_id, {"seat": True, "customer_present": True, "bay": "P9"})
    assert refused.value.field == "bay"
    work.run(walk_around.fit_covers, visit.visit_id, {"seat": True, "customer_present": True, "bay": "P2"})
    assert work.read(pre_inspection.pre_inspection_area, now)["waiting"] == []
    assert work.read(reception_arrivals.visit, visit.visit_id)["pre_inspection_bay"] == "P2"
