"""Follow-up's use cases on a real migrated schema: the call task and its caller on every path (R-FU-1, R-FU-2),
the call with its complaint and the 24-hour clock (R-FU-3..5), the retry ladder's SMS, the monthly report
(R-FU-6), the care tasks of a sales hand-over (R-CR-1..3), consent and opted-out channels (R-CR-5)."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from contracts import names
from kit.db import outbox_table
from kit.errors import DomainError
from kit.paging import paginate
from services.followup import seed
from services.followup.handlers import calls, care, complaints, directory, report
from services.followup.models import CareTask, FollowUpCall
from tests.support.db import service_work, wire_event
from tests.support.factories import make_delivered

DELIVERED = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


@pytest.fixture
def work(tmp_path):
    w = service_work("followup", tmp_path, consumer="followup.test")
    seed.reference_data(w)
    w.now = DELIVERED + timedelta(days=2)
    w.clock = lambda: w.now
    return w


def deliver(work, advisor="A001"):
    payload = make_delivered(advisor_id=advisor, order_id=f"o-{uuid.uuid4()}", delivered_at=DELIVERED)
    work.handle(wire_event(names.VEHICLE_DELIVERED, payload, correlation_id=f"v-{uuid.uuid4()}"), calls.schedule_call)
    return work.read(lambda s: s.scalar(sa.select(FollowUpCall).filter_by(order_id=payload["order_id"])))


def events(work, event_type):
    def query(session):
        outbox = outbox_table(session.info["metadata"])
        return session.execute(sa.select(outbox.c.body).where(outbox.c.event_type == event_type)).all()

    return work.read(query)


def test_a_delivery_makes_a_call_task_on_the_calendar_given_to_someone_else(work):
    """R-FU-1, R-FU-2."""
    call = deliver(work, advisor="F001")
    assert call.assigned_to == "F002" and call.status == "scheduled"
    assert call.due_from == datetime(2026, 12, 2, 0, 0, tzinfo=UTC) - timedelta(hours=8)
    assert call.deadline == DELIVERED + timedelta(days=7)


def test_the_manager_cannot_reassign_the_call_to_the_serving_advisor(work):
    """R-FU-2 on reassignment: refused naming the field, nothing changed."""
    call = deliver(work, advisor="S001")
    with pytest.raises(DomainError) as refused:
        work.run(calls.assign, call.call_id, "S001")
    assert refused.value.field == "assigned_to"
    assert work.read(lambda s: s.get(FollowUpCall, call.call_id).assigned_to) == call.assigned_to
    work.run(calls.assign, call.call_id, "F002")
    assert work.read(lambda s: s.get(FollowUpCall, call.call_id).assigned_to) == "F002"


def test_a_caller_who_becomes_the_advisor_loses_the_call(work):
    """R-FU-2 on a change of role (staff_changed)."""
    deliver(work)  # F001
    deliver(work)  # F002
    held = deliver(work)  # S001, the least loaded
    assert held.assigned_to == "S001"
    record = {"staff_id": "S001", "name": "郑洁", "department": "front_desk", "roles": ["service_advisor"]}
    work.handle(
        wire_event(names.STAFF_CHANGED, {**record, "active": True, "change": "roles"}), directory.take_staff_record
    )
    assert work.read(lambda s: s.get(FollowUpCall, held.call_id).assigned_to) in ("F001", "F002")


def test_a_complaint_is_routed_escalated_when_late_and_closed_only_with_agreement(work):
    """R-FU-3..5: the call, the complaint, the 24-hour clock, the actions, the customer's agreement."""
    call = deliver(work)
    outcome = {
        "outcome": "complaint",
        "words": "换完机油发动机有异响",
        "scores": {"booking": 5, "workshop": 2},
        "cause": "workmanship",
        "technical_question": "异响是否与机油有关？",
    }
    work.run(calls.record_outcome, call.call_id, outcome, "F001")
    [found] = work.read(complaints.complaints)
    assert (found["department"], found["manager_id"], found["state"]) == ("workshop", "D001", "open")
    assert (
        work.read(lambda s: s.scalar(sa.select(CareTask.kind).filter_by(about=call.call_id))) == "technician_callback"
    )
    assert len(events(work, names.COMPLAINT_OPENED)) == 1
    [callback] = work.read(calls.callbacks)  # R-FU-3: the technical question goes to a technician
    assert callback["question"] == "异响是否与机油有关？"
    work.run(calls.answer_callback, callback["task_id"], "已解释，属正常", "T001")
    assert work.read(calls.callbacks) == []

    work.now += timedelta(hours=25)
    assert work.run(complaints.escalate_late, work.now) == [found["complaint_id"]]
    assert work.run(complaints.escalate_late, work.now) == []  # once
    assert len(events(work, names.COMPLAINT_ESCALATED)) == 1
    work.run(complaints.recontact, found["complaint_id"], "客户同意返厂", "免费返修", "D001")
    work.run(
        complaints.add_action,
        found["complaint_id"],
        {"kind": "corrective", "text": "复训", "owner": "D001", "due_on": date(2026, 12, 20)},
        "M001",
    )
    with pytest.raises(DomainError) as refused:
        work.run(complaints.close, found["complaint_id"], False, "", "M001")
    assert refused.value.field == "customer_agreed"
    with pytest.raises(DomainError) as refused:
        work.run(complaints.close, found["complaint_id"], True, "", "M001")
    assert refused.value.field == "actions"
    [action] = work.read(complaints.complaint, found["complaint_id"])["actions"]
    work.run(complaints.finish_action, found["complaint_id"], action["id"])
    work.run(complaints.close, found["complaint_id"], True, "客户满意", "M001")
    assert work.read(complaints.complaint, found["complaint_id"])["state"] == "closed"
    assert len(events(work, names.COMPLAINT_CLOSED)) == 1


