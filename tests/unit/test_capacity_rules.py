"""The workshop's capacity rules (R-BK-4, R-WS-7) as plain functions: the held-back share, skills, never over."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from services.workshop.domain.capacity import (
    BAYS,
    TECHNICIANS,
    CapacityRules,
    Roster,
    Technician,
    alternatives,
    hour_limits,
    job_needs,
    load_of,
    over_limit,
    place,
    plan_booking,
)

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2030, 1, 7)
RULES = CapacityRules(
    appointment_share=Decimal("0.5"), opens=time(9), closes=time(12), handover_minutes=0, spill_days=0
)


def at(hh: int, mm: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), TZ)


def add(load: dict, plan) -> dict:
    out = dict(load)
    for key, minutes in load_of(plan.chunks).items():
        out[key] = out.get(key, 0) + minutes
    return out


def team(*skills: str, bays: int = 4) -> Roster:
    return Roster(tuple(Technician(f"T{i}", frozenset(s.split(","))) for i, s in enumerate(skills)), bays)


def test_booked_customers_may_take_only_the_share_the_workshop_does_not_hold_back():
    """R-BK-4: one technician, 50 % bookable: 30 of each hour's 60 minutes; the rest is kept for walk-ins."""
    limits = hour_limits(team("mechanical"), RULES, at(9), TZ, RULES.appointment_share)
    assert limits["mechanical"] == 30 and limits[TECHNICIANS] == 30
    load = {}
    booked = 0
    while (plan := plan_booking([("mechanical", 30)], at(9), team("mechanical"), RULES, TZ, load)) is not None:
        booked += 1
        load = add(load, plan)
    assert booked == 3  # 9, 10 and 11 o'clock: 3 × 30 min of the 180 the technician works
    # ... while the whole workshop (a walk-in's promise) could still take the other half
    assert place([("mechanical", 30)], at(9), at(12), team("mechanical"), RULES, TZ, load, Decimal(1)) is not None


def test_a_job_needs_a_technician_with_its_skill():
    body_job = [("body", 60)]
    assert plan_booking(body_job, at(9), team("mechanical", "quick"), RULES, TZ, {}) is None
    assert plan_booking(body_job, at(9), team("mechanical", "body", "body"), RULES, TZ, {}) is not None


def test_a_technician_with_two_skills_still_works_one_hour_an_hour():
    both = team("mechanical,quick")
    plan = plan_booking([("mechanical", 30)], at(9), both, RULES, TZ, {})
    load = load_of(plan.chunks)
    # the quick-service share of the 9 o'clock hour is gone too: it was the same technician
    assert plan_booking([("quick", 30)], at(9), both, RULES, TZ, load).chunks[0].hour == at(10)


def test_bays_limit_the_cars_worked_at_once():
    plan = plan_booking([("mechanical", 30)], at(9), team("mechanical", "mechanical", bays=1), RULES, TZ, {})
    load = load_of(plan.chunks)
    assert load[(at(9), BAYS)] == 30
    assert plan_booking([("mechanical", 30)], at(9), team("mechanical", "mechanical", bays=1), RULES, TZ, load).chunks[
        0
    ].hour == at(10)


def test_a_car_gets_at_most_its_own_sixty_minutes_an_hour():
    rules = CapacityRules(appointment_share=Decimal(1), opens=time(9), closes=time(12), handover_minutes=0)
    plan = place([("mechanical", 90)], at(9), at(12), team("mechanical", "mechanical", "mechanical"), rules, TZ, {}, 1)
    assert [(c.hour, c.minutes) for c in plan.chunks] == [(at(9), 60), (at(10), 30)]
    assert plan.finishes_at == at(10, 30)


def test_a_job_that_cannot_be_done_by_the_close_of_its_day_is_refused_unless_it_may_run_on():
    late = plan_booking([("mechanical", 90)], at(11), team("mechanical", "mechanical", "mechanical"), RULES, TZ, {})
    assert late is None
    next_day = CapacityRules(**{**RULES.__dict__, "spill_days": 1})
    plan = plan_booking([("mechanical", 90)], at(11), team("mechanical", "mechanical", "mechanical"), next_day, TZ, {})
    assert plan is not None and plan.finishes_at.astimezone(TZ).date() == DAY + timedelta(days=1)


def test_the_handover_after_reception_is_where_the_work_starts():
    rules = CapacityRules(**{**RULES.__dict__, "handover_minutes": 15})
    plan = plan_booking([("mechanical", 15)], at(9), team("mechanical"), rules, TZ, {})
    assert plan.chunks[0].hour == at(9) and plan.finishes_at == at(9, 30)


