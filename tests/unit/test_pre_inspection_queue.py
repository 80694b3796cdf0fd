"""R-RC-8, the pre-inspection area day to day: queue tickets 叫号牌 numbered per day in the dealership's time
(also when two advisors check in at the same moment), bays taken only when free, the next ticket called,
and the service manager's action on an alert recorded (which, who, when) and summed up in the month."""

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from kit.auth import ROLES
from services.reception.domain.pre_inspection import bays_setting
from services.reception.handlers import arrivals
from services.reception.models import Visit
from tests.support.db import service_work
from tests.support.factories import make_mobile, make_plate, make_vin
from tests.support.permissions import allowed

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def walk_in_cmd():
    return {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
        "advisor_id": "A001",
    }


def walk_in(work):
    return arrivals.checked_in(work, walk_in_cmd(), actor_id="A001", tz=SHANGHAI)


@pytest.fixture
def work(tmp_path):
    work = service_work("reception", tmp_path)
    work.clock = Clock(T0)
    return work


# --- queue tickets ------------------------------------------------------------------------------------


def race_two_check_ins(work) -> tuple[list, list, list]:
    """Two walk-ins checked in at the same moment on two threads, each held until both have read the day's
    last number and neither has written its own: (visits, errors, every flush of a visit)."""
    barrier = threading.Barrier(2, timeout=10)
    seen = threading.local()
    attempts = []

    def both_read_the_number_first(session, _context, _instances):
        if any(isinstance(o, Visit) for o in session.new):
            attempts.append(threading.get_ident())
            if not getattr(seen, "waited", False):
                seen.waited = True
                barrier.wait()  # each thread has its number, neither has written it

    sa.event.listen(work.session_factory, "before_flush", both_read_the_number_first)
    visits, errors = [], []

    def check_in():
        try:
            visits.append(walk_in(work))
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=check_in) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    sa.event.remove(work.session_factory, "before_flush", both_read_the_number_first)
    return visits, errors, attempts


# --- bays -------------------------------------------------------------------------------------------------


def test_the_bays_are_a_setting():
    assert bays_setting(None) == ("P1", "P2", "P3")
    assert bays_setting(" p1, P2 ,p4,,P2") == ("P1", "P2", "P4")


# --- the manager's action on the alert ------------------------------------------------------------------------


def test_only_the_service_manager_records_the_action_taken():
    assert [role for role in ROLES if allowed("reception.act_on_congestion", [role])] == ["service_manager"]
