"""The redelivery cases: one per subscription, each a real handler with the event it is delivered twice
(tests/integration/test_exactly_once.py runs them; tests/unit checks that every subscription has one)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contracts import names
from contracts.events import OrderSchema
from kit import sessions as kit_sessions
from kit.orders import OrderSigner, OrderVerifier
from services.billing import handlers as billing
from services.billing import seed as billing_seed
from services.booking import handlers as booking
from services.followup import seed as followup_seed
from services.followup.handlers import calls as followup
from services.followup.handlers import directory as followup_staff
from services.parts import handlers as parts
from services.parts import seed as parts_seed
from services.reception.handlers import arrivals as reception_arrivals
from services.reception.handlers import directory as reception_directory
from services.reception.handlers import notices as reception_notices
from services.reception.handlers import prices as reception_prices
from services.reception.handlers import write_up as reception_write_up
from services.workshop import handlers as workshop
from services.workshop import seed as workshop_seed
from services.workshop.handlers import capacity as workshop_planning
from tests.support.amendments import redelivery_cases
from tests.support.db import wire_event
from tests.support.factories import make_booking, make_delivered, make_order_body
from tests.support.floor_cases import floor_redelivery_cases


@dataclass
class Case:
    service: str
    handler: Callable
    prepare: Callable  # (work, tmp_path) -> (event, extra args)


def booked_payload(**overrides):
    raw = make_booking()
    payload = {
        "appointment_id": str(uuid.uuid4()),
        "visit_id": str(uuid.uuid4()),
        "customer": raw["customer"],
        "vehicle": {**raw["vehicle"], "vin": raw["vin"]},
        "starts_at": datetime.now(UTC) + timedelta(days=1),
        "advisor_id": "A001",
        "complaint": raw["complaint"],
        "planned_labour": raw["planned_labour"],
        "planned_parts": raw["planned_parts"],
    }
    payload.update(overrides)
    return payload


def signed(tmp_path, **overrides):
    body = OrderSchema().load(make_order_body(**overrides))
    return OrderSigner(tmp_path / "keys").sign(body), OrderVerifier(tmp_path / "keys").verify


def booked_appointment(work):
    cmd = make_booking()
    cmd["vehicle"]["vin"] = cmd.pop("vin")
    cmd["starts_at"] = datetime.fromisoformat(cmd["starts_at"])
    return work.run(booking.book_appointment, cmd)


def prepare_parts_reserved(work, tmp_path):
    appointment = booked_appointment(work)
    return wire_event(
        names.PARTS_RESERVED,
        {"appointment_id": appointment.appointment_id, "reserved": [{"part_no": "P-OIL-5W30", "quantity": "1"}]},
    ), ()


def prepare_parts_short(work, tmp_path):
    appointment = booked_appointment(work)
    return wire_event(
        names.PARTS_SHORT,
        {
            "appointment_id": appointment.appointment_id,
            "reserved": [],
            "short": [{"part_no": "P-DISC-F", "quantity_short": "2", "expected_on": datetime.now(UTC).date()}],
        },
    ), ()


def prepare_staff_record(work, tmp_path):
    record = {"staff_id": "A001", "name": "李明", "department": "service", "roles": ["service_advisor"], "active": True}
    return wire_event(names.STAFF_REGISTERED, record, correlation_id="staff:A001"), ()


def prepare_staff_changed(work, tmp_path):
    record = {"staff_id": "A001", "name": "李明亮", "department": "service", "roles": ["service_advisor"]}
    return wire_event(names.STAFF_CHANGED, {**record, "active": True, "change": "details"}, "staff:A001"), ()


def prepare_caller_registered(work, tmp_path):
    record = {"staff_id": "F009", "name": "林娜", "department": "customer_care", "roles": ["followup_agent"]}
    return wire_event(names.STAFF_REGISTERED, {**record, "active": True}, correlation_id="staff:F009"), ()


def prepare_caller_became_advisor(work, tmp_path):
    """R-FU-2: an assistant holding a call becomes an advisor: the call moves to another caller, once."""
    followup_seed.reference_data(work)
    for n in range(3):  # F001, F002 and S001 (the least loaded first) hold one call each
        delivered = make_delivered(advisor_id="A001", order_id=f"o-{n}-{uuid.uuid4()}", invoice_id=f"i-{n}")
        work.handle(wire_event(names.VEHICLE_DELIVERED, delivered), followup.schedule_call)
    record = {"staff_id": "S001", "name": "郑洁", "department": "front_desk", "roles": ["service_advisor"]}
    return wire_event(names.STAFF_CHANGED, {**record, "active": True, "change": "roles"}, "staff:S001"), ()


def prepare_ready_notice(work, tmp_path):
    """R-PN-1: the ready-for-pick-up notice is queued once (inbox and notice key)."""
    from tests.support.reception_orders import store_signed_order

    customer = {"name": "王先生", "mobile": "13912345678", "email": "wang@example.com"}
    body = store_signed_order(work, OrderSigner(tmp_path / "keys"), customer=customer)
    ready = {
        "order_id": body["order_id"],
        "order_version": 1,
        "jobs_done": [],
        "parts_used": [],
        "inspector_id": "Q001",
        "ready_at": datetime.now(UTC),
    }
    return wire_event(names.VEHICLE_READY, ready, body["visit_id"]), ()


def prepare_work_started_notice(work, tmp_path):
    from tests.support.reception_orders import store_signed_order

    customer = {"name": "王先生", "mobile": "13912345678", "email": "wang@example.com"}
    body = store_signed_order(work, OrderSigner(tmp_path / "keys"), customer=customer)
    started = {"order_id": body["order_id"], "order_version": 1, "technician_id": "T001"}
    started["started_at"] = datetime.now(UTC)
    return wire_event(names.WORK_STARTED, started, body["visit_id"]), ()


def prepare_price_list(work, tmp_path):
    return wire_event(names.PRICE_LIST_PUBLISHED, billing_seed.PRICE_LIST), ()


def prepare_appointment_booked(work, tmp_path):
    return wire_event(names.APPOINTMENT_BOOKED, booked_payload()), ()


def prepare_parts_reservation(work, tmp_path):
    parts_seed.reference_data(work)
    return wire_event(names.APPOINTMENT_BOOKED, booked_payload()), ()


def prepare_workshop_order(work, tmp_path):
    order, verify = signed(tmp_path)
    return wire_event(names.ORDER_SIGNED, order), (verify,)


def prepare_workshop_parts_issued(work, tmp_path):
    workshop_seed.reference_data(work)
    order, verify = signed(tmp_path)
    work.handle(wire_event(names.ORDER_SIGNED, order), workshop.take_signed_order, verify)
    return wire_event(
        names.PARTS_ISSUED,
        {
            "request_id": "r1",
            "order_id": order["order"]["order_id"],
            "order_version": 1,
            "lines": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1", "from_location": "MAIN"}],
        },
    ), ()


def prepare_parts_request(work, tmp_path):
    parts_seed.reference_data(work)
    order, verify = signed(tmp_path)
    return wire_event(
        names.PARTS_REQUESTED,
        {
            "request_id": "r1",
            "signed_order": order,
            "technician_id": "T001",
            "lines": [{"line_no": 2, "quantity": "1"}],
        },
    ), (verify,)


def prepare_billing_quote(work, tmp_path):
    billing_seed.reference_data(work)
    order, verify = signed(tmp_path)
    return wire_event(names.ORDER_SIGNED, order), (verify,)


def prepare_billing_parts_issued(work, tmp_path):
    return wire_event(
        names.PARTS_ISSUED,
        {
            "request_id": "r1",
            "order_id": "o1",
            "order_version": 1,
            "lines": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1", "from_location": "MAIN"}],
        },
    ), ()


def prepare_billing_parts_returned(work, tmp_path):
    event, extra = prepare_billing_parts_issued(work, tmp_path)
    work.handle(event, billing.record_parts_issued)
    return wire_event(
        names.PARTS_RETURNED,
        {
            "return_id": "ret1",
            "order_id": "o1",
            "order_version": 1,
            "returned_at": "2026-12-01T08:00:00+00:00",
            "lines": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1"}],
        },
    ), ()


def prepare_billing_ready(work, tmp_path):
    billing_seed.reference_data(work)
    order, verify = signed(tmp_path)
    work.handle(wire_event(names.ORDER_SIGNED, order), billing.record_signed_order, verify)
    order_id = order["order"]["order_id"]
    work.handle(
        wire_event(
            names.PARTS_ISSUED,
            {
                "request_id": "r1",
                "order_id": order_id,
                "order_version": 1,
                "lines": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1", "from_location": "MAIN"}],
            },
        ),
        billing.record_parts_issued,
    )
    return wire_event(
        names.VEHICLE_READY,
        {
            "order_id": order_id,
            "order_version": 1,
            "jobs_done": [{"line_no": 1, "code": "LAB-OIL", "hours": "0.5", "technician_id": "T001"}],
            "parts_used": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1"}],
            "inspector_id": "Q001",
            "ready_at": datetime.now(UTC),
        },
    ), ()


def prepare_delivered(work, tmp_path):
    followup_seed.reference_data(work)
    return wire_event(names.VEHICLE_DELIVERED, make_delivered()), ()


def cancelled_after_booking(work, handler, **cancel):
    """An appointment the consumer already took in with `handler`, then its cancellation."""
    booked = booked_payload()
    work.handle(wire_event(names.APPOINTMENT_BOOKED, booked), handler)
    payload = {"appointment_id": booked["appointment_id"], "visit_id": booked["visit_id"], **cancel}
    return wire_event(names.APPOINTMENT_CANCELLED, payload), ()


def prepare_cancelled_shelf(work, tmp_path):
    parts_seed.reference_data(work)
    return cancelled_after_booking(work, parts.reserve_for_appointment, reason="客户改期", by_dealership=False)


def prepare_cancelled_arrival(work, tmp_path):
    return cancelled_after_booking(work, reception_arrivals.expect_arrival, reason="", by_dealership=True)


def moved_after_booking(work, handler, event_type):
    """An appointment the consumer already took in with `handler`, then its reschedule or no-show."""
    booked = booked_payload()
    work.handle(wire_event(names.APPOINTMENT_BOOKED, booked), handler)
    payload = {"appointment_id": booked["appointment_id"], "visit_id": booked["visit_id"]}
    if event_type == names.APPOINTMENT_RESCHEDULED:
        payload |= {
            "starts_at": booked["starts_at"] + timedelta(days=1),
            "previous_starts_at": booked["starts_at"],
            "advisor_id": "A002",
            "reason": "客户出差",
            "by_dealership": False,
        }
    else:
        payload |= {"starts_at": booked["starts_at"]}
    return wire_event(event_type, payload), ()


def prepare_rescheduled_shelf(work, tmp_path):
    parts_seed.reference_data(work)
    return moved_after_booking(work, parts.reserve_for_appointment, names.APPOINTMENT_RESCHEDULED)


def prepare_no_show_shelf(work, tmp_path):
    parts_seed.reference_data(work)
    return moved_after_booking(work, parts.reserve_for_appointment, names.APPOINTMENT_NO_SHOW)


def prepare_rescheduled_arrival(work, tmp_path):
    return moved_after_booking(work, reception_arrivals.expect_arrival, names.APPOINTMENT_RESCHEDULED)


def prepare_no_show_arrival(work, tmp_path):
    return moved_after_booking(work, reception_arrivals.expect_arrival, names.APPOINTMENT_NO_SHOW)


def prepare_capacity_booked(work, tmp_path):
    workshop_seed.reference_data(work)
    return wire_event(names.APPOINTMENT_BOOKED, booked_payload()), ()


def prepare_capacity_rescheduled(work, tmp_path):
    workshop_seed.reference_data(work)
    booked = booked_payload()
    work.handle(wire_event(names.APPOINTMENT_BOOKED, booked), workshop_planning.confirm_booked)
    moved = {
        "appointment_id": booked["appointment_id"],
        "visit_id": booked["visit_id"],
        "starts_at": booked["starts_at"] + timedelta(days=1),
        "previous_starts_at": booked["starts_at"],
        "advisor_id": "A001",
        "by_dealership": False,
    }
    return wire_event(names.APPOINTMENT_RESCHEDULED, moved), ()


def prepare_capacity_released(event_type):
    def prepare(work, tmp_path):
        workshop_seed.reference_data(work)
        booked = booked_payload()
        work.handle(wire_event(names.APPOINTMENT_BOOKED, booked), workshop_planning.confirm_booked)
        payload = {"appointment_id": booked["appointment_id"], "visit_id": booked["visit_id"]}
        if event_type == names.APPOINTMENT_CANCELLED:
            payload.update(reason="客户改期", by_dealership=False)
        else:
            payload.update(starts_at=booked["starts_at"])
        return wire_event(event_type, payload), ()

    return prepare


def prepare_service_history(work, tmp_path):
    return wire_event(names.VEHICLE_DELIVERED, make_delivered(mileage_km=35210, labour_codes=["LAB-OIL"])), ()


def prepare_delivered_visit(work, tmp_path):
    """Reception: a signed order whose car holds key tag K-1 (R-RC-7), then its vehicle_delivered."""
    from services.reception.models import Order, WriteUp
    from tests.support.factories import make_mobile, make_plate, make_vin

    walk_in = {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
        "advisor_id": "A001",
    }
    visit = work.run(reception_arrivals.check_in, walk_in, actor_id="A001")

    def signed_with_key_tag(uow):
        now = uow.clock()
        uow.session.add(
            Order(order_id="o-1", visit_id=visit.visit_id, status="signed", draft={}, signed_version=1, updated_at=now)
        )
        uow.session.add(
            WriteUp(
                visit_id=visit.visit_id,
                customer_words="",
                concern="",
                cause="",
                correction="",
                symptom_codes=[],
                jobs=[],
                pay_type="customer",
                key_tag="K-1",
                open_key_tag="K-1",
                updated_at=now,
            )
        )

    work.run(signed_with_key_tag)
    return wire_event(names.VEHICLE_DELIVERED, make_delivered(order_id="o-1")), ()


CASES = {
    "booking.parts_reserved": Case("booking", booking.note_parts_reserved, prepare_parts_reserved),
    "booking.parts_short": Case("booking", booking.note_parts_short, prepare_parts_short),
    "booking.service_history": Case("booking", booking.record_service, prepare_service_history),
    "booking.take_price_list": Case("booking", booking.take_price_list, prepare_price_list),
    "parts.move_shelf": Case("parts", parts.move_for_rescheduled, prepare_rescheduled_shelf),
    "parts.release_shelf_no_show": Case("parts", parts.release_for_no_show, prepare_no_show_shelf),
    "reception.move_arrival": Case("reception", reception_arrivals.move_arrival, prepare_rescheduled_arrival),
    "reception.drop_arrival": Case("reception", reception_arrivals.drop_arrival, prepare_no_show_arrival),
    "reception.take_price_list": Case("reception", reception_prices.take_price_list, prepare_price_list),
    "reception.expect_arrival": Case("reception", reception_arrivals.expect_arrival, prepare_appointment_booked),
    "workshop.take_signed_order": Case("workshop", workshop.take_signed_order, prepare_workshop_order),
    "workshop.take_parts_issued": Case("workshop", workshop.take_parts_issued, prepare_workshop_parts_issued),
    "parts.reserve_on_shelf": Case("parts", parts.reserve_for_appointment, prepare_parts_reservation),
    "parts.release_shelf": Case("parts", parts.release_for_cancelled, prepare_cancelled_shelf),
    "reception.forget_arrival": Case("reception", reception_arrivals.forget_arrival, prepare_cancelled_arrival),
    "reception.close_visit": Case("reception", reception_write_up.close_visit, prepare_delivered_visit),
    "parts.issue_parts": Case("parts", parts.issue_against_order, prepare_parts_request),
    "billing.take_signed_quote": Case("billing", billing.record_signed_order, prepare_billing_quote),
    "billing.take_parts_issued": Case("billing", billing.record_parts_issued, prepare_billing_parts_issued),
    "billing.take_vehicle_ready": Case("billing", billing.record_vehicle_ready, prepare_billing_ready),
    "billing.take_parts_returned": Case("billing", billing.record_parts_returned, prepare_billing_parts_returned),
    "followup.schedule_call": Case("followup", followup.schedule_call, prepare_delivered),
    "followup.take_staff_registered": Case("followup", followup_staff.take_staff_record, prepare_caller_registered),
    "followup.take_staff_changed": Case("followup", followup_staff.take_staff_record, prepare_caller_became_advisor),
    "reception.take_staff_registered": Case("reception", reception_directory.take_staff_record, prepare_staff_record),
    "reception.take_staff_changed": Case("reception", reception_directory.take_staff_record, prepare_staff_changed),
    "reception.tell_ready": Case("reception", reception_notices.vehicle_ready, prepare_ready_notice),
    "workshop.take_standard_hours": Case("workshop", workshop_planning.take_price_list, prepare_price_list),
    "workshop.confirm_capacity": Case("workshop", workshop_planning.confirm_booked, prepare_capacity_booked),
    "workshop.move_capacity": Case("workshop", workshop_planning.move_rescheduled, prepare_capacity_rescheduled),
    "workshop.release_cancelled": Case(
        "workshop", workshop_planning.release_for_event, prepare_capacity_released(names.APPOINTMENT_CANCELLED)
    ),
    "workshop.release_no_show": Case(
        "workshop", workshop_planning.release_for_event, prepare_capacity_released(names.APPOINTMENT_NO_SHOW)
    ),
    "reception.tell_work_started": Case("reception", reception_notices.started, prepare_work_started_notice),
}
CASES.update({name: Case(*case) for name, case in redelivery_cases().items()})  # R-WS-3 amendments
CASES.update({name: Case(*case) for name, case in floor_redelivery_cases().items()})  # the workshop floor


def prepare_sessions_revoked(work, tmp_path):
    """Every service hears which sessions have ended (kit.sessions): recorded once, refused from then on."""
    payload = {"staff_id": "A001", "session_id": None, "before": datetime.now(UTC), "reason": "roles"}
    return wire_event(names.SESSIONS_REVOKED, payload, correlation_id="staff:A001"), ()


CASES.update(
    {
        f"{service}.end_sessions": Case(service, kit_sessions.take_revocation, prepare_sessions_revoked)
        for service in names.SERVICES
    }
)


def prepare_old_parts_decided(work, tmp_path):
    """R-BL-3: an old part kept for a warranty claim goes into quarantine once, however often it is delivered."""
    parts_seed.reference_data(work)
    return wire_event(
        names.OLD_PARTS_DECIDED,
        {
            "order_id": "o-1",
            "decided_by": "C001",
            "decided_at": "2026-12-07T08:00:00+00:00",
            "parts": [{"line_no": 3, "part_no": "P-PAD-F", "quantity": "2", "fate": "kept_for_warranty"}],
        },
    ), ()


CASES["parts.take_old_parts"] = Case("parts", parts.record_old_parts, prepare_old_parts_decided)
CASES["parts.take_price_list"] = Case("parts", parts.take_price_list, prepare_price_list)
