"""Maintenance plans as data per model, and when items come due (R-KB-2; proactive booking R-BK-1)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
import yaml

from services.booking.domain.maintenance import (
    DEFAULT_PLAN,
    PLANS_PATH,
    add_months,
    due_items,
    due_within,
    km_per_day,
    load_plans,
    plan_for,
)

# The published price list (services/billing/seed.py): the only codes a plan item may imply.
LABOUR_CODES = {
    "LAB-OIL",
    "LAB-BRAKE-FLUID",
    "LAB-THROTTLE",
    "LAB-BRAKE-DISC",
    "LAB-BALANCE",
    "LAB-ALIGN",
    "LAB-INSPECT",
}
PART_CODES = {"P-OIL-5W30", "P-FILTER-OIL", "P-DOT4", "P-DISC-F", "P-PAD-F", "P-WEIGHT"}

PURCHASED = date(2024, 1, 10)


def driven(km_a_day: int, days: int = 60, start: date = PURCHASED) -> list[tuple[date, int]]:
    """Two readings `days` apart at a steady km_a_day, starting at 0 km on `start`."""
    return [(start, 0), (start + timedelta(days=days), km_a_day * days)]


def brake_fluid(dues):
    [due] = [due for due in dues if due.item.code == "BRAKE-FLUID"]
    return due


# ---------------------------------------------------------------------------------------------- R-KB-2


def test_brake_fluid_comes_due_at_24_months_for_a_car_driven_5_km_a_day():
    """R-KB-2: 24 months or 50,000 km, whichever first; at 5 km/day 50,000 km is 27 years away."""
    due = brake_fluid(due_items(plan_for("帕萨特"), PURCHASED, driven(5), {}, today=date(2024, 6, 1)))
    assert due.due_on == date(2026, 1, 10)
    assert due.reason == "months"
    assert due.due_km == 50_000
    assert not due.overdue


def test_brake_fluid_comes_due_at_50000_km_well_before_24_months_for_a_car_driven_150_km_a_day():
    """R-KB-2: at 150 km/day the 50,000 km arrive after about 11 months."""
    readings = driven(150)  # 9,000 km on 2024-03-10
    due = brake_fluid(due_items(plan_for("速腾"), PURCHASED, readings, {}, today=date(2024, 6, 1)))
    assert due.reason == "km"
    assert due.due_km == 50_000
    assert due.due_on == date(2024, 3, 10) + timedelta(days=274)  # 41,000 km / 150 km a day, rounded up
    assert due.due_on < add_months(PURCHASED, 12)


def test_after_the_brake_fluid_was_replaced_the_next_change_counts_from_that_service():
    """R-KB-2: the intervals restart at the last service, in months and in km."""
    done = {"BRAKE-FLUID": (date(2026, 1, 5), 9_100)}
    due = brake_fluid(due_items(plan_for("朗逸"), PURCHASED, driven(5), done, today=date(2026, 2, 1)))
    assert (due.due_on, due.due_km, due.reason) == (date(2028, 1, 5), 59_100, "months")

    done = {"BRAKE-FLUID": (date(2024, 12, 1), 48_000)}
    readings = [*driven(150), (date(2024, 12, 1), 48_000)]
    due = brake_fluid(due_items(plan_for("朗逸"), PURCHASED, readings, done, today=date(2025, 1, 1)))
    assert due.due_km == 98_000 and due.reason == "km"
    assert due.due_on > date(2024, 12, 1) + timedelta(days=300)


def test_an_item_past_its_date_is_overdue_and_listed_first():
    dues = due_items(plan_for("帕萨特"), PURCHASED, driven(5), {}, today=date(2026, 3, 1))
    assert brake_fluid(dues).overdue
    assert dues == sorted(dues, key=lambda due: due.due_on)


def test_an_item_whose_km_were_already_passed_is_due_from_when_the_odometer_crossed_them():
    readings = driven(200, days=300)  # 60,000 km after 300 days
    due = brake_fluid(due_items(plan_for(None), PURCHASED, readings, {}, today=PURCHASED + timedelta(days=300)))
    assert due.reason == "km" and due.overdue
    assert due.due_on == PURCHASED + timedelta(days=250)  # 50,000 km at 200 km a day


def test_every_plan_replaces_dot4_brake_fluid_every_24_months_or_50000_km():
    """R-KB-2 holds for every model, the default plan included."""
    for plan in load_plans().values():
        item = plan.item("BRAKE-FLUID")
        assert (item.every_months, item.every_km) == (24, 50_000), plan.model
        assert item.labour == ("LAB-BRAKE-FLUID",) and item.parts == (("P-DOT4", D("1")),), plan.model


# ---------------------------------------------------------------------------------------------- km per day


def test_km_per_day_is_estimated_from_the_first_and_last_of_the_vehicles_own_readings():
    readings = [(date(2025, 4, 1), 13_000), (date(2025, 1, 1), 10_000), (date(2025, 2, 1), 11_000)]
    assert km_per_day(readings) == D("33.33")  # 3,000 km over 90 days, in any order given


def test_km_per_day_is_the_default_with_a_single_reading():
    assert km_per_day([(date(2025, 1, 1), 10_000)]) == D(40)
    assert km_per_day([]) == D(40)
    assert km_per_day([(date(2025, 1, 1), 10_000)], default=25) == D(25)


def test_km_per_day_is_the_default_when_the_readings_span_under_two_weeks():
    assert km_per_day([(date(2025, 1, 1), 10_000), (date(2025, 1, 10), 12_000)]) == D(40)
    assert km_per_day([(date(2025, 1, 1), 10_000), (date(2025, 1, 15), 10_700)]) == D(50)


def test_km_per_day_is_never_negative():
    assert km_per_day([(date(2025, 1, 1), 10_000), (date(2025, 3, 1), 1_000)]) == D(40)  # odometer typo
    assert km_per_day([(date(2025, 1, 1), 10_000), (date(2025, 3, 1), 10_000)]) == D(0)  # parked car
    assert km_per_day([], default=-5) == D(0)


def test_a_parked_car_is_due_by_months_only_and_a_km_only_item_has_no_date():
    readings = [(PURCHASED, 0), (date(2024, 6, 1), 0)]
    dues = due_items(plan_for("default"), PURCHASED, readings, {}, today=date(2024, 6, 1))
    assert all(due.reason == "months" for due in dues)
    assert "TYRE-ROTATION" not in {due.item.code for due in dues}


def test_service_records_count_as_mileage_readings():
    """With one reading the default rate would apply; the oil change's odometer gives a second one."""
    done = {"OIL": (date(2024, 7, 1), 20_000)}
    readings = [(date(2024, 9, 29), 29_000)]  # 9,000 km in 90 days: 100 km/day
    dues = due_items(plan_for("朗逸"), PURCHASED, readings, done, today=date(2024, 9, 29))
    [oil] = [due for due in dues if due.item.code == "OIL"]
    assert (oil.due_km, oil.due_on, oil.reason) == (30_000, date(2024, 10, 9), "km")