def test_a_score_out_of_range_changes_nothing(work):
    call = deliver(work)
    with pytest.raises(DomainError) as refused:
        work.run(
            calls.record_outcome,
            call.call_id,
            {"outcome": "satisfied", "words": "好", "scores": {"workshop": 7}},
            "F001",
        )
    assert refused.value.field == "scores.workshop"
    assert work.read(lambda s: s.get(FollowUpCall, call.call_id).status) == "scheduled"
    assert events(work, names.FOLLOWUP_CALL_RECORDED) == []  # the event is in the call's transaction, or nowhere


def test_each_recorded_call_is_an_event_with_its_outcome_and_scores_and_never_the_customers_words(work):
    """R-FU-4, R-FU-6: followup_call_recorded (HQ's satisfaction figure) in the outbox, once per attempt; what the
    customer said stays in the store (issue 14, item 5)."""
    call = deliver(work)
    tried_at = work.now
    work.run(calls.record_outcome, call.call_id, {"outcome": "unreachable"}, "F001")
    work.now += timedelta(hours=5)
    said = f"{call.customer['name']}很满意，有事请打{call.customer['mobile']}"
    outcome = {
        "outcome": "satisfied",
        "words": said,
        "scores": {"booking": 5, "workshop": 4},
        "answers": {"since_service": said},
    }
    work.run(calls.record_outcome, call.call_id, outcome, "F002")

    bodies = [body for (body,) in events(work, names.FOLLOWUP_CALL_RECORDED)]
    first, second = sorted((json.loads(b) for b in bodies), key=lambda m: m["payload"]["recorded_at"])
    assert first["payload"] == {
        "call_id": call.call_id,
        "order_id": call.order_id,
        "outcome": "unreachable",
        "scores": {},
        "called_by": "F001",
        "recorded_at": tried_at.isoformat(),
    }
    assert second["payload"]["outcome"] == "satisfied" and second["payload"]["called_by"] == "F002"
    assert second["payload"]["scores"] == {"booking": 5, "workshop": 4}
    assert datetime.fromisoformat(second["occurred_at"]) == work.now  # the kit's clock
    assert datetime.fromisoformat(second["payload"]["recorded_at"]) == work.now
    assert {first["correlation_id"], second["correlation_id"]} == {call.visit_id}
    for text in (said, call.customer["name"], call.customer["mobile"]):
        assert not any(text in body for body in bodies)


def test_an_unreachable_customer_gets_an_sms_five_days_after_three_attempts(work):
    """The retry ladder, then the SMS queued for the gateway."""
    call = deliver(work)
    for at in (work.now, work.now + timedelta(hours=5), work.now + timedelta(hours=10)):  # 10:00, 15:00, 20:00
        work.now = at
        work.run(calls.record_outcome, call.call_id, {"outcome": "unreachable"}, "F001")
    assert work.run(calls.send_fallbacks, work.now) == []
    work.now = DELIVERED + timedelta(days=7, minutes=1)
    assert work.run(calls.send_fallbacks, work.now) == [call.call_id]

    def queued(session):
        table = session.info["metadata"].tables["notifications"]
        return session.execute(sa.select(table.c.channel, table.c.recipient).where(table.c.about == call.call_id)).all()

    assert work.read(queued) == [("sms", call.customer["mobile"])]
    assert work.run(calls.send_fallbacks, work.now) == []  # once


