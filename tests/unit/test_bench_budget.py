"""The benchmark's CPU budget (issue 13): where a phase's CPU went a visit, and what the goal of 30 visits/s
leaves for the services once the broker and the driver have taken theirs."""

from collections import namedtuple

import pytest

from bench.goals import GOAL_VISITS_PER_S, cpu_a_visit
from bench.resources import busy_seconds, cpu_between


def phase(completed=100, services=None, machine=None):
    return {
        "completed": completed,
        "cpu_seconds": services if services is not None else {"reception": 6.0, "workshop": 4.0},
        "machine_cpu_seconds": machine if machine is not None else {"machine": 15.0, "broker": 2.5, "driver": 1.5},
    }


def test_a_phase_cpu_is_split_per_visit_and_its_rest_is_what_no_process_named_took():
    spent = cpu_a_visit(phase(), cpus=2)
    assert spent["services_ms"] == pytest.approx(100.0)
    assert spent["broker_ms"] == pytest.approx(25.0)
    assert spent["driver_ms"] == pytest.approx(15.0)
    assert spent["machine_ms"] == pytest.approx(150.0)
    assert spent["rest_ms"] == pytest.approx(10.0)
    assert spent["visits_per_s_at_this_cost"] == pytest.approx(2000 / 150)


def test_the_goal_leaves_the_services_what_the_broker_and_the_driver_did_not_take():
    spent = cpu_a_visit(phase(), cpus=2)
    assert spent["goal_ms_a_visit"] == pytest.approx(2000 / GOAL_VISITS_PER_S)
    assert spent["goal_ms_left_for_services"] == pytest.approx(2000 / GOAL_VISITS_PER_S - 25.0 - 15.0)
    # four CPUs leave twice the time a visit
    assert cpu_a_visit(phase(), cpus=4)["goal_ms_a_visit"] == pytest.approx(4000 / GOAL_VISITS_PER_S)


def test_a_broker_that_could_not_be_read_leaves_its_share_and_the_services_room_unknown():
    spent = cpu_a_visit(phase(machine={"machine": 15.0, "driver": 1.5}), cpus=2)
    assert spent["broker_ms"] is None
    assert spent["rest_ms"] is None
    assert spent["goal_ms_left_for_services"] is None
    assert spent["machine_ms"] == pytest.approx(150.0)


def test_no_figure_without_completed_visits_or_the_machine():
    assert cpu_a_visit(phase(completed=0), cpus=2) is None
    assert cpu_a_visit(phase(machine={}), cpus=2) is None


def test_the_machine_busy_time_leaves_out_idle_waiting_and_guest_time_counted_in_user():
    Times = namedtuple("Times", "user nice system idle iowait irq softirq steal guest guest_nice")
    times = Times(10.0, 1.0, 3.0, 100.0, 7.0, 0.5, 0.25, 0.25, 2.0, 1.0)
    assert busy_seconds(times) == pytest.approx(15.0)


def test_a_figure_between_two_readings_counts_only_what_both_have():
    assert cpu_between({"broker": 1.0, "machine": 5.0}, {"broker": 3.5, "machine": 9.0, "driver": 2.0}) == {
        "broker": 2.5,
        "machine": 4.0,
    }