def test_never_over_the_bookable_share_whatever_is_booked_in_whatever_order():
    """R-BK-4, as a property: random jobs at random times, booked while they fit; no hour, skill, the
    technicians or the bays ever go past their limit."""
    rng = random.Random(4)
    roster = team("mechanical,quick", "mechanical", "quick", "body", "electrical,mechanical", bays=3)
    rules = CapacityRules(opens=time(8, 30), closes=time(18), spill_days=1)
    load: dict = {}
    booked = refused = 0
    for _ in range(400):
        needs = [(rng.choice(["mechanical", "quick", "body", "electrical"]), rng.choice([18, 30, 36, 48, 60, 90]))]
        starts = at(rng.randint(9, 16), rng.choice([0, 15, 30]), DAY + timedelta(days=rng.randint(0, 2)))
        plan = plan_booking(needs, starts, roster, rules, TZ, load)
        if plan is None:
            refused += 1
            continue
        booked += 1
        assert sum(c.minutes for c in plan.chunks) == needs[0][1]
        load = add(load, plan)
        assert over_limit(load, roster, rules, TZ, rules.appointment_share) == []
    assert booked > 20 and refused > 20  # both outcomes really happened


def test_standard_hours_come_from_the_published_list_and_an_unknown_job_is_never_free():
    hours = {"LAB-OIL": Decimal("0.5"), "LAB-BRAKE-DISC": Decimal("1.5")}
    assert job_needs(["LAB-OIL", "LAB-BRAKE-DISC", "LAB-NEW"], hours, RULES) == [
        ("quick", 30),
        ("mechanical", 90),
        ("mechanical", 60),  # default_hours 1.0
    ]


def test_a_refused_time_is_answered_with_the_times_that_would_fit():
    roster = team("mechanical")
    full = load_of(plan_booking([("mechanical", 90)], at(9), roster, RULES, TZ, {}).chunks)
    assert plan_booking([("mechanical", 30)], at(9), roster, RULES, TZ, full) is None
    candidates = [at(9), at(10), at(9, day=DAY + timedelta(days=1)), at(10, day=DAY + timedelta(days=1))]
    now = at(8)
    assert alternatives([("mechanical", 30)], candidates, roster, RULES, TZ, full, now) == candidates[2:]


def test_settings_are_read_and_a_share_outside_zero_to_one_is_refused():
    rules = CapacityRules.from_settings({"WORKSHOP_APPOINTMENT_SHARE": "0.7", "WORKSHOP_OPENS": "08:00"})
    assert rules.appointment_share == Decimal("0.7") and rules.opens == time(8)
    with pytest.raises(ValueError):
        CapacityRules.from_settings({"WORKSHOP_APPOINTMENT_SHARE": "1.5"})


def test_a_technicians_shift_counts_only_its_own_minutes():
    roster = Roster((Technician("T1", frozenset({"mechanical"}), starts=time(9, 30)),), 2)
    assert hour_limits(roster, RULES, at(9), TZ, Decimal(1))["mechanical"] == 30
    assert hour_limits(roster, RULES, at(10), TZ, Decimal(1))["mechanical"] == 60
    assert hour_limits(roster, RULES, at(12), TZ, Decimal(1)).get("mechanical", 0) == 0  # closed


def test_every_hour_of_the_day_has_the_limits_worked_out_in_full_closed_hours_included():
    """hour_limits answers a closed hour without working through the roster: the same zeros, the same keys."""
    from services.workshop.domain.capacity import _limits

    roster = Roster(
        (
            Technician("T1", frozenset({"mechanical", "quick"}), starts=time(9, 30)),
            Technician("T2", frozenset({"electrical"}), ends=time(11, 15)),
        ),
        3,
    )
    half_hours = CapacityRules(opens=time(8, 30), closes=time(17, 45))
    for rules in (RULES, half_hours):
        for day in (DAY, DAY + timedelta(days=1)):
            for hh in range(24):
                local = datetime.combine(day, time(hh), TZ)
                opens, closes = datetime.combine(day, rules.opens, TZ), datetime.combine(day, rules.closes, TZ)
                for share in (Decimal(1), rules.appointment_share):
                    limits = hour_limits(roster, rules, local.astimezone(ZoneInfo("UTC")), TZ, share)
                    full = _limits(roster, local, opens, closes, share)
                    assert limits == full and list(limits) == list(full)
