"""The booking desk's reads before it holds workshop capacity (R-BK-3, R-BK-4): the command's own checks and the
advisor's free slots of three days, read in one statement, answer as the day-by-day reads did; the booking
answers with the appointment as written, which is what reading it back gives; one appointment read as columns
is what its entities gave; the price book in force is kit's."""

import json
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from contracts import names
from kit import price_list
from kit.errors import DomainError
from kit.uow import audit_trail
from services.billing import seed as billing_seed
from services.booking import handlers
from services.booking.domain.capacity import ALTERNATIVE_DAYS
from services.booking.domain.slots import SlotRules, free_slots
from services.booking.handlers import appointment_views, booking_desk, customer_file, workshop_capacity
from services.booking.models import Appointment, Customer, PriceListCopy, Vehicle
from tests.support.db import service_work, wire_event
from tests.support.factories import make_mobile, make_plate, make_vin

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
DAY = datetime(2026, 12, 2, tzinfo=TZ).date()
RULES = SlotRules()


def at(day_offset: int, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(DAY + timedelta(days=day_offset), time(hh, mm), TZ)


def command(starts_at, advisor_id="A001") -> dict:
    return {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": "帕萨特"},
        "starts_at": starts_at,
        "advisor_id": advisor_id,
    }


@pytest.fixture
def work(tmp_path):
    work = service_work("booking", tmp_path, consumer="booking.test")
    work.clock = lambda: T0
    # the advisor's bookings on each of the three days, the day before and the day after them; another advisor's
    for offset, hh, mm, advisor in ((-1, 9, 0, "A001"), (0, 9, 15, "A001"), (0, 10, 0, "A001"), (1, 9, 0, "A001"),
                                    (2, 16, 30, "A001"), (3, 9, 30, "A001"), (0, 9, 30, "A002")):  # fmt: skip
        work.run(handlers.book_appointment, command(at(offset, hh, mm), advisor), actor_id="B001")
    cancelled = work.run(handlers.book_appointment, command(at(1, 11, 0)), actor_id="B001")
    work.run(handlers.cancel_appointment, cancelled.appointment_id, reason="客户改期", by_dealership=False)
    return work


def day_by_day(session, advisor_id, now):
    """The candidate times as they were read before: one statement a day."""
    out = []
    for offset in range(ALTERNATIVE_DAYS):
        day = DAY + timedelta(days=offset)
        out += free_slots(day, RULES, TZ, handlers.booked_times(session, advisor_id, day, TZ), now)
    return out


def test_the_checks_answer_with_the_free_slots_of_three_days_as_read_day_by_day(work):
    expected = work.read(day_by_day, "A001", T0)
    assert at(0, 9, 15) not in expected and at(1, 9, 0) not in expected and at(2, 16, 30) not in expected
    assert at(0, 9, 30) in expected and at(1, 11, 0) in expected  # another advisor's, a cancelled one's
    assert work.read(workshop_capacity.check_before_holding, command(at(0, 9, 0)), RULES, TZ, T0) == expected
    assert work.read(workshop_capacity.candidate_times, "A001", DAY, RULES, TZ, T0) == expected
    later = T0 + timedelta(days=1, hours=2)  # 10:00 in Shanghai on the day: the morning is past
    assert work.read(workshop_capacity.candidate_times, "A001", DAY, RULES, TZ, later) == work.read(
        day_by_day, "A001", later
    )


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [(at(0, 9, 15), "slot_taken"), (at(0, 9, 45), "not_a_slot"), (datetime(2026, 11, 30, 9, tzinfo=TZ), None)],
)
def test_a_slot_taken_or_off_the_grid_is_refused_with_that_days_free_times(work, starts_at, code):
    with pytest.raises(DomainError) as refused:
        work.read(workshop_capacity.check_before_holding, command(starts_at), RULES, TZ, T0)
    if code is None:
        assert refused.value.code == "slot_in_past"
        return
    assert refused.value.code == code
    same_day = [s.isoformat() for s in work.read(handlers.open_slots, "A001", DAY, T0, RULES, TZ)]
    assert refused.value.details["alternatives"] == same_day[:8]


class HoldingWorkshop:
    """The workshop's capacity RPC, holding every time asked."""

    def call(self, method, **kwargs):
        return {"held": True, "alternatives": []}


def as_json(view: dict) -> str:
    return json.dumps(view, default=lambda o: o.isoformat(), sort_keys=True, ensure_ascii=False)