def test_an_overdue_call_is_escalated_once(work):
    call = deliver(work)
    work.now = DELIVERED + timedelta(days=7, seconds=1)
    assert work.run(calls.escalate_overdue, work.now) == [call.call_id]
    assert work.run(calls.escalate_overdue, work.now) == []
    assert len(events(work, names.FOLLOWUP_OVERDUE)) == 1


def test_the_monthly_report_and_its_exports(work):
    """R-FU-6."""
    call = deliver(work)
    deliver(work)
    work.run(
        calls.record_outcome, call.call_id, {"outcome": "satisfied", "words": "很好", "scores": {"workshop": 4}}, "F001"
    )
    data = work.read(report.monthly_report, "2026-12")
    assert data["calls_due"] == 2 and data["followup_rate"] == 50 and data["reach_rate"] == 100
    assert data["satisfaction_by_department"]["workshop"] == 4
    assert "回访率%" in report.csv_bytes(data).decode("utf-8-sig")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(report.xlsx_bytes(data))).active
    assert sheet["A1"].value == "回访月报" and sheet["B2"].value == 2
    with pytest.raises(DomainError) as refused:
        work.read(report.monthly_report, "2026-13")
    assert refused.value.field == "month"


def test_a_hand_over_makes_the_24_hour_and_7_day_tasks_once(work):
    """R-CR-1, R-CR-2."""
    handed = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)
    h = {
        "name": "李四",
        "mobile": "13900139001",
        "handed_over_at": handed,
        "salesperson": "SP01",
        "sales_manager": "SM01",
        "birthday": None,
        "city": "上海",
    }
    work.run(care.take_handover, h)
    work.run(care.take_handover, h)
    tasks = {t["kind"]: t for t in work.read(care.tasks, customer_key="13900139001")}
    assert tasks["thank_you_letter"]["due_at"] == handed + timedelta(hours=24)
    assert tasks["sales_manager_call"]["owner"] == "SM01"
    assert tasks["salesperson_call"]["due_at"] == handed + timedelta(days=7)
    assert len(work.read(care.tasks, customer_key="13900139001")) == 5


def test_an_opted_out_channel_and_details_without_consent_are_refused(work):
    """R-CR-5."""
    work.run(
        care.take_handover,
        {
            "name": "李四",
            "mobile": "13900139001",
            "handed_over_at": DELIVERED,
            "salesperson": "SP01",
            "sales_manager": "SM01",
        },
    )
    with pytest.raises(DomainError) as refused:
        work.run(care.update_file, "13900139001", {"consent": False, "details": {"interests": "钓鱼"}})
    assert refused.value.field == "consent"
    work.run(care.update_file, "13900139001", {"consent": True, "details": {"interests": "钓鱼"}, "opted_out": ["sms"]})
    with pytest.raises(DomainError) as refused:
        work.run(care.record_contact, "13900139001", {"channel": "sms", "result": "生日快乐"}, "F001")
    assert refused.value.field == "channel"
    assert work.run(care.send_care_message, "上海", "明日暴雨，注意安全", "F001") == 0
    work.run(care.record_contact, "13900139001", {"channel": "phone", "result": "车况良好"}, "F001")
    assert [e["channel"] for e in work.read(care.customer_file, "13900139001")["log"]] == ["phone"]


