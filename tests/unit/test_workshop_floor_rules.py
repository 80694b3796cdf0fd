"""The workshop floor's rules: dispatch conflicts (R-WS-1, R-WS-7), the job clock (R-WS-2), finishing (R-WS-6),
the quality check's blockers and standard (R-QC-1..4), the comeback window, the on-time forecast, expert help
(R-WS-4) and the manager's numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kit.errors import DomainError
from services.workshop.domain import comebacks, completion, dispatch, expert_help, forecast, inspection, job_clock
from services.workshop.domain.numbers import JobFact, technician_numbers
from services.workshop.domain.work_orders import qc_blockers
from tests.support.factories import SIGNATURE_PNG

SH = ZoneInfo("Asia/Shanghai")
D = Decimal


def at(hour: int, minute: int = 0, day: int = 7) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SH)


def floor(booked=(), **workers) -> dispatch.Floor:
    people = workers or {
        "T001": dispatch.Worker("T001", frozenset({"mechanical", "quick"})),
        "T002": dispatch.Worker("T002", frozenset({"mechanical"})),
        "T003": dispatch.Worker("T003", frozenset({"body"})),
        "T010": dispatch.Worker("T010", frozenset({"mechanical"}), shift_starts=time(10, 0)),
    }
    return dispatch.Floor(people, ["B1", "B2", "B3"], list(booked))


def busy(technician, bay, starts, hours="1.0", job=("O-1", 1)):
    return dispatch.Booked(technician, bay, dispatch.Window.of(starts, D(hours)), job)


# --- dispatch (R-WS-1, R-WS-7) -------------------------------------------------------------------------


def test_a_free_technician_with_the_skill_on_shift_is_assigned():
    window = dispatch.Window.of(at(9), D("1.2"))
    dispatch.check_assignment(floor(), technician_id="T001", bay_id="B1", window=window, code="LAB-THROTTLE")


def test_a_busy_technician_is_refused_naming_the_field_with_the_free_ones():
    """R-WS-7: busy in that window -> refused, the free technicians and bays offered."""
    window = dispatch.Window.of(at(9, 30), D("1.0"))
    with pytest.raises(dispatch.DispatchRefused) as refused:
        dispatch.check_assignment(
            floor([busy("T001", "B1", at(9))]), technician_id="T001", bay_id="B2", window=window, code="LAB-THROTTLE"
        )
    assert refused.value.field == "technician_id"
    assert refused.value.details["alternatives"] == {"technicians": ["T002"], "bays": ["B2", "B3"]}


def test_a_busy_bay_is_refused_naming_the_bay():
    window = dispatch.Window.of(at(9, 30), D("1.0"))
    with pytest.raises(dispatch.DispatchRefused) as refused:
        dispatch.check_assignment(
            floor([busy("T002", "B1", at(9))]), technician_id="T001", bay_id="B1", window=window, code="LAB-OIL"
        )
    assert refused.value.field == "bay_id"
    assert "B1" not in refused.value.details["alternatives"]["bays"]


def test_back_to_back_jobs_do_not_conflict():
    window = dispatch.Window.of(at(10), D("1.0"))
    dispatch.check_assignment(
        floor([busy("T001", "B1", at(9))]), technician_id="T001", bay_id="B1", window=window, code="LAB-OIL"
    )


def test_a_job_outside_the_technicians_skill_is_refused():
    window = dispatch.Window.of(at(9), D("1.0"))
    with pytest.raises(dispatch.DispatchRefused) as refused:
        dispatch.check_assignment(floor(), technician_id="T003", bay_id="B1", window=window, code="LAB-THROTTLE")
    assert refused.value.field == "technician_id" and refused.value.code == "dispatch_conflict"


def test_a_job_outside_the_technicians_shift_is_refused():
    window = dispatch.Window.of(at(9), D("1.0"))  # T010 starts at 10:00
    with pytest.raises(dispatch.DispatchRefused):
        dispatch.check_assignment(floor(), technician_id="T010", bay_id="B1", window=window, code="LAB-THROTTLE")
    late = dispatch.Window.of(at(17, 30), D("1.0"))  # past the workshop's 18:00
    with pytest.raises(dispatch.DispatchRefused):
        dispatch.check_assignment(floor(), technician_id="T001", bay_id="B1", window=late, code="LAB-OIL")


def test_reassigning_a_job_does_not_count_its_own_booking():
    window = dispatch.Window.of(at(9), D("1.0"))
    booked = [busy("T001", "B1", at(9), job=("O-1", 1))]
    dispatch.check_assignment(
        floor(booked), technician_id="T001", bay_id="B1", window=window, code="LAB-OIL", job=("O-1", 1)
    )


def test_a_team_leader_assigns_only_inside_the_team():
    """R-WS-1 team mode."""
    window = dispatch.Window.of(at(9), D("1.0"))
    with pytest.raises(dispatch.DispatchRefused):
        dispatch.check_assignment(
            floor(), technician_id="T001", bay_id="B1", window=window, code="LAB-OIL", team=("T002",)
        )
    assert dispatch.parse_teams("A002=T002+T005; A003=T006") == {"A002": ("T002", "T005"), "A003": ("T006",)}


def test_a_whole_order_queues_behind_the_technicians_current_work():
    start = dispatch.earliest_start(floor([busy("T001", "B1", at(9))]), "T001", "B1", 60, at(9, 10))
    assert start == at(10)


# --- the job clock (R-WS-2) ------------------------------------------------------------------------


def test_the_clock_runs_start_pause_resume_finish():
    state = job_clock.next_state("assigned", "start")
    state = job_clock.next_state(state, "pause", "waiting_parts")
    state = job_clock.next_state(state, "resume")
    assert job_clock.next_state(state, "finish") == "done"


def test_a_pause_needs_a_reason_and_a_finished_job_cannot_start():
    with pytest.raises(DomainError) as no_reason:
        job_clock.next_state("running", "pause", None)
    assert no_reason.value.field == "reason"
    with pytest.raises(DomainError):
        job_clock.next_state("done", "start")
    with pytest.raises(DomainError):
        job_clock.next_state("assigned", "resume")


def test_clocked_time_sums_the_intervals_and_the_foremans_corrections():
    intervals = [job_clock.Interval(at(9), at(9, 40)), job_clock.Interval(at(10), None)]
    assert job_clock.clocked_minutes(intervals, at(10, 30), corrections=[-10]) == 60


def test_a_clock_correction_needs_a_reason():
    with pytest.raises(DomainError) as refused:
        job_clock.check_correction(-10, " ")
    assert refused.value.field == "reason"
    with pytest.raises(DomainError):
        job_clock.check_correction(0, "忘记暂停")
    assert job_clock.check_correction(-10, "忘记暂停") == -10


def test_only_the_assigned_technician_or_the_foreman_acts_on_a_job():
    assert job_clock.may_act("T001", "T001", foreman=False)
    assert not job_clock.may_act("T002", "T001", foreman=False)
    assert job_clock.may_act("D001", "T001", foreman=True)
    assert job_clock.NotYourJob().status == 403


# --- finishing (R-WS-6) -------------------------------------------------------------------------------

REPORT = {"concern": "怠速抖动", "cause": "节气门积碳", "correction": "清洗节气门"}


def test_finishing_needs_every_self_check_item_the_report_and_the_signature():
    items = completion.self_check_items("LAB-THROTTLE")
    ticked = {key: True for key in items}
    assert completion.check_completion("LAB-THROTTLE", ticked, REPORT, SIGNATURE_PNG) == REPORT
    with pytest.raises(DomainError) as missing:
        completion.check_completion("LAB-THROTTLE", {**ticked, "torque": False}, REPORT, SIGNATURE_PNG)
    assert missing.value.field == "self_check"
    with pytest.raises(DomainError) as no_cause:
        completion.check_completion("LAB-THROTTLE", ticked, {**REPORT, "cause": ""}, SIGNATURE_PNG)
    assert no_cause.value.field == "report.cause"
    with pytest.raises(DomainError) as unsigned:
        completion.check_completion("LAB-THROTTLE", ticked, REPORT, "")
    assert unsigned.value.field == "signature"


def test_the_self_check_depends_on_the_kind_of_job():
    assert "reset" in completion.self_check_items("LAB-OIL")
    assert "test_run" in completion.self_check_items("LAB-THROTTLE")


# --- the quality check (R-QC-1..4) ---------------------------------------------------------------------


def test_the_pass_is_blocked_while_a_job_is_unfinished_naming_it():
    assert qc_blockers({1: "done", 3: "in_progress"}, {}, {}, locale="en") == ["Line 3: job not finished"]


def all_ok(items, mm="6.0"):
    return {i.key: ({"state": "ok", "measured_mm": mm} if i.limit_mm else {"state": "ok"}) for i in items}


def test_the_standard_is_data_per_kind_of_job_with_the_road_test_where_needed():
    keys = [i.key for i in inspection.standard_for(["LAB-THROTTLE", "LAB-OIL"])]
    assert {"work_done", "leaks", "noise", "levels", "pad_front", "tyre_rr"} <= set(keys)
    assert inspection.needs_road_test(["LAB-THROTTLE"]) and not inspection.needs_road_test(["LAB-OIL"])


def test_a_fail_names_its_job_and_cause_and_a_worn_pad_fails_on_its_measure():
    items = inspection.standard_for(["LAB-THROTTLE"])
    results = all_ok(items)
    results["leaks"] = {"state": "fail", "line_no": 1, "cause": "节气门垫片渗漏"}
    results["pad_front"] = {"state": "ok", "measured_mm": "2.5", "line_no": 1, "cause": "片薄"}
    outcome = inspection.judge(items, results, [1])
    assert not outcome.passed
    assert [f["item"] for f in outcome.failed] == ["leaks", "pad_front"]
    with pytest.raises(DomainError) as unnamed:
        inspection.judge(items, {**results, "leaks": {"state": "fail", "cause": "x"}}, [1])
    assert unnamed.value.field == "items.leaks.line_no"


def test_an_unmarked_item_or_a_bad_measure_is_refused_naming_it():
    items = inspection.standard_for(["LAB-OIL"])
    results = all_ok(items)
    del results["levels"]
    with pytest.raises(DomainError) as unmarked:
        inspection.judge(items, results, [1])
    assert unmarked.value.field == "items.levels"
    with pytest.raises(DomainError) as bad:
        inspection.judge(items, all_ok(items, mm="abc"), [1])
    assert bad.value.field.endswith(".measured_mm")


def test_a_pass_records_wear_and_needs_the_wash_and_a_finished_bay():
    items = inspection.standard_for(["LAB-OIL"])
    outcome = inspection.judge(items, all_ok(items, "7.5"), [1])
    assert outcome.passed and {"item": "tyre_fl", "measured_mm": D("7.5"), "limit_mm": D("1.6")} in outcome.wear
    deferred = [{"description": "后刹车片约剩 4mm", "urgency": "soon"}]
    assert inspection.check_handover(deferred, True, "F1", ["F1"])[0]["urgency"] == "soon"
    with pytest.raises(DomainError) as unwashed:
        inspection.check_handover([], False, "F1", ["F1"])
    assert unwashed.value.field == "washed"
    with pytest.raises(DomainError) as no_bay:
        inspection.check_handover([], True, "X9", ["F1"])
    assert no_bay.value.field == "finished_bay"


def test_the_road_test_is_driven_with_the_technician():
    assert inspection.check_road_test({"km_out": 100, "km_back": 106, "technician_id": "T001"}, True, ["T001"])
    with pytest.raises(DomainError) as missing:
        inspection.check_road_test(None, True, ["T001"])
    assert missing.value.field == "road_test"
    with pytest.raises(DomainError) as alone:
        inspection.check_road_test({"km_out": 100, "km_back": 106, "technician_id": "Q001"}, True, ["T001"])
    assert alone.value.field == "road_test.technician_id"


# --- comebacks -----------------------------------------------------------------------------------------


def visit(order_id, days_ago, km, concerns=("LAB-THROTTLE",), vin="LSVNV2182E2100001"):
    now = datetime(2026, 12, 7, tzinfo=UTC)
    return comebacks.Visit(order_id, vin, now - timedelta(days=days_ago), km, frozenset(concerns))


def test_a_car_back_for_the_same_concern_within_30_days_is_a_comeback():
    assert comebacks.first_order_of(visit("new", 0, 50000), [visit("old", 20, 40000)]) == "old"


def test_within_1000_km_counts_even_after_30_days():
    assert comebacks.first_order_of(visit("new", 0, 40800), [visit("old", 60, 40000)]) == "old"


def test_another_concern_another_car_or_outside_both_windows_is_not_a_comeback():
    new = visit("new", 0, 50000)
    assert comebacks.first_order_of(new, [visit("old", 20, 40000, concerns=("LAB-OIL",))]) is None
    assert comebacks.first_order_of(new, [visit("old", 20, 40000, vin="LSVNV2182E2100002")]) is None
    assert comebacks.first_order_of(new, [visit("old", 31, 40000)]) is None
    rules = comebacks.ComebackRules(days=60, km=1000)
    assert comebacks.first_order_of(new, [visit("old", 31, 40000)], rules) == "old"


# --- the on-time forecast (R-WS-7) ------------------------------------------------------------------------


def test_the_forecast_adds_remaining_work_and_the_check_within_workshop_hours():
    jobs = [forecast.OpenJob("T001", D("1.0"), 0), forecast.OpenJob("T002", D("2.0"), 30)]
    assert forecast.forecast_ready(at(9), jobs) == at(11)  # 90 min left on T002, then 30 min QC


def test_the_forecast_runs_into_the_next_morning_and_flags_the_promise_early():
    jobs = [forecast.OpenJob("T001", D("2.0"), 0)]
    ready = forecast.forecast_ready(at(17), jobs)
    assert ready == at(10, 0, day=8)  # 60 min today, 90 min from 08:30 tomorrow
    assert forecast.at_risk(ready, at(18))


def test_waiting_for_parts_starts_the_forecast_on_the_expected_day():
    jobs = [forecast.OpenJob("T001", D("1.0"), 0)]
    assert forecast.forecast_ready(at(9), jobs, parts_expected_on=date(2026, 12, 9)) == at(10, 0, day=9)


def test_a_job_still_open_counts_at_least_a_quarter_hour_and_a_done_one_nothing():
    assert forecast.OpenJob("T001", D("1.0"), 90).remaining_minutes == forecast.MIN_REMAINING
    assert forecast.OpenJob("T001", D("1.0"), 0, done=True).remaining_minutes == 0


# --- expert help (R-WS-4) --------------------------------------------------------------------------------


def test_a_ticket_unanswered_past_the_target_is_overdue():
    asked = at(9)
    assert not expert_help.is_overdue(asked, None, at(9, 29), 30)
    assert expert_help.is_overdue(asked, None, at(9, 31), 30)
    assert expert_help.is_overdue(asked, at(9, 45), at(12), 30)  # answered late stays late
    assert expert_help.minutes_to_answer(asked, at(9, 45)) == 45


def test_a_question_is_required_and_a_photo_must_be_an_image():
    with pytest.raises(DomainError) as empty:
        expert_help.check_question("  ")
    assert empty.value.field == "question"
    with pytest.raises(DomainError) as not_image:
        expert_help.photo_from_data_url("data:image/png;base64,aGVsbG8=", 1)
    assert not_image.value.field == "photos[1]"
    assert expert_help.photo_from_data_url(SIGNATURE_PNG)[0] == "image/png"


# --- the manager's numbers ------------------------------------------------------------------------------


def test_the_numbers_per_technician():
    facts = [
        JobFact("T001", "O-1", D("1.0"), 50, failed_qc=False, comeback=False, on_time=True),
        JobFact("T001", "O-2", D("2.0"), 130, failed_qc=True, comeback=False, on_time=False),
    ]
    [row] = technician_numbers(facts, {"T001": D("9")})
    assert row["efficiency"] == D("1.00")  # 3 h sold / 3 h clocked
    assert row["productivity"] == D("0.33")  # 3 h clocked / 9 h attended
    assert row["first_time_fix"] == D("0.50") and row["qc_failure_rate"] == D("0.50")
    assert row["comeback_rate"] == D("0.00") and row["on_time"] == D("0.50")


def test_the_inspection_page_reads_into_the_same_command_as_the_json():
    """The QC inspector's form (state-, mm-, line-, cause- per item; road test; handover) -> the JSON command."""
    from werkzeug.datastructures import MultiDict

    from services.workshop.web.quality import Inspection, inspection_from_form

    form = MultiDict(
        {
            "state-work_done": "fail",
            "line-work_done": "3",
            "cause-work_done": "节气门未复位",
            "state-pad_front": "ok",
            "mm-pad_front": "6.5",
            "km_out": "35210",
            "km_back": "35216",
            "road_technician_id": "T001",
            "deferred-0": "后刹车片约剩 4mm",
            "urgency-0": "soon",
            "washed": "on",
            "finished_bay": "F2",
        }
    )
    cmd = Inspection().load(inspection_from_form(form, ["work_done", "pad_front"]))
    assert cmd["items"]["work_done"] == {"state": "fail", "line_no": 3, "cause": "节气门未复位"}
    assert cmd["items"]["pad_front"] == {"state": "ok", "measured_mm": "6.5"}
    assert cmd["road_test"] == {"km_out": 35210, "km_back": 35216, "technician_id": "T001"}
    assert cmd["deferred_work"] == [{"description": "后刹车片约剩 4mm", "urgency": "soon"}]
    assert cmd["washed"] is True and cmd["finished_bay"] == "F2"


def test_a_skill_refusal_names_the_skill_in_the_readers_language():
    window = dispatch.Window.of(at(9), D("1.0"))
    with pytest.raises(dispatch.DispatchRefused) as refused:
        dispatch.check_assignment(floor(), technician_id="T003", bay_id="B1", window=window, code="LAB-THROTTLE")
    assert "机电" in refused.value.message_in("zh_CN") and "Mechanical" in refused.value.message_in("en")
