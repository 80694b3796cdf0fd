"""Holding workshop capacity for appointments on the workshop's real (SQLite) schema (R-BK-4, R-RC-5, R-BK-10):
idempotent holds, refusals with alternatives, confirm / release / move by the appointment events, lapses, and
20 clerks racing for the last capacity."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from contracts import names
from kit.db import migrate
from kit.uow import Work, session_factory_for
from services.billing import seed as billing_seed
from services.workshop import handlers
from services.workshop import handlers as planning
from services.workshop.domain import capacity
from services.workshop.domain.capacity import CapacityRules
from services.workshop.models import CapacityLoad
from tests.support.db import service_work, wire_event

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.now(TZ).date() + timedelta(days=7)
# one mechanic, one bay, 9:00-12:00, half bookable: 90 booked minutes a day, exactly one brake-disc job (1.5 h)
RULES = CapacityRules(
    appointment_share=Decimal("0.5"), opens=time(9), closes=time(12), handover_minutes=0, spill_days=0
)
DISC = ["LAB-BRAKE-DISC"]


def at(hh: int, mm: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hh, mm), TZ)


@pytest.fixture
def work(tmp_path):
    work = service_work("workshop", tmp_path, consumer="workshop.test")
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, billing_seed.PRICE_LIST), planning.take_price_list)
    work.run(small_workshop)
    return work


def small_workshop(uow):
    handlers.add_technician(uow, "T1", "刘师傅", "机电")
    handlers.add_bay(uow, "B1", "一号工位")
    uow.session.flush()
    planning.set_technician_capacity(uow, "T1", skills="mechanical")


def hold(work, appointment_id=None, starts_at=None, labour=DISC, candidates=None):
    return work.run(
        planning.hold,
        appointment_id or str(uuid.uuid4()),
        starts_at or at(9),
        list(labour),
        candidates=candidates,
        rules=RULES,
        tz=TZ,
    )


def booked(appointment_id, starts_at=None, labour=DISC):
    payload = {
        "appointment_id": appointment_id,
        "visit_id": str(uuid.uuid4()),
        "customer": {"name": "王先生", "mobile": "13912345678"},
        "vehicle": {"vin": "LSVAM4187C2184847", "plate": "沪A12345", "model": "帕萨特"},
        "starts_at": starts_at or at(9),
        "advisor_id": "A001",
        "planned_labour": list(labour),
    }
    return wire_event(names.APPOINTMENT_BOOKED, payload)


def test_the_last_capacity_is_held_once_and_the_next_is_refused_with_times_that_fit(work):
    first = hold(work)
    assert first["held"] and first["hours"] == Decimal("1.5")
    refused = hold(work, starts_at=at(9, 30), candidates=[at(10), at(9, day=DAY + timedelta(days=1))])
    assert refused["held"] is False
    assert refused["alternatives"] == [at(9, day=DAY + timedelta(days=1))]


def test_asking_again_for_the_same_appointment_holds_nothing_more(work):
    appointment_id = str(uuid.uuid4())
    first = hold(work, appointment_id)
    again = hold(work, appointment_id)
    assert again == first
    assert work.read(planning.hold_view, appointment_id)["hours"] == Decimal("1.5")
    assert sum(h["booked_hours"] for h in load(work)["by_hour"]) == Decimal("1.5")


def load(work):
    return work.read(planning.load_view, DAY, datetime.now(UTC), rules=RULES, tz=TZ, days=2)


def test_releasing_frees_the_capacity_at_once(work):
    appointment_id = str(uuid.uuid4())
    hold(work, appointment_id)
    assert hold(work)["held"] is False
    work.run(planning.release, appointment_id)
    assert work.read(planning.hold_view, appointment_id)["status"] == "released"
    assert hold(work)["held"] is True


def test_cancel_and_no_show_release_the_hold(work):
    for event_type in (names.APPOINTMENT_CANCELLED, names.APPOINTMENT_NO_SHOW):
        appointment_id = str(uuid.uuid4())
        hold(work, appointment_id)
        work.handle(booked(appointment_id), planning.confirm_booked, RULES, TZ)
        payload = {"appointment_id": appointment_id, "visit_id": str(uuid.uuid4())}
        payload.update(
            {"reason": "客户改期", "by_dealership": False}
            if event_type == names.APPOINTMENT_CANCELLED
            else {"starts_at": at(9)}
        )
        work.handle(wire_event(event_type, payload), planning.release_for_event)
        assert work.read(planning.hold_view, appointment_id)["status"] == "released"
        assert work.read(planning.hold_view, appointment_id)["chunks"] == []


def test_a_hold_never_confirmed_lapses_and_a_confirmed_one_does_not(tmp_path, work):
    crashed, kept = str(uuid.uuid4()), str(uuid.uuid4())
    hold(work, crashed)
    later = Work(
        work.session_factory,
        service="workshop",
        dealer_id="demo-4s",
        consumer="workshop.test",
        clock=lambda: datetime.now(UTC) + timedelta(minutes=RULES.hold_minutes + 1),
    )
    # the booking crashed between hold and commit: a few minutes later the capacity is free again
    assert hold(later, kept)["held"] is True
    later.handle(booked(kept), planning.confirm_booked, RULES, TZ)
    assert later.run(planning.expire_lapsed) == 1
    assert work.read(planning.hold_view, crashed)["status"] == "expired"
    much_later = Work(
        work.session_factory,
        service="workshop",
        dealer_id="demo-4s",
        clock=lambda: datetime.now(UTC) + timedelta(hours=1),
    )
    assert hold(much_later)["held"] is False  # the confirmed one still counts


def test_a_cancel_that_overtakes_the_booking_is_not_undone_by_it(work):
    appointment_id = str(uuid.uuid4())
    hold(work, appointment_id)
    cancelled = {"appointment_id": appointment_id, "visit_id": str(uuid.uuid4()), "by_dealership": False}
    work.handle(wire_event(names.APPOINTMENT_CANCELLED, cancelled), planning.release_for_event)
    work.handle(booked(appointment_id), planning.confirm_booked, RULES, TZ)
    assert work.read(planning.hold_view, appointment_id)["status"] == "released"
    assert hold(work)["held"] is True


def test_a_booking_that_arrives_without_a_hold_is_planned_and_flagged_when_no_room_is_left(work):
    hold(work)
    appointment_id = str(uuid.uuid4())
    work.handle(booked(appointment_id), planning.confirm_booked, RULES, TZ)
    view = work.read(planning.hold_view, appointment_id)
    assert view["status"] == "confirmed" and view["over_capacity"] is True
    assert sum(c["minutes"] for c in view["chunks"]) == 90


def test_rescheduling_moves_the_hold_and_frees_the_old_time(work):
    appointment_id = str(uuid.uuid4())
    hold(work, appointment_id)
    work.handle(booked(appointment_id), planning.confirm_booked, RULES, TZ)
    tomorrow = at(9, day=DAY + timedelta(days=1))
    moved = {
        "appointment_id": appointment_id,
        "visit_id": str(uuid.uuid4()),
        "starts_at": tomorrow,
        "previous_starts_at": at(9),
        "advisor_id": "A001",
        "by_dealership": False,
    }
    work.handle(wire_event(names.APPOINTMENT_RESCHEDULED, moved), planning.move_rescheduled, RULES, TZ)
    view = work.read(planning.hold_view, appointment_id)
    assert view["status"] == "confirmed" and view["starts_at"] == tomorrow
    assert hold(work)["held"] is True  # the old day is free again
    assert hold(work, starts_at=tomorrow)["held"] is False


def test_twenty_clerks_holding_the_last_capacity_at_once_get_it_exactly_once(work):
    """R-BK-4: never overbooked; the serialising day update decides, the others get alternatives."""
    candidates = [at(9, day=DAY + timedelta(days=d)) for d in range(1, 4)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda m: hold(work, starts_at=at(9, m), candidates=candidates), [0, 15, 30, 45] * 5))
    assert sum(a["held"] for a in answers) == 1
    for refused in (a for a in answers if not a["held"]):
        assert refused["alternatives"] == candidates
    assert sum(h["booked_hours"] for h in load(work)["by_hour"]) == Decimal("1.5")


def test_the_promised_time_follows_the_load(work):
    """R-RC-5: an empty workshop finishes 1 h of work an hour after it starts; booked work comes first."""
    now = datetime.now(UTC)
    empty = work.read(planning.promise_time, Decimal("1"), at(9), now, rules=RULES, tz=TZ)
    assert empty == at(10)
    hold(work)  # 90 of the mechanic's 180 minutes
    busy = work.read(planning.promise_time, Decimal("1"), at(9), now, rules=RULES, tz=TZ)
    assert busy > empty


def test_a_promise_is_the_same_whether_found_in_the_next_two_days_load_or_in_all_fourteen(work):
    """R-RC-5: the promise first reads today's and tomorrow's load alone (handlers/load.py); what it finds there, or
    after them from every day's load, is what planning against every day's load finds."""
    hold(work, starts_at=at(9))
    hold(work, starts_at=at(9, day=DAY + timedelta(days=1)))
    now = datetime.now(UTC)

    def with_every_day(hours):
        until = datetime.combine(DAY + timedelta(days=14), RULES.closes, TZ)
        load = work.read(planning.current_load, at(9), until, now)
        team = work.read(planning.roster.roster)
        plan = capacity.place(capacity.hours_needs(hours), at(9), until, team, RULES, TZ, load, Decimal(1))
        return plan.finishes_at

    near = work.read(planning.promise_time, Decimal("2.5"), at(9), now, rules=RULES, tz=TZ)
    assert near == with_every_day(Decimal("2.5")) and near.astimezone(TZ).date() == DAY + timedelta(days=1)
    later = work.read(planning.promise_time, Decimal("5"), at(9), now, rules=RULES, tz=TZ)
    assert later == with_every_day(Decimal("5")) and later.astimezone(TZ).date() > DAY + timedelta(days=1)


def test_the_load_view_shows_booked_against_bookable_and_all_hours(work):
    hold(work)
    view = load(work)
    assert [h["label"] for h in view["by_hour"]] == ["09:00", "10:00", "11:00"]
    nine = view["by_hour"][0]
    assert (nine["booked_hours"], nine["bookable_hours"], nine["capacity_hours"]) == (
        Decimal("0.5"),
        Decimal("0.5"),
        Decimal("1.0"),
    )
    assert view["by_day"][0]["booked_hours"] == Decimal("1.5") and view["by_day"][0]["bookable_hours"] == Decimal("1.5")
    assert view["by_day"][1]["booked_hours"] == 0


def test_holds_made_before_the_price_list_arrived_are_planned_again_with_its_standard_hours(tmp_path):
    """Booked before the workshop heard of the price list: planned at the default hour per job, then with
    the published standard hours (LAB-BRAKE-DISC 1.5 h) once price_list_published arrives."""
    work = service_work("workshop", tmp_path, consumer="workshop.test")
    work.run(small_workshop)
    appointment_id = str(uuid.uuid4())
    assert hold(work, appointment_id)["hours"] == Decimal("1")  # default_hours
    work.handle(wire_event(names.PRICE_LIST_PUBLISHED, billing_seed.PRICE_LIST), planning.take_price_list, RULES, TZ)
    view = work.read(planning.hold_view, appointment_id)
    assert view["hours"] == Decimal("1.5") and sum(c["minutes"] for c in view["chunks"]) == 90
    assert view["status"] == "held" and not view["over_capacity"]


def table_load(work):
    return work.read(
        lambda s: {(r.hour, r.resource): r.minutes for r in s.scalars(sa.select(CapacityLoad)) if r.minutes}
    )


def test_the_load_table_always_equals_a_full_recomputation_of_the_holds(work):
    """R-BK-4: holds, moves, confirmations, releases, lapses, an over-capacity booking and a re-plan by a new price
    list each change the per-hour load table in their own transaction; it stays the sum of the chunks that count."""
    tomorrow = at(9, day=DAY + timedelta(days=1))
    first, moved, lapsing, released = (str(uuid.uuid4()) for _ in range(4))
    steps = [
        lambda: hold(work, first),
        lambda: work.handle(booked(first), planning.confirm_booked, RULES, TZ),
        lambda: hold(work, moved, starts_at=tomorrow, labour=["LAB-THROTTLE"]),
        lambda: hold(work, moved, starts_at=at(10, day=DAY + timedelta(days=1)), labour=["LAB-THROTTLE"]),
        lambda: hold(work, lapsing, starts_at=at(9, day=DAY + timedelta(days=2)), labour=["LAB-THROTTLE"]),
        lambda: work.handle(booked(str(uuid.uuid4())), planning.confirm_booked, RULES, TZ),  # over capacity
        lambda: hold(work, released, starts_at=at(9, day=DAY + timedelta(days=3))),
        lambda: work.run(planning.release, released),
        lambda: work.handle(
            wire_event(
                names.PRICE_LIST_PUBLISHED,
                dict(
                    billing_seed.PRICE_LIST,
                    version="2099.1",
                    labour_operations=[
                        dict(op, standard_hours="0.8") if op["code"] == "LAB-THROTTLE" else op
                        for op in billing_seed.PRICE_LIST["labour_operations"]
                    ],
                ),
            ),
            planning.take_price_list,
            RULES,
            TZ,
        ),
    ]
    for step in steps:
        step()
        assert table_load(work) == work.read(planning.recomputed_load)
    statuses = {a: work.read(planning.hold_view, a)["status"] for a in (first, moved, lapsing, released)}
    assert statuses == {first: "confirmed", moved: "held", lapsing: "held", released: "released"}
    assert work.read(planning.hold_view, moved)["hours"] == Decimal("0.8")  # re-planned with the new list
    later = Work(
        work.session_factory,
        service="workshop",
        dealer_id="demo-4s",
        clock=lambda: datetime.now(UTC) + timedelta(hours=1),
    )
    assert later.run(planning.expire_lapsed) == 2  # lapsing, and moved (never confirmed)
    assert table_load(work) == work.read(planning.recomputed_load)
    assert table_load(work)  # the confirmed ones still count


def test_the_load_read_from_the_table_leaves_out_lapsed_holds_and_the_hold_being_moved(work):
    lapsing = str(uuid.uuid4())
    hold(work, lapsing)
    now = datetime.now(UTC)
    window = (at(9) - timedelta(hours=1), at(12))
    taken = work.read(planning.current_load, *window, now)
    assert sum(m for (_h, r), m in taken.items() if r == "technicians") == 90
    assert not any(work.read(planning.current_load, *window, now, except_for=lapsing).values())
    after_it_lapsed = now + timedelta(minutes=RULES.hold_minutes + 1)
    assert not any(work.read(planning.current_load, *window, after_it_lapsed).values())


def test_a_hold_made_meanwhile_is_read_again_under_the_locks_and_moved_not_doubled(work, monkeypatch):
    """R-BK-4: booking's retry of a hold the workshop took after all: the first read (before the day locks) finds
    nothing, the read under the locks (with the load, one statement) finds the hold, which is moved, not doubled."""
    appointment_id, tomorrow = str(uuid.uuid4()), DAY + timedelta(days=1)
    hold(work, appointment_id, starts_at=at(9, day=tomorrow), labour=["LAB-THROTTLE"])
    monkeypatch.setattr(planning.capacity, "_hold_of", lambda session, appointment_id: None)
    again = hold(work, appointment_id, starts_at=at(10, day=tomorrow), labour=["LAB-THROTTLE"])
    assert again["held"] and again["starts_at"] == at(10, day=tomorrow).astimezone(UTC)
    view = work.read(planning.hold_view, appointment_id)
    assert view["status"] == "held" and min(c["hour"] for c in view["chunks"]) == at(10, day=tomorrow)
    assert table_load(work) == work.read(planning.recomputed_load)
    window = (at(9, day=tomorrow) - timedelta(hours=1), at(12, day=tomorrow))
    load, there = work.read(planning.load_table.current_load_and_hold, *window, datetime.now(UTC), appointment_id)
    assert there and load == work.read(planning.current_load, *window, datetime.now(UTC), except_for=appointment_id)
    assert work.read(planning.load_table.current_load_and_hold, *window, datetime.now(UTC), "none")[1] is False


def test_the_migration_fills_the_load_table_from_the_holds_already_made(tmp_path):
    from alembic import command

    from kit.db import alembic_config, make_engine
    from services.workshop.models import Base

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        command.upgrade(alembic_config("workshop", engine, Base.metadata, conn), "c3f1a9e4d2b7")
        for appointment_id, status in (("a1", "confirmed"), ("a2", "held"), ("a3", "released")):
            conn.execute(
                sa.text(
                    "INSERT INTO capacity_holds (appointment_id, starts_at, labour, needs, status, over_capacity,"
                    " created_at, updated_at) VALUES (:a, :t, '[]', '[]', :s, 0, :t, :t)"
                ),
                {"a": appointment_id, "s": status, "t": "2026-12-01 01:00:00.000000"},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO capacity_chunks (appointment_id, hour, skill, minutes) VALUES (:a, :h, 'quick', 30)"
                ),
                {"a": appointment_id, "h": "2026-12-01 02:00:00.000000"},
            )
    work = Work(session_factory_for(engine, Base.metadata), service="workshop", dealer_id="demo-4s")
    migrate("workshop", engine, Base.metadata)
    two = datetime(2026, 12, 1, 2, tzinfo=UTC)
    assert table_load(work) == {(two, "quick"): 60, (two, "technicians"): 60, (two, "bays"): 60}
    assert table_load(work) == work.read(planning.recomputed_load)


def _moment(value):
    """A date or datetime as the driver got it (SQLite: ISO text), else None."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            return datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _flat(parameters):
    if isinstance(parameters, dict):
        parameters = parameters.values()
    for value in parameters:
        if isinstance(value, list | tuple | dict):
            yield from _flat(value)
        else:
            yield value