def test_an_unreachable_customer_who_opted_out_of_sms_gets_a_letter(work):
    """R-CR-5 on the retry ladder's fallback: the care file's opt-out holds; the consented address is used."""
    call = deliver(work)
    mobile = call.customer["mobile"]
    h = {
        "name": "王先生",
        "mobile": mobile,
        "handed_over_at": DELIVERED,
        "salesperson": "SP01",
        "sales_manager": "SM01",
    }
    work.run(care.take_handover, h)
    work.run(care.update_file, mobile, {"consent": True, "details": {"address": "上海市徐汇区"}, "opted_out": ["sms"]})
    for at in (work.now, work.now + timedelta(hours=5), work.now + timedelta(hours=10)):
        work.now = at
        work.run(calls.record_outcome, call.call_id, {"outcome": "unreachable"}, "F001")
    work.now = DELIVERED + timedelta(days=8)
    assert work.run(calls.send_fallbacks, work.now) == [call.call_id]
    assert work.read(calls.call, call.call_id)["fallback"] == "letter"

    def queued(session):
        table = session.info["metadata"].tables["notifications"]
        return session.execute(sa.select(table.c.id).where(table.c.about == call.call_id)).all()

    assert work.read(queued) == []


def test_a_referral_records_who_introduced_whom(work):
    """R-CR-6."""
    for name, mobile in (("李四", "13900139001"), ("王五", "13900139002")):
        h = {
            "name": name,
            "mobile": mobile,
            "handed_over_at": DELIVERED,
            "salesperson": "SP01",
            "sales_manager": "SM01",
        }
        work.run(care.take_handover, h)
    work.run(care.refer, "13900139001", {"referred_name": "王五", "referred_mobile": "139 0013 9002"})
    assert work.read(care.customer_file, "13900139001")["referrals"][0]["referred_mobile"] == "13900139002"
    assert work.read(care.customer_file, "13900139002")["referred_by"] == "13900139001"
    with pytest.raises(DomainError) as refused:
        work.run(care.refer, "13900139001", {"referred_name": "自己", "referred_mobile": "13900139001"})
    assert refused.value.field == "referred_mobile"


def test_a_call_nobody_could_take_goes_to_the_next_caller_the_directory_registers(tmp_path):
    """R-FU-2: with the serving advisor the only caller the call waits for the manager; a new agent takes it."""
    work = service_work("followup", tmp_path, consumer="followup.test")
    work.run(directory.add_caller, "S001", "郑洁", "service_assistant")
    payload = make_delivered(advisor_id="S001", order_id=f"o-{uuid.uuid4()}", delivered_at=DELIVERED)
    work.handle(wire_event(names.VEHICLE_DELIVERED, payload), calls.schedule_call)
    [call] = work.read(lambda s: list(s.scalars(sa.select(FollowUpCall))))
    assert (call.assigned_to, call.status) == (None, "unassigned")
    record = {"staff_id": "F009", "name": "林娜", "department": "customer_care", "roles": ["followup_agent"]}
    work.handle(wire_event(names.STAFF_REGISTERED, {**record, "active": True}), directory.take_staff_record)
    assert work.read(
        lambda s: (s.get(FollowUpCall, call.call_id).assigned_to, s.get(FollowUpCall, call.call_id).status)
    ) == ("F009", "scheduled")


def test_the_callers_and_their_load_read_together_are_the_active_callers_and_their_open_calls(work):
    """R-FU-2: the least loaded caller is picked from the same figures as the separate reads give."""
    made = [deliver(work, advisor=advisor) for advisor in ("F001", "F001", "S001", "A001", "A001", "A001", "A001")]
    statuses = ("done", "call_back", "unreachable")  # every open status is counted, a done call is not
    for call, status in zip(made[4:], statuses, strict=True):
        work.run(lambda uow, c=call, st=status: uow.session.get(FollowUpCall, c.call_id).__setattr__("status", st))
    callers, load = work.read(calls.callers_and_load)
    assert callers == work.read(calls.active_callers)
    assert load == {c: n for c, n in work.read(calls.open_load).items() if c in callers} and sum(load.values()) == 6


def test_a_page_of_calls_is_kit_paginates_page_read_with_fewer_statements(work):
    """Counted only when the page cannot tell its total; the call of an order read by its unique key."""
    made = [deliver(work) for _ in range(3)]
    query = sa.select(FollowUpCall).order_by((FollowUpCall.status == "done").asc(), FollowUpCall.due_from)
    for page, per_page, order_id in (
        (1, 50, None),
        (1, 2, None),
        (2, 2, None),
        (3, 2, None),
        (1, 50, made[1].order_id),
        (2, 1, made[1].order_id),
        (1, 5, "o-none"),
    ):
        expected = work.read(
            paginate,
            query.where(FollowUpCall.order_id == order_id) if order_id else query,
            page,
            per_page,
            calls.call_view,
        )
        assert work.read(calls.calls, page, per_page, "", order_id) == expected