def test_the_desks_booking_answers_with_the_appointment_as_read_back(work):
    week = (datetime.now(TZ).date() - DAY).days + 7  # the desk checks against the real clock: a week ahead
    returning = command(at(week, 14, 0))
    first = booking_desk.book(work, HoldingWorkshop(), dict(returning), RULES, TZ, "B001")
    assert as_json(first.view) == as_json(work.read(handlers.appointment, first.appointment_id))
    again = {  # the same customer and car again: a new name, plate and model; parts with a decimal quantity
        **returning,
        "customer": {"name": "王建国", "mobile": returning["customer"]["mobile"]},
        "vehicle": {"vin": returning["vehicle"]["vin"].lower(), "plate": " 沪b12345 ", "model": "途观"},
        "starts_at": at(week + 1, 9, 0).astimezone(UTC),
        "complaint": "异响",
        "planned_labour": ["LAB-OIL"],
        "planned_parts": [{"part_no": "P-OIL-5W30", "quantity": Decimal("4.50")}],
        "email": "",
        "salutation": "先生",
    }
    second = booking_desk.book(work, HoldingWorkshop(), again, RULES, TZ, "B001")
    read_back = work.read(handlers.appointment, second.appointment_id)
    assert as_json(second.view) == as_json(read_back)
    assert read_back["customer_id"] == first.view["customer_id"] and read_back["vehicle"]["plate"] == "沪B12345"
    trail = work.read(audit_trail, second.appointment_id)
    assert [(t["action"], t["actor_id"], t["correlation_id"]) for t in trail] == [
        ("book_appointment", "B001", second.visit_id)
    ]


def entities_view(session, appointment_id):
    """The appointment as it was read before: its row, customer and vehicle loaded as entities."""
    row = session.execute(
        sa.select(Appointment, Customer, Vehicle)
        .join(Customer, Customer.customer_id == Appointment.customer_id)
        .join(Vehicle, Vehicle.vin == Appointment.vin)
        .where(Appointment.appointment_id == appointment_id)
    ).first()
    return appointment_views.appointment_view(*row)


def test_one_appointment_reads_as_its_entities_did(work):
    short = work.run(handlers.book_appointment, {**command(at(4, 9, 0)), "complaint": "异响"}, actor_id="B001")
    shortage = [{"part_no": "P-OIL-5W30", "quantity_short": "1", "expected_on": "2026-12-04"}]
    payload = {"appointment_id": short.appointment_id, "reserved": [], "short": shortage}
    work.handle(wire_event(names.PARTS_SHORT, payload), handlers.note_parts_short)
    ids = work.read(lambda s: list(s.scalars(sa.select(Appointment.appointment_id))))
    assert len(ids) == 9
    for appointment_id in ids:
        read = work.read(handlers.appointment, appointment_id)
        assert as_json(read) == as_json(work.read(entities_view, appointment_id))
    assert work.read(handlers.appointment, "no-such-appointment") is None


def test_the_price_book_in_force_is_kits_current_one(tmp_path):
    work = service_work("booking", tmp_path, consumer="booking.test")

    def both(session, now):
        return handlers.current_price_book(session, now), price_list.current(session, PriceListCopy, now)

    assert work.read(both, T0) == (None, None) and work.read(both, None) == (None, None)
    later = {**billing_seed.PRICE_LIST, "version": "2027.01-1", "effective_from": T0 + timedelta(days=30)}
    later["labour_rate"] = "320.00"
    for published in (billing_seed.PRICE_LIST, later):
        work.handle(wire_event(names.PRICE_LIST_PUBLISHED, published), handlers.take_price_list)
    for now in (T0, T0 + timedelta(days=31), None):
        ours, kits = work.read(both, now)
        assert ours == kits and ours is not None
    assert work.read(both, T0)[0].version != work.read(both, None)[0].version


class RacingWorkshop:
    """Holds, and while it answers another clerk books the same slot (the desk's read of the day is then stale)."""

    def __init__(self, work, starts_at):
        self.work, self.starts_at, self.calls = work, starts_at, []

    def call(self, method, **kwargs):
        self.calls.append(method)
        if method == "hold":
            self.work.run(handlers.book_appointment, command(self.starts_at), actor_id="B002")
        return {"held": True, "alternatives": []}


def test_a_slot_booked_while_the_workshop_held_is_refused_as_the_booking_refuses_a_taken_slot(work):
    """The desk's booking checks its slot against the day it read before the hold: a slot booked meanwhile is
    refused by the unique index with the same answer (slot_taken, that day's free times) and the hold released."""
    week = (datetime.now(TZ).date() - DAY).days + 7
    starts_at = at(week, 14, 0)
    workshop = RacingWorkshop(work, starts_at)
    with pytest.raises(DomainError) as refused:
        booking_desk.book(work, workshop, command(starts_at), RULES, TZ, "B001")
    assert refused.value.code == "slot_taken" and workshop.calls == ["hold", "release"]
    with pytest.raises(DomainError) as checked:  # what the booking's own check answers for that slot now
        work.run(handlers.book_appointment, command(starts_at), actor_id="B001")
    assert (refused.value.msgid, refused.value.params, refused.value.details) == (
        checked.value.msgid,
        checked.value.params,
        checked.value.details,
    )
    booked = [a for a in work.read(handlers.appointments).items if a["starts_at"] == starts_at]
    assert [a["booked_by"] for a in booked] == ["B002"]  # the other clerk's, and nothing of this one