# ---------------------------------------------------------------------------------------------- plans


def test_an_unknown_model_uses_the_default_plan():
    assert plan_for("特斯拉 Model Y").model == DEFAULT_PLAN
    assert plan_for("").model == DEFAULT_PLAN
    assert plan_for(None).model == DEFAULT_PLAN


def test_a_listed_model_is_found_by_its_chinese_name_or_an_alias():
    assert plan_for("帕萨特").model == "帕萨特"
    assert plan_for(" passat ").model == "帕萨特"
    assert plan_for("Lavida").model == "朗逸"


def test_models_have_their_own_intervals():
    assert plan_for("帕萨特").item("OIL").every_km == 7_500
    assert plan_for("default").item("OIL").every_km == 10_000


def test_the_seeded_plans_cover_the_common_models_and_load_once():
    plans = load_plans()
    assert {"default", "帕萨特", "速腾", "朗逸"} <= plans.keys()
    assert load_plans() is plans


def test_every_plan_item_refers_only_to_labour_and_parts_codes_from_the_price_list():
    """R-RC-5: whatever a plan proposes must be priceable from the published list."""
    for plan in load_plans().values():
        for item in plan.items:
            assert set(item.labour) <= LABOUR_CODES, (plan.model, item.code)
            assert {code for code, _ in item.parts} <= PART_CODES, (plan.model, item.code)
            assert all(qty > 0 for _, qty in item.parts), (plan.model, item.code)
            assert item.every_km or item.every_months, (plan.model, item.code)
            assert item.name_zh and item.name_en, (plan.model, item.code)


def test_the_yaml_file_itself_names_only_price_list_codes():
    document = yaml.safe_load(PLANS_PATH.read_text(encoding="utf-8"))
    for model, plan in document["plans"].items():
        for item in plan["items"]:
            assert set(item.get("labour") or ()) <= LABOUR_CODES, (model, item["code"])
            assert set(item.get("parts") or {}) <= PART_CODES, (model, item["code"])


