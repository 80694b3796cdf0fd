"""R-RC-8: the pre-inspection area alerts the service manager when it congests (controllable clock)."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from contracts import names
from kit.db import outbox_table
from services.reception.handlers import arrivals, pre_inspection
from services.reception.models import CongestionIncident
from tests.support.db import service_work
from tests.support.factories import make_mobile, make_plate, make_vin

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def walk_in(work, staff="A001"):
    cmd = {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": ""},
        "advisor_id": "A001",
    }
    return work.run(arrivals.check_in, cmd, actor_id=staff)


def incidents(work):
    return work.read(lambda s: list(s.scalars(sa.select(CongestionIncident).order_by(CongestionIncident.id))))


def alerts(work):
    def query(session):
        outbox = outbox_table(session.info["metadata"])
        return session.execute(
            sa.select(outbox.c.body).where(outbox.c.event_type == names.PRE_INSPECTION_CONGESTED)
        ).all()

    return work.read(query)


def test_the_fourth_waiting_car_records_an_incident_and_alerts_once(tmp_path):
    work = service_work("reception", tmp_path)
    work.clock = Clock(T0)
    visits = [walk_in(work) for _ in range(4)]
    [incident] = incidents(work)
    assert (incident.cause, incident.waiting, incident.cleared_at) == ("queue", 4, None)
    assert len(alerts(work)) == 1
    walk_in(work)  # a fifth car: the same incident, no second alert
    assert len(incidents(work)) == 1 and len(alerts(work)) == 1
    for visit, bay in zip(visits[:2], ("P1", "P2"), strict=True):  # two cars onto bays: three wait, it clears
        work.run(pre_inspection.start_pre_inspection, visit.visit_id, bay)
    assert incidents(work)[0].cleared_at == T0


def test_a_car_waiting_twenty_minutes_and_one_second_is_recorded_by_the_watch(tmp_path):
    work = service_work("reception", tmp_path)
    clock = work.clock = Clock(T0)
    walk_in(work)
    clock.now = T0 + timedelta(minutes=20)
    work.run(pre_inspection.watch_pre_inspection)
    assert incidents(work) == []
    clock.now = T0 + timedelta(minutes=20, seconds=1)
    work.run(pre_inspection.watch_pre_inspection)
    [incident] = incidents(work)
    assert (incident.cause, incident.longest_wait_seconds) == ("wait", 1201)
    assert len(alerts(work)) == 1