def test_a_booking_writes_its_customer_and_car_as_the_customer_file_keeps_them(work):
    """The rows a booking writes by statement: a new customer's pinyin key, and on a second booking of the same
    customer and car a new name (its key with it), an e-mail kept when none is given, a new plate and owner."""
    from services.booking.domain.customers import name_key

    first = command(at(5, 9, 0))
    first.update(email="wang@example.com", salutation="先生", purchase_date=DAY - timedelta(days=400))
    booked = work.run(handlers.book_appointment, first, actor_id="B001")
    again = {**command(at(5, 9, 15)), "customer": {"name": "王建国", "mobile": first["customer"]["mobile"]}}
    again["vehicle"] = {**first["vehicle"], "plate": "沪c 55555 "}
    work.run(handlers.book_appointment, again, actor_id="B001")

    def rows(session):
        customer = session.scalars(sa.select(Customer).filter_by(customer_id=booked.customer_id)).one()
        vehicle = session.get(Vehicle, first["vehicle"]["vin"])
        return customer, vehicle

    customer, vehicle = work.read(rows)
    assert (customer.name, customer.pinyin, customer.email, customer.salutation, customer.privacy) == (
        "王建国",
        name_key("王建国"),
        "wang@example.com",
        "先生",
        "surname",
    )
    assert (vehicle.plate, vehicle.customer_id, vehicle.purchase_date) == (
        "沪C 55555",
        booked.customer_id,
        DAY - timedelta(days=400),
    )
    assert [c["name"] for c in work.read(customer_file.search, "wangjianguo").items] == ["王建国"]


def price_list_reads(work) -> list[str]:
    """The statements of `work`'s database that read the price list copies, as they run."""
    seen: list[str] = []
    sa.event.listen(
        work.session_factory.kw["bind"],
        "before_cursor_execute",
        lambda conn, cursor, statement, *args: seen.append(statement) if "price_list_copies" in statement else None,
    )
    return seen


def test_a_booking_checks_its_planned_work_against_the_price_book_in_force_read_once_a_database(tmp_path):
    """The booking's price book is kit's current one for the booking's time (the version in force then), whichever
    version that is; each version's book is read once a database, and another database holding a different list
    under the same version number answers with its own."""
    from services.booking.handlers import appointment_rows

    (tmp_path / "one").mkdir(), (tmp_path / "two").mkdir()
    work = service_work("booking", tmp_path / "one", consumer="booking.test")
    later = {**billing_seed.PRICE_LIST, "version": "2027.01-1", "effective_from": T0 + timedelta(days=30)}
    later["labour_operations"] = [
        *billing_seed.PRICE_LIST["labour_operations"],
        {"code": "LAB-NEW", "name": "新项目", "standard_hours": Decimal("1.0")},
    ]
    for published in (billing_seed.PRICE_LIST, later):
        work.handle(wire_event(names.PRICE_LIST_PUBLISHED, published), handlers.take_price_list)
    reads = price_list_reads(work)

    def books(session, now):
        ours = appointment_rows.parties_and_prices(session.connection(), make_mobile(), make_vin(), now)[1]
        return ours, price_list.current(session, PriceListCopy, now)

    for now in (T0, T0 + timedelta(days=31), T0, T0 + timedelta(days=31)):
        ours, kits = work.read(books, now)
        assert ours == kits and ours.version == ("2026.11-1" if now == T0 else "2027.01-1")
    ours_only = [s for s in reads if "FROM (SELECT" not in s and "ORDER BY price_list_copies" not in s]
    assert len(ours_only) == 2  # each version's book read once, then kept

    work.clock = lambda: T0  # before the later list is in force: its new labour code is refused, naming it
    with pytest.raises(DomainError) as refused:
        work.run(handlers.book_appointment, {**command(at(5, 9, 0)), "planned_labour": ["LAB-NEW"]}, actor_id="B001")
    assert (refused.value.code, refused.value.field) == ("unknown_labour", "planned_labour.0")
    work.clock = lambda: T0 + timedelta(days=31)
    booked = work.run(handlers.book_appointment, {**command(at(35, 9, 0)), "planned_labour": ["LAB-NEW"]})
    assert booked.planned_labour == ["LAB-NEW"]

    other = service_work("booking", tmp_path / "two", consumer="booking.test")  # the same version, other content
    without_new = {**billing_seed.PRICE_LIST, "version": "2027.01-1"}
    other.handle(wire_event(names.PRICE_LIST_PUBLISHED, without_new), handlers.take_price_list)
    ours, kits = other.read(books, T0 + timedelta(days=31))
    assert ours == kits and ours.version == "2027.01-1" and "LAB-NEW" not in ours.labour
    assert "LAB-NEW" in work.read(books, T0 + timedelta(days=31))[0].labour
