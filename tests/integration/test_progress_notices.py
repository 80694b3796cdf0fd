"""R-PN-1 / R-WS-5: the customer is told of progress - work started, change needing consent, delay, ready for
pick-up - through the notification outbox, each notice once however often its cause arrives."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from contracts import names
from kit import notify
from kit.errors import DomainError
from kit.orders import OrderSigner
from services.reception.handlers import notices
from services.reception.models import ConsentRequest, OrderVersion, ProgressNotice, StaffName
from tests.support.db import service_work, wire_event
from tests.support.factories import make_mobile
from tests.support.reception_orders import store_signed_order

T0 = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def work(tmp_path, clock):
    work = service_work("reception", tmp_path, consumer="reception.tell_ready")
    work.clock = clock
    return work


def signed_order(work, tmp_path, email="wang@example.com", promised_at=None):
    customer = {"name": "王先生", "mobile": make_mobile(), **({"email": email} if email else {})}
    promised_at = (promised_at or T0 + timedelta(hours=3)).isoformat()
    return store_signed_order(work, OrderSigner(tmp_path / "keys"), customer=customer, promised_at=promised_at)


def ready_event(order, ready_at=T0):
    payload = {
        "order_id": order["order_id"],
        "order_version": 1,
        "jobs_done": [{"line_no": 1, "code": "LAB-OIL", "hours": Decimal("0.5"), "technician_id": "T001"}],
        "parts_used": [],
        "inspector_id": "Q001",
        "ready_at": ready_at,
    }
    return wire_event(names.VEHICLE_READY, payload, correlation_id=order["visit_id"])


def sent(work, order):
    return work.read(notify.notifications_about, order["order_id"])


def told(work, order):
    return work.read(notices.notices_of, order["order_id"])


def test_vehicle_ready_tells_the_customer_by_e_mail_once_even_when_it_arrives_again(work, tmp_path):
    order = signed_order(work, tmp_path)
    assert work.handle(ready_event(order), notices.vehicle_ready) is True

    [mail] = sent(work, order)
    assert mail["recipient"] == "wang@example.com" and mail["channel"] == "email" and mail["status"] == "pending"
    assert order["vehicle"]["plate"] in mail["subject"] and "取车" in mail["subject"]

    event = ready_event(order)
    assert work.handle(event, notices.vehicle_ready) is True
    assert work.handle(event, notices.vehicle_ready) is False  # the same delivery again: the inbox
    assert len(sent(work, order)) == 1  # another event about the same fact: the notice key
    assert [n["kind"] for n in told(work, order)] == ["ready"]


def test_without_an_e_mail_address_nothing_is_sent_but_the_advisor_sees_whom_to_phone(work, tmp_path):
    order = signed_order(work, tmp_path, email=None)
    work.handle(ready_event(order), notices.vehicle_ready)
    assert sent(work, order) == []
    [notice] = told(work, order)
    assert notice["kind"] == "ready" and notice["channel"] is None


def test_a_missed_promise_is_told_once_and_a_ready_car_is_never_late(work, tmp_path, clock):
    late = signed_order(work, tmp_path, promised_at=T0 + timedelta(hours=2))
    on_time = signed_order(work, tmp_path, promised_at=T0 + timedelta(hours=2))
    work.handle(ready_event(on_time, T0 + timedelta(hours=1)), notices.vehicle_ready)

    clock.now = T0 + timedelta(hours=2)  # exactly the promised time: not late yet
    assert work.run(notices.watch_promises) == []
    clock.now = T0 + timedelta(hours=2, seconds=1)
    assert [n.order_id for n in work.run(notices.watch_promises)] == [late["order_id"]]
    assert work.run(notices.watch_promises) == []  # the next timer round sends nothing again

    [delay] = [m for m in sent(work, late)]
    assert "晚于" in delay["subject"] or "延" in delay["subject"]
    assert [n["kind"] for n in told(work, on_time)] == ["ready"]


def consent_request(work, order, amendment_id, summary, answered=False):
    """As the amendment use case leaves it when the advisor has priced a change (R-WS-3)."""

    def write(uow):
        uow.session.add(
            ConsentRequest(
                amendment_id=amendment_id,
                order_id=order["order_id"],
                visit_id=order["visit_id"],
                plate=order["vehicle"]["plate"],
                customer={"name": "王先生", "mobile": order["customer"]["mobile"]},
                summary=summary,
                added_total=Decimal("512.30"),
                promised_at=T0 + timedelta(hours=6),
                requested_at=uow.clock(),
                answered_at=uow.clock() if answered else None,
            )
        )

    work.run(write)


def test_a_change_waiting_for_consent_is_told_once_with_what_how_much_and_by_when(work, tmp_path):
    order = signed_order(work, tmp_path)
    consent_request(work, order, "am-1", "更换前刹车片 1 套")
    consent_request(work, order, "am-0", "更换雨刮片", answered=True)  # already answered at the desk: no notice
    assert work.read(notices.consents_to_tell) == ["am-1"]

    [notice] = work.run(notices.tell_consent_requests)
    assert notice.kind == "consent_needed" and notice.key == "consent:am-1"
    assert work.read(notices.consents_to_tell) == [] and work.run(notices.tell_consent_requests) == []
    [body] = work.read(mail_bodies, order["order_id"])
    assert "更换前刹车片 1 套" in body and "512.30" in body and "2026-11-28 15:00" in body and "同意" in body


def test_work_started_is_told_once(work, tmp_path):
    order = signed_order(work, tmp_path)
    work.run(notices.work_started, order["order_id"])
    work.run(notices.work_started, order["order_id"])
    assert [n["kind"] for n in told(work, order)] == ["work_started"]
    assert [m["recipient"] for m in sent(work, order)] == ["wang@example.com"]


def test_a_notice_about_an_unknown_order_is_ignored(work):
    assert work.run(notices.work_started, "no-such-order") is None
    assert work.read(lambda s: s.query(ProgressNotice).count()) == 0


def test_work_started_from_the_workshop_is_told_once(work, tmp_path):
    order = signed_order(work, tmp_path)
    started = {"order_id": order["order_id"], "order_version": 1, "technician_id": "T001", "started_at": T0}
    for _ in range(2):  # two deliveries of different events about the same start
        work.handle(wire_event(names.WORK_STARTED, started, order["visit_id"]), notices.started)
    [mail] = sent(work, order)
    assert "开始维修" in mail["subject"] and order["vehicle"]["plate"] in mail["subject"]


def test_an_address_given_at_the_desk_is_used_for_the_next_notices(work, tmp_path):
    order = signed_order(work, tmp_path, email=None)
    with pytest.raises(DomainError) as refused:
        work.run(notices.set_email, order["visit_id"], "wang-at-example.com")
    assert refused.value.field == "email" and "邮箱" in refused.value.message
    work.run(notices.set_email, order["visit_id"], "wang@example.com")
    work.handle(ready_event(order), notices.vehicle_ready)
    assert [m["recipient"] for m in sent(work, order)] == ["wang@example.com"]


def test_notices_without_an_address_are_listed_to_phone_until_the_advisor_marks_them(work, tmp_path, clock):
    order = signed_order(work, tmp_path, email=None)
    work.handle(ready_event(order), notices.vehicle_ready)
    [row] = work.read(notices.to_phone, T0 - notices.PHONE_WINDOW)
    assert row["kind"] == "ready" and row["plate"] == order["vehicle"]["plate"]
    assert row["customer"]["mobile"] == order["customer"]["mobile"]
    assert work.read(notices.to_phone, T0 + timedelta(seconds=1)) == []  # older than the window: not listed

    clock.now = T0 + timedelta(minutes=3)
    work.run(notices.mark_phoned, row["key"], actor_id="A001")
    assert work.read(notices.to_phone, T0 - notices.PHONE_WINDOW) == []
    [told_by_phone] = told(work, order)
    assert (told_by_phone["phoned_by"], told_by_phone["phoned_at"]) == ("A001", T0 + timedelta(minutes=3))


def test_an_idle_timer_round_finds_nothing_to_write(work, tmp_path, clock):
    signed_order(work, tmp_path, promised_at=T0 + timedelta(hours=2))
    assert work.read(notices.missed_promises, T0 + timedelta(hours=1)) == []
    assert len(work.read(notices.missed_promises, T0 + timedelta(hours=3))) == 1


def test_a_delay_after_an_amended_promise_names_the_new_promised_time(work, tmp_path, clock):
    """R-WS-3 then R-PN-1: version 2 moved the promise; missing it is told with the new time, once more."""
    order = signed_order(work, tmp_path, promised_at=T0 + timedelta(hours=2))
    clock.now = T0 + timedelta(hours=2, minutes=1)
    work.run(notices.watch_promises)

    def amend(uow):  # as an amendment leaves it: a newer signed version with a later promise
        first = uow.session.get(OrderVersion, (order["order_id"], 1))
        body = {**first.signed["order"], "version": 2, "promised_at": (T0 + timedelta(hours=5)).isoformat()}
        uow.session.add(
            OrderVersion(
                order_id=order["order_id"],
                version=2,
                signed={**first.signed, "order": body},
                signed_at=uow.clock(),
                advisor_id="A001",
            )
        )

    work.run(amend)
    assert work.run(notices.watch_promises) == []  # the new promise is not missed yet
    clock.now = T0 + timedelta(hours=5, minutes=1)
    assert len(work.run(notices.watch_promises)) == 1
    first_delay, second_delay = work.read(mail_bodies, order["order_id"])
    assert "2026-11-28 11:00" in first_delay and "2026-11-28 14:00" in second_delay


def mail_bodies(session, order_id):
    table = session.info["metadata"].tables["notifications"]
    return list(session.scalars(sa.select(table.c.body).where(table.c.about == order_id).order_by(table.c.id)))


def test_the_mail_names_the_advisor_as_the_staff_directory_told_reception(work, tmp_path):
    """Issue 17: the customer reads the advisor's name, not only the staff number."""
    work.run(lambda uow: uow.session.add(StaffName(staff_id="A001", name="王芳")))
    order = signed_order(work, tmp_path)
    work.handle(ready_event(order), notices.vehicle_ready)

    [mail] = work.read(mail_bodies, order["order_id"])
    assert "王芳 (A001)" in mail
