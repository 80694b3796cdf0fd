"""`make run` (issue 17, part 9): on a line seeded with SEED=demo, the demo driver leaves work at every stage,
and each department's JSON shows it; a second run adds nothing."""

import re

import pytest

from contracts import names
from scripts.demo_visits import CARS, DELIVERED, drive
from services.booking.seed import DEMO as SEEDED_APPOINTMENTS
from tests.support.http import Client

pytestmark = pytest.mark.e2e


def plain(plate: str) -> str:
    return re.sub(r"[\s·.-]", "", plate)


def test_the_demo_driver_leaves_work_at_every_stage_of_every_department(line_factory):
    line = line_factory(SEED="demo")
    line.start()
    client = Client(line)
    logged = []

    driven = drive(line.url, log=logged.append)

    assert sorted(p for stage, plates in driven.items() if stage != "booked_today" for p in plates) == sorted(
        car.plate for car in CARS
    ), logged

    # reception: every demo car checked in with a signed order; tomorrow's seeded appointments still expected
    visits = client.get(names.RECEPTION, "/api/visits")["visits"]
    assert len(visits) == len(CARS) and all(v["order"]["status"] == "signed" for v in visits)
    expected = {a["plate"] for a in client.get(names.RECEPTION, "/api/expected-arrivals")["expected_arrivals"]}
    assert {plain(seeded[3]) for seeded in SEEDED_APPOINTMENTS} <= {plain(p) for p in expected}

    # workshop: cars waiting for dispatch, in repair, at the quality check (every job done), ready
    work_orders = client.get(names.WORKSHOP, "/api/work-orders")["work_orders"]
    statuses = [w["status"] for w in work_orders]
    assert statuses.count("waiting_dispatch") == 2 and statuses.count("ready") == 2
    in_progress = [w for w in work_orders if w["status"] == "in_progress"]
    at_qc = [w for w in in_progress if all(j["status"] == "done" for j in w["jobs"])]
    assert len(in_progress) == 2 and len(at_qc) == 1
    board = client.request("GET", names.WORKSHOP, "/board").text
    assert re.findall(r'data-status="(\w+)"', board).count("at_qc") == 1  # the wall board says 待质检

    # parts: issued against the dispatched orders, and the appointment shelf waiting to be picked
    assert client.get(names.PARTS, "/api/issues")["issues"]
    assert any(r["status"] == "reserved" for r in client.get(names.PARTS, "/api/reservations")["reservations"])

    # billing: one invoice to settle, one paid with its gate pass
    invoices = client.get(names.BILLING, "/api/invoices")["invoices"]
    assert [i["status"] for i in invoices].count("ready") == 1
    [paid] = [i for i in invoices if i["status"] == "paid"]
    assert paid["gate_pass_no"]

    # follow-up: the delivered car's call is scheduled
    [delivered] = [car for car in CARS if car.stage == DELIVERED]
    calls = client.get(names.FOLLOWUP, "/api/calls")["calls"]
    assert [plain(c["vehicle"]["plate"]) for c in calls] == [plain(delivered.plate)]

    # booking: the seeded appointments and today's bookings (only while today still has free slots)
    appointments = client.get(names.BOOKING, "/api/appointments")["appointments"]
    assert len(appointments) == len(SEEDED_APPOINTMENTS) + len(driven["booked_today"])

    # the reception page's "booked arrivals today" lists today's bookings and none of tomorrow's seeded ones
    page = client.request("GET", names.RECEPTION, "/").text
    today_table = page.split("data-other-days")[0]
    assert all(plain(p) in today_table for p in driven["booked_today"])
    assert not any(plain(seeded[3]) in today_table for seeded in SEEDED_APPOINTMENTS)
    assert "+00:00" not in page  # promised times in the dealership's local time, not raw UTC

    # run again (make run on the same databases): nothing added
    assert drive(line.url, log=logged.append) == {}
    assert len(client.get(names.RECEPTION, "/api/visits")["visits"]) == len(CARS)
