"""Message contracts: one envelope, one payload schema per (event type, version), checked both ways."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from contracts import names
from contracts.events import EVENTS
from contracts.registry import ContractError, all_json_schemas, build_message, json_schema, load_message

VIN = "LSVAM4187C2184847"
CUSTOMER = {"name": "王先生", "mobile": "13912345678"}
VEHICLE = {"vin": VIN, "plate": "沪A12345", "model": "帕萨特"}
AT = "2026-11-28T02:00:00+00:00"
STAFF = {"staff_id": "F001", "name": "李丽", "department": "followup", "roles": ["agent"], "active": True}

ORDER_BODY = {
    "order_id": "O-1",
    "version": 1,
    "visit_id": "V-1",
    "dealer_id": "demo-4s",
    "appointment_id": None,
    "customer": CUSTOMER,
    "vehicle": VEHICLE,
    "mileage_km": 35210,
    "advisor_id": "A001",
    "price_list_version": "2026.11-1",
    "lines": [
        {
            "line_no": 1,
            "kind": "labour",
            "code": "LAB-OIL",
            "description": "更换机油",
            "quantity": "0.5",
            "unit_price": "300.00",
            "amount": "150.00",
        },
    ],
    "subtotal": "150.00",
    "vat_rate": "0.13",
    "vat": "19.50",
    "total": "169.50",
    "promised_at": AT,
    "customer_signature_sha256": "a" * 64,
    "signed_at": AT,
}
SIGNED_ORDER = {"order": ORDER_BODY, "signature": "c2lnbmF0dXJl", "key_id": "0123456789abcdef"}

# One valid sample payload per event type (JSON form, as it travels).
SAMPLES: dict[str, dict] = {
    names.PARTS_BACKORDERED: {
        "backorder_id": "BO-1",
        "purchase_order_id": "PO-1",
        "order_id": "RO-1",
        "request_id": "PR-1",
        "lines": [{"part_no": "15400-RTA-003", "quantity": "1", "expected_on": "2026-03-04", "line_no": 2}],
    },
    names.PARTS_RECEIVED: {
        "receipt_id": "GR-1",
        "purchase_order_ids": ["PO-1"],
        "received_at": "2026-03-04T02:00:00+00:00",
        "allocated": [{"backorder_id": "BO-1", "part_no": "15400-RTA-003", "quantity": "1", "order_id": "RO-1"}],
    },
    names.PARTS_RETURNED: {
        "return_id": "RT-1",
        "order_id": "RO-1",
        "order_version": 1,
        "returned_at": "2026-03-04T02:00:00+00:00",
        "lines": [{"line_no": 2, "part_no": "15400-RTA-003", "quantity": "1"}],
    },
    names.QC_FAILED: {
        "order_id": "RO-1",
        "order_version": 1,
        "inspector_id": "Q001",
        "failed_at": "2026-03-04T02:00:00+00:00",
        "non_conformances": [{"line_no": 1, "item": "torque", "cause": "wheel nut loose", "technician_id": "T001"}],
    },
    names.ORDER_AT_RISK: {
        "order_id": "RO-1",
        "promised_at": "2026-03-04T08:00:00+00:00",
        "forecast_at": "2026-03-04T09:30:00+00:00",
        "reason": "waiting_parts",
    },
    names.OLD_PARTS_DECIDED: {
        "order_id": "RO-1",
        "decided_by": "A001",
        "decided_at": "2026-03-04T09:30:00+00:00",
        "parts": [{"line_no": 2, "part_no": "15400-RTA-003", "quantity": "1", "fate": "scrapped"}],
    },
    names.PRE_INSPECTION_CONGESTED: {
        "incident_id": 1,
        "cause": "queue",
        "waiting": 4,
        "longest_wait_seconds": 300,
        "actions": ["temporary_park_with_ticket"],
    },
    names.APPOINTMENT_CANCELLED: {
        "appointment_id": "AP-1",
        "visit_id": "V-1",
        "reason": "客户改期",
        "by_dealership": False,
    },
    names.APPOINTMENT_RESCHEDULED: {
        "appointment_id": "AP-1",
        "visit_id": "V-1",
        "starts_at": "2026-12-01T02:00:00Z",
        "previous_starts_at": "2026-11-30T01:00:00Z",
        "advisor_id": "A001",
        "reason": "客户出差",
        "by_dealership": False,
    },
    names.APPOINTMENT_NO_SHOW: {"appointment_id": "AP-1", "visit_id": "V-1", "starts_at": "2026-11-30T01:00:00Z"},
    names.CONFIRMATION_ESCALATED: {
        "task_id": "CT-1",
        "appointment_id": "AP-1",
        "visit_id": "V-1",
        "kind": "hour_before",
        "starts_at": "2026-12-01T01:00:00Z",
        "answer_by": "2026-12-01T00:30:00Z",
        "advisor_id": "A001",
        "attempts": 1,
    },
    names.APPOINTMENT_BOOKED: {
        "appointment_id": "AP-1",
        "visit_id": "V-1",
        "customer": CUSTOMER,
        "vehicle": VEHICLE,
        "starts_at": AT,
        "advisor_id": "A001",
        "complaint": "冷车启动怠速抖动",
        "planned_labour": ["LAB-THROTTLE"],
        "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": "1"}],
    },
    names.PARTS_RESERVED: {
        "appointment_id": "AP-1",
        "reserved": [{"part_no": "P-OIL-5W30", "quantity": "1"}],
    },
    names.PARTS_SHORT: {
        "appointment_id": "AP-1",
        "reserved": [],
        "short": [{"part_no": "P-PAD", "quantity_short": "2", "expected_on": "2026-12-01"}],
    },
    names.PRICE_LIST_PUBLISHED: {
        "version": "2026.11-1",
        "effective_from": AT,
        "labour_rate": "300.00",
        "vat_rate": "0.13",
        "labour_operations": [{"code": "LAB-OIL", "name": "更换机油", "standard_hours": "0.5"}],
        "parts": [{"part_no": "P-OIL-5W30", "name": "机油", "unit_price": "268.00"}],
    },
    names.ORDER_SIGNED: SIGNED_ORDER,
    names.ORDER_AMENDED: {  # R-WS-3
        "amendment_id": "AM-1",
        "signed_order": {**SIGNED_ORDER, "order": {**ORDER_BODY, "version": 2}},
        "version": 2,
        "previous_version": 1,
        "previous_sha256": "b" * 64,
        "request_id": "AW-1",
    },
    names.ADDITIONAL_WORK_DECLINED: {  # R-WS-3
        "request_id": "AW-1",
        "order_id": "O-1",
        "amendment_id": "AM-1",
        "order_version": 1,
        "declined": [{"kind": "labour", "code": "LAB-ALIGN", "description": "四轮定位"}],
        "consent": {"method": "phone", "at": AT, "staff_id": "A001", "customer_words": "这次都不做"},
    },
    names.ADDITIONAL_WORK_REQUESTED: {  # R-WS-3
        "request_id": "AW-1",
        "order_id": "O-1",
        "order_version": 1,
        "visit_id": "V-1",
        "plate": "沪A12345",
        "reported_by": "T001",
        "reported_at": AT,
        "reason": "前刹车片磨损至极限",
        "lines": [{"kind": "labour", "code": "LAB-BRAKE-F"}, {"kind": "part", "code": "P-PAD-F", "quantity": "1"}],
    },
    names.PARTS_REQUESTED: {
        "request_id": "R-1",
        "signed_order": SIGNED_ORDER,
        "technician_id": "T001",
        "lines": [{"line_no": 2, "quantity": "1"}],
    },
    names.PARTS_ISSUED: {
        "request_id": "R-1",
        "order_id": "O-1",
        "order_version": 1,
        "lines": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1", "from_location": "SHELF"}],
    },
    names.PARTS_ISSUE_REFUSED: {
        "request_id": "R-1",
        "order_id": "O-1",
        "lines": [{"line_no": 9, "reason": "签字委托书上没有该备件行"}],
    },
    names.WORK_STARTED: {
        "order_id": "O-1",
        "order_version": 1,
        "technician_id": "T001",
        "bay_id": "B1",
        "started_at": AT,
    },
    names.VEHICLE_READY: {
        "order_id": "O-1",
        "order_version": 1,
        "jobs_done": [{"line_no": 1, "code": "LAB-OIL", "hours": "0.5", "technician_id": "T001"}],
        "parts_used": [{"line_no": 2, "part_no": "P-OIL-5W30", "quantity": "1"}],
        "inspector_id": "Q001",
        "ready_at": AT,
    },
    names.INVOICE_BLOCKED: {"invoice_id": "I-1", "order_id": "O-1", "reasons": ["第3行 单价不符"]},
    names.VEHICLE_DELIVERED: {
        "invoice_id": "I-1",
        "order_id": "O-1",
        "advisor_id": "A001",
        "customer": CUSTOMER,
        "vehicle": VEHICLE,
        "total": "169.50",
        "delivered_at": AT,
    },
    names.FOLLOWUP_SCHEDULED: {
        "call_id": "C-1",
        "order_id": "O-1",
        "assigned_to": "F001",
        "due_from": "2026-11-30T02:00:00+00:00",
        "due_by": "2026-12-03T02:00:00+00:00",
    },
    names.STAFF_REGISTERED: STAFF,
    names.STAFF_CHANGED: {**STAFF, "change": "roles"},
    names.FOLLOWUP_OVERDUE: {
        "call_id": "C-1",
        "order_id": "O-1",
        "assigned_to": "F001",
        "deadline": "2026-12-07T02:00:00Z",
    },
    names.FOLLOWUP_CALL_RECORDED: {
        "call_id": "C-1",
        "order_id": "O-1",
        "outcome": "satisfied",
        "scores": {"booking": 5, "workshop": 4},
        "called_by": "F001",
        "recorded_at": "2026-12-03T02:00:00Z",
    },
    names.COMPLAINT_OPENED: {
        "complaint_id": "K-1",
        "order_id": "O-1",
        "cause": "workmanship",
        "department": "workshop",
        "manager_id": "D001",
        "opened_at": "2026-12-03T02:00:00Z",
        "recontact_by": "2026-12-04T02:00:00Z",
    },
    names.COMPLAINT_ESCALATED: {
        "complaint_id": "K-1",
        "order_id": "O-1",
        "cause": "workmanship",
        "manager_id": "D001",
        "escalated_to": "M001",
        "recontact_by": "2026-12-04T02:00:00Z",
    },
    names.COMPLAINT_CLOSED: {
        "complaint_id": "K-1",
        "order_id": "O-1",
        "cause": "workmanship",
        "closed_at": "2026-12-05T02:00:00Z",
    },
    names.SESSIONS_REVOKED: {"staff_id": "F001", "session_id": None, "before": AT, "reason": "roles"},
}


def message(event_type: str = names.PARTS_RESERVED, payload: dict | None = None, **overrides) -> dict:
    """A built message in its JSON form, as a consumer receives it."""
    version = overrides.pop("version", 1)
    producer = overrides.pop("producer", None) or EVENTS[(event_type, version)][0]
    built = build_message(
        event_type=event_type,
        payload=payload if payload is not None else SAMPLES[event_type],
        producer=producer,
        dealer_id="demo-4s",
        correlation_id="V-1",
        version=version,
        **overrides,
    )
    return json.loads(json.dumps(built))


def test_there_is_one_sample_payload_per_event_type():
    assert set(SAMPLES) == {etype for etype, _version in EVENTS}


@pytest.mark.parametrize(("event_type", "version"), sorted(EVENTS))
def test_every_event_round_trips_through_build_and_load(event_type, version):
    producer, schema_cls = EVENTS[(event_type, version)]
    sent = message(event_type, actor_id="A001", causation_id="E-0")
    got = load_message(sent, expected_type=event_type)
    assert (got.event_type, got.schema_version, got.producer) == (event_type, version, producer)
    assert (got.dealer_id, got.correlation_id, got.causation_id, got.actor_id) == (
        "demo-4s",
        "V-1",
        "E-0",
        "A001",
    )
    assert uuid.UUID(got.event_id)
    assert got.occurred_at.utcoffset().total_seconds() == 0
    assert got.payload == schema_cls().load(SAMPLES[event_type])
    assert got.raw_payload == sent["payload"]
    assert schema_cls().dump(got.payload) == sent["payload"]


def test_money_and_quantities_travel_as_decimal_strings_and_load_as_decimals():
    from decimal import Decimal

    sent = message(names.VEHICLE_DELIVERED)
    assert sent["payload"]["total"] == "169.50"
    assert load_message(sent).payload["total"] == Decimal("169.50")


def test_a_message_of_an_unknown_schema_version_is_refused():
    sent = message()
    sent["schema_version"] = 99
    with pytest.raises(ContractError, match="version 99"):
        load_message(sent)


def test_building_an_unknown_schema_version_is_refused():
    with pytest.raises(ContractError, match="version 2"):
        message(names.PARTS_RESERVED, version=2, producer=names.PARTS)


def test_an_unknown_event_type_is_refused():
    sent = message()
    sent["event_type"] = "car_teleported"
    with pytest.raises(ContractError, match="car_teleported"):
        load_message(sent)


def test_building_an_event_from_the_wrong_producer_is_refused():
    with pytest.raises(ContractError, match="produced by parts, not billing"):
        message(names.PARTS_RESERVED, producer=names.BILLING)


def test_loading_an_event_from_the_wrong_producer_is_refused():
    sent = message()
    sent["producer"] = names.BILLING
    with pytest.raises(ContractError, match="unexpected producer 'billing'"):
        load_message(sent)


def test_a_message_of_another_type_than_expected_is_refused():
    with pytest.raises(ContractError, match="expected parts_short, got parts_reserved"):
        load_message(message(), expected_type=names.PARTS_SHORT)


@pytest.mark.parametrize("occurred_at", ["2026-11-28T10:00:00+08:00", "2026-11-28T02:00:00"])
def test_an_occurred_at_that_is_not_utc_is_refused(occurred_at):
    sent = message()
    sent["occurred_at"] = occurred_at
    with pytest.raises(ContractError, match="occurred_at"):
        load_message(sent)


def test_a_payload_missing_a_required_field_is_refused_on_load_naming_it():
    sent = message()
    del sent["payload"]["appointment_id"]
    with pytest.raises(ContractError, match="appointment_id"):
        load_message(sent)


def test_a_payload_missing_a_required_field_is_refused_on_build_naming_it():
    payload = {k: v for k, v in SAMPLES[names.VEHICLE_DELIVERED].items() if k != "delivered_at"}
    with pytest.raises(ContractError, match="delivered_at"):
        message(names.VEHICLE_DELIVERED, payload)


def test_building_a_payload_with_a_malformed_amount_is_refused_naming_it():
    payload = {**SAMPLES[names.VEHICLE_DELIVERED], "total": "abc"}
    with pytest.raises(ContractError, match="total"):
        message(names.VEHICLE_DELIVERED, payload)


@pytest.mark.parametrize("body", [[], "a string", None, 42])
def test_a_body_that_is_not_a_json_object_is_refused(body):
    with pytest.raises(ContractError, match="not a JSON object"):
        load_message(body)


def test_an_envelope_missing_its_correlation_id_is_refused_naming_it():
    sent = message()
    del sent["correlation_id"]
    with pytest.raises(ContractError, match="correlation_id"):
        load_message(sent)


@pytest.mark.parametrize(("event_type", "version"), sorted(EVENTS))
def test_the_json_schema_of_every_event_describes_its_envelope_and_payload(event_type, version):
    _producer, schema_cls = EVENTS[(event_type, version)]
    schema = json_schema(event_type, version)
    assert schema["$id"] == f"urn:aftersales:event:{event_type}:v{version}"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["event_type"] == {"const": event_type}
    assert schema["properties"]["schema_version"] == {"const": version}
    assert "payload" in schema["required"] and "occurred_at" in schema["required"]
    payload = schema["properties"]["payload"]
    fields = schema_cls().fields
    assert set(payload["properties"]) == set(fields)
    assert payload["required"] == sorted(name for name, f in fields.items() if f.required)


def test_the_json_schema_describes_money_as_a_decimal_string_and_nested_objects():
    payload = json_schema(names.VEHICLE_DELIVERED, 1)["properties"]["payload"]
    assert payload["properties"]["total"]["type"] == "string"
    assert payload["properties"]["total"]["pattern"] == r"^-?\d+(\.\d+)?$"
    assert payload["properties"]["customer"]["required"] == ["mobile", "name"]


def test_all_json_schemas_covers_every_event_type_and_version():
    schemas = all_json_schemas()
    assert set(schemas) == {f"{etype}.v{version}" for etype, version in EVENTS}
    assert all(s["$id"].endswith(name.replace(".v", ":v")) for name, s in schemas.items())


# followup_call_recorded (R-FU-4, R-FU-6): a call's outcome and its 1-5 scores per department, for HQ


def call_recorded(**changes) -> dict:
    return {**SAMPLES[names.FOLLOWUP_CALL_RECORDED], **changes}


@pytest.mark.parametrize(
    "payload",
    [
        call_recorded(),
        call_recorded(outcome="complaint", scores={"booking": 1, "reception": 2, "workshop": 3, "settlement": 5}),
        call_recorded(scores={}),  # a reached customer who gave no score
        call_recorded(outcome="unreachable", scores={}),
        {k: v for k, v in call_recorded(outcome="call_back").items() if k != "scores"},  # scores absent: none
    ],
    ids=["some-departments", "every-department", "no-score", "unreachable", "call-back-without-scores"],
)
def test_a_recorded_call_with_its_outcome_and_any_departments_scores_loads(payload):
    got = load_message(message(names.FOLLOWUP_CALL_RECORDED, payload))
    assert got.payload["outcome"] == payload["outcome"]
    assert got.payload["scores"] == payload.get("scores", {})


# each refused on load (what a consumer, HQ's stream reader included, checks); those marked also on build (a
# producer's dump turns "4" into 4 and drops a key its contract does not know, so those two cannot leave wrong)
@pytest.mark.parametrize(
    ("payload", "named", "on_build"),
    [
        (call_recorded(scores={"workshop": 6}), "workshop", True),
        (call_recorded(scores={"workshop": 0}), "workshop", True),
        (call_recorded(scores={"workshop": "4"}), "workshop", False),
        (call_recorded(scores={"parts": 3}), "parts", False),  # not a department the script scores
        (call_recorded(outcome="happy"), "outcome", True),
        (call_recorded(outcome="unreachable", scores={"workshop": 4}), "scores", True),  # scored, not reached
        (call_recorded(recorded_at="2026-12-03T10:00:00"), "recorded_at", True),  # no time zone
        ({k: v for k, v in call_recorded().items() if k != "called_by"}, "called_by", True),
        (call_recorded(words="王先生说发动机有异响"), "words", False),  # not in the contract
    ],
    ids=[
        "above-5",
        "below-1",
        "a-string",
        "unknown-department",
        "unknown-outcome",
        "unreached-with-scores",
        "naive-time",
        "no-agent",
        "the-customers-words",
    ],
)
def test_a_recorded_call_breaking_its_contract_is_refused_naming_the_field(payload, named, on_build):
    sent = message(names.FOLLOWUP_CALL_RECORDED, call_recorded())
    sent["payload"] = json.loads(json.dumps(payload))
    with pytest.raises(ContractError, match=named):
        load_message(sent)
    if on_build:
        with pytest.raises(ContractError, match=named):
            message(names.FOLLOWUP_CALL_RECORDED, payload)


def test_a_recorded_call_carries_no_words_answers_or_customer():
    """Issue 14, item 5: free text the customer said may hold personal data; it stays in the store. A producer
    that passes it along is refused (a payload in its JSON form) or sends without it (Python values: the dump
    keeps the contract's fields only)."""
    fields = set(EVENTS[(names.FOLLOWUP_CALL_RECORDED, 1)][1]().fields)
    assert fields == {"call_id", "order_id", "outcome", "scores", "called_by", "recorded_at"}
    extra = {"words": "王先生说13912345678", "answers": {"since_service": "好"}, "customer": CUSTOMER}
    with pytest.raises(ContractError, match="words"):
        message(names.FOLLOWUP_CALL_RECORDED, call_recorded(**extra))
    at = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
    sent = message(names.FOLLOWUP_CALL_RECORDED, call_recorded(recorded_at=at, **extra))
    assert set(sent["payload"]) == fields and sent["payload"]["recorded_at"] == at.isoformat()
    assert "13912345678" not in json.dumps(sent, ensure_ascii=False)