class LoadWrites:
    """The days each transaction locks (capacity_days) and the load rows it writes (capacity_load), in order."""

    def __init__(self, engine):
        self.engine, self.steps = engine, []

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        values = [m for m in map(_moment, _flat(parameters)) if m is not None]
        if statement.startswith("INSERT INTO capacity_days"):
            self.steps.append(("day", {v for v in values if isinstance(v, date) and not isinstance(v, datetime)}))
        elif "capacity_load" in statement and not statement.lstrip().startswith("SELECT"):
            self.steps.append(("load", {v for v in values if isinstance(v, datetime)}))


def assert_days_locked_before_any_load_row(steps):
    """Every day whose load rows the transaction writes is locked before its first load row, no day after it."""
    first_load = next(i for i, (kind, _) in enumerate(steps) if kind == "load")
    locked = set().union(*(days for kind, days in steps[:first_load] if kind == "day"))
    later = set().union(*(days for kind, days in steps[first_load:] if kind == "day"))
    written = {
        hour.replace(tzinfo=UTC).astimezone(TZ).date() if hour.tzinfo is None else hour.astimezone(TZ).date()
        for kind, hours in steps
        if kind == "load"
        for hour in hours
    }
    assert written and written <= locked, (written, locked)
    assert later <= locked, (later, locked)