def test_a_plan_file_without_a_default_plan_or_with_an_item_without_intervals_is_refused(tmp_path):
    path = tmp_path / "plans.yaml"
    path.write_text("plans:\n  帕萨特:\n    items:\n      - {code: OIL, name_zh: 机油, name_en: Oil, every_km: 5000}\n")
    with pytest.raises(ValueError, match="default"):
        load_plans(path)
    path = tmp_path / "bad.yaml"
    path.write_text("plans:\n  default:\n    items:\n      - {code: OIL, name_zh: 机油, name_en: Oil}\n")
    with pytest.raises(ValueError, match="every_km or every_months"):
        load_plans(path)


# ---------------------------------------------------------------------------------------------- first service


def test_the_first_service_is_due_at_6_months_or_5000_km():
    dues = due_items(plan_for("速腾"), PURCHASED, driven(20), {}, today=date(2024, 3, 10))
    [first] = [due for due in dues if due.item.code == "FIRST-SERVICE"]
    assert (first.due_on, first.reason) == (date(2024, 7, 10), "months")
    dues = due_items(plan_for("速腾"), PURCHASED, driven(100), {}, today=date(2024, 3, 10))
    [first] = [due for due in dues if due.item.code == "FIRST-SERVICE"]
    assert (first.due_on, first.due_km, first.reason) == (PURCHASED + timedelta(days=50), 5_000, "km")


def test_the_first_service_is_not_due_again_once_done_or_once_the_car_has_later_services():
    plan = plan_for("速腾")
    for done in ({"FIRST-SERVICE": (date(2024, 6, 1), 4_800)}, {"OIL": (date(2025, 1, 1), 15_000)}):
        codes = {due.item.code for due in due_items(plan, PURCHASED, driven(20), done, today=date(2025, 2, 1))}
        assert "FIRST-SERVICE" not in codes and "BRAKE-FLUID" in codes


# ---------------------------------------------------------------------------------------------- months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 24, date(2026, 2, 28)),
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 11, 30), 14, date(2027, 1, 30)),
    ],
)
def test_months_are_added_by_the_calendar_clamping_to_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_brake_fluid_for_a_car_bought_on_29_february_is_due_on_28_february_two_years_later():
    due = brake_fluid(
        due_items(plan_for("default"), date(2024, 2, 29), [], {}, today=date(2024, 3, 1), default_km_per_day=5)
    )
    assert (due.due_on, due.reason) == (date(2026, 2, 28), "months")


# ---------------------------------------------------------------------------------------------- R-BK-1


def test_due_within_lists_what_is_due_in_the_next_days_overdue_included_for_proactive_booking():
    """R-BK-1: the dealership calls owners whose maintenance is due."""
    plan = plan_for("帕萨特")
    today = date(2025, 12, 20)
    done = {"OIL": (date(2025, 11, 1), 3_000), "TYRE-ROTATION": (date(2025, 11, 1), 3_000)}
    readings = driven(5)
    everything = due_items(plan, PURCHASED, readings, done, today)
    soon = due_within(plan, PURCHASED, readings, done, today, days=30)
    # the cabin filter (12 months) is a year overdue, air filter and brake fluid (24 months) fall due on 2026-01-10
    assert [due.item.code for due in soon] == ["CABIN-FILTER", "AIR-FILTER", "BRAKE-FLUID"]
    assert soon == [due for due in everything if due.due_on <= today + timedelta(days=30)]
    assert [due.overdue for due in soon] == [True, False, False]
    assert all(due.due_on > today + timedelta(days=30) for due in everything if due not in soon)

    late = due_within(plan, PURCHASED, readings, done, date(2026, 2, 1), days=0)
    assert {due.item.code for due in late} == {"AIR-FILTER", "CABIN-FILTER", "BRAKE-FLUID"}
    assert all(due.overdue for due in late)


def test_due_within_includes_an_item_due_exactly_on_the_last_day():
    plan = plan_for("default")
    brake_on = date(2026, 1, 10)
    assert "BRAKE-FLUID" in {
        due.item.code for due in due_within(plan, PURCHASED, driven(5), {}, brake_on - timedelta(days=7), days=7)
    }
    assert "BRAKE-FLUID" not in {
        due.item.code for due in due_within(plan, PURCHASED, driven(5), {}, brake_on - timedelta(days=8), days=7)
    }
