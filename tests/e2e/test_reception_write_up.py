"""End to end over the line's public HTTP interfaces: the write-up at reception (issue #5).

A booked car checked in by its plate with the booked advisor (R-BK-5), the walk-around sheet (R-RC-1..3),
a lower mileage refused naming the field until the service manager confirms an odometer change (R-RC-2),
diagnosis from the knowledge base with a finding the customer declines (R-RC-4), the promise from the
workshop's load over RPC (R-RC-5), the key tag (R-RC-7), and the signed order taken by the workshop.
"""

import pytest

from contracts import names
from tests.support.factories import SIGNATURE_PNG, make_booking
from tests.support.http import eventually
from tests.support.visit import Visit

pytestmark = pytest.mark.e2e
MANAGER = "M001"


def test_a_full_write_up_through_the_api_reaches_the_workshop(client, line):
    first = Visit(line)
    first.book()
    first.check_in()
    first.write_and_sign_order(mileage_km=35210)  # the car's last reading

    booking = make_booking(vin=first.booking["vin"], vehicle=first.booking["vehicle"], complaint="冷车启动时怠速抖动")
    visit = Visit(line, booking=booking)
    visit.book()
    eventually(
        lambda: client.get(names.RECEPTION, f"/api/expected-arrivals?appointment_id={visit.appointment_id}")[
            "expected_arrivals"
        ],
        30,
        what="reception to expect the car",
    )
    plate = visit.booking["vehicle"]["plate"]
    checked_in = client.post(
        names.RECEPTION, "/api/visits", {"plate": plate[:2] + " " + plate[2:].lower()}, as_="A001", expect=201
    )
    assert checked_in["appointment_id"] == visit.appointment_id and checked_in["advisor_id"] == "A001"  # R-BK-5
    visit.visit_id = checked_in["visit_id"]
    path = f"/api/visits/{visit.visit_id}"

    # R-RC-2: a lower reading is refused in Chinese naming the field; the advisor may not override it
    refused = client.request("POST", names.RECEPTION, path + "/walk-around", {"mileage_km": 1200}, as_="A001")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "mileage_km" and "里程" in error["message"] and "35210" in error["message"]
    forbidden = client.request("POST", names.RECEPTION, path + "/odometer-change", {"reason": "自己说的"}, as_="A001")
    assert forbidden.status_code == 403
    client.post(names.RECEPTION, path + "/odometer-change", {"reason": "仪表总成更换"}, as_=MANAGER, expect=201)
    sheet = client.post(names.RECEPTION, path + "/walk-around", {"mileage_km": 1200}, as_="A001", expect=200)
    assert sheet["mileage_km"] == 1200 and sheet["odometer_changes"][0]["confirmed_by"] == MANAGER

    damage = {"zone": "left_front_door", "kind": "scratch", "note": "约10厘米"}
    client.post(names.RECEPTION, path + "/walk-around/damages", damage, as_="A001", expect=201)
    incomplete = client.request("POST", names.RECEPTION, path + "/walk-around/complete", {}, as_="A001")
    assert incomplete.status_code == 422 and "covers.seat" in incomplete.json()["error"]["missing"]
    visit.walk_around(mileage_km=1200)

    # R-RC-4: the customer's words, the knowledge base's suggestion, a finding the customer declines
    [suggestion] = client.get(names.RECEPTION, path + "/suggestions")["suggestions"]
    assert suggestion["code"] == "COLD-ROUGH-IDLE" and suggestion["estimate"]["gross"] == "203.40"
    client.post(names.RECEPTION, path + "/jobs", {"symptom": "COLD-ROUGH-IDLE"}, as_="A001", expect=201)
    diagnosis = {"concern": "冷车怠速抖动", "cause": "节气门积碳", "correction": "清洗节气门"}
    client.post(names.RECEPTION, path + "/diagnosis", diagnosis, as_="A001", expect=200)
    found = {"description": "制动液含水量超标", "lines": [{"kind": "labour", "code": "LAB-BRAKE-FLUID"}]}
    [finding] = client.post(names.RECEPTION, path + "/findings", found, as_="A001", expect=201)["findings"]
    client.post(
        names.RECEPTION, f"{path}/findings/{finding['id']}/decision", {"accepted": False}, as_="A001", expect=200
    )

    # R-RC-5..7: the workshop's promise over RPC, pay type, key tag, the customer waits
    order = client.post(
        names.RECEPTION,
        path + "/order",
        {"pay_type": "customer", "key_tag": f"K-{visit.appointment_id[:6]}", "customer_waits": True},
        as_="A001",
        expect=201,
    )
    draft = order["draft"]
    assert draft["promise_source"] == "workshop" and draft["mileage_km"] == 1200
    assert [line["code"] for line in draft["lines"]] == ["LAB-THROTTLE"]
    assert [line["code"] for line in draft["declined_lines"]] == ["LAB-BRAKE-FLUID"]

    signed = client.post(
        names.RECEPTION,
        f"/api/orders/{order['order_id']}/sign",
        {"customer_signature": SIGNATURE_PNG},
        as_="A001",
        expect=200,
    )
    body = signed["versions"][0]["signed"]["order"]
    assert body["complaint"]["customer_words"] == "冷车启动时怠速抖动" and body["complaint"]["cause"] == "节气门积碳"
    assert body["walk_around"]["odometer_change"]["confirmed_by"] == MANAGER
    assert body["walk_around"]["damages"][0]["zone"] == "left_front_door"

    work_order = eventually(
        lambda: client.get_if(names.WORKSHOP, f"/api/work-orders/{order['order_id']}"),
        30,
        what="the workshop to take the signed order",
    )
    assert [job["code"] for job in work_order["jobs"]] == ["LAB-THROTTLE"]