def test_every_change_of_the_load_locks_its_days_first_in_one_go(work):
    """No deadlock on PostgreSQL (handlers/capacity.py): a release, the timer's tidying of lapsed holds on several
    days, a move to another day and a new price list's re-plan of several holds each lock the rows of every day they
    will write load to before writing any, so two of them that meet wait at a day row in date order."""
    engine = work.session_factory.kw["bind"]
    days = [DAY + timedelta(days=n) for n in (3, 1, 2)]
    lapsing = [str(uuid.uuid4()) for _ in days]
    for appointment_id, day in zip(lapsing, days, strict=True):
        hold(work, appointment_id, starts_at=at(9, day=day), labour=["LAB-THROTTLE"])
    moving, releasing = str(uuid.uuid4()), str(uuid.uuid4())
    hold(work, moving, starts_at=at(9, day=DAY + timedelta(days=5)), labour=["LAB-THROTTLE"])
    hold(work, releasing, starts_at=at(9, day=DAY + timedelta(days=6)), labour=["LAB-THROTTLE"])
    new_list = dict(
        billing_seed.PRICE_LIST,
        version="2099.2",
        labour_operations=[
            dict(op, standard_hours="0.7") if op["code"] == "LAB-THROTTLE" else op
            for op in billing_seed.PRICE_LIST["labour_operations"]
        ],
    )
    later = Work(
        work.session_factory,
        service="workshop",
        dealer_id="demo-4s",
        clock=lambda: datetime.now(UTC) + timedelta(minutes=RULES.hold_minutes + 1),
    )
    changes = [
        lambda: work.handle(wire_event(names.PRICE_LIST_PUBLISHED, new_list), planning.take_price_list, RULES, TZ),
        lambda: hold(work, moving, starts_at=at(10, day=DAY + timedelta(days=4)), labour=["LAB-THROTTLE"]),
        lambda: work.run(planning.release, releasing, TZ),
        lambda: later.run(planning.expire_lapsed, TZ),
    ]
    for change in changes:
        with LoadWrites(engine) as seen:
            change()
        assert_days_locked_before_any_load_row(seen.steps)
        assert table_load(work) == work.read(planning.recomputed_load)
    assert {work.read(planning.hold_view, a)["status"] for a in lapsing} == {"expired"}
