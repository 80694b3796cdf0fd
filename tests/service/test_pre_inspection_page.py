"""R-RC-8 over reception's HTTP interface alone: check-ins get queue tickets, an occupied bay is refused in
Chinese naming the field, the fourth waiting car puts the red alert on /pre-inspection with the plan's two
actions, and the service manager's action is recorded (which, who, when) and shown on the monthly summary."""

import pytest
import requests

from contracts import names
from tests.support.factories import make_mobile, make_plate, make_vin
from tests.support.http import Client

pytestmark = pytest.mark.service


def walk_in():
    return {
        "customer": {"name": "王先生", "mobile": make_mobile()},
        "vehicle": {"vin": make_vin(), "plate": make_plate(), "model": "帕萨特"},
        "advisor_id": "A001",
    }


def test_the_fourth_waiting_car_raises_the_banner_and_the_manager_records_the_action(line_factory):
    line = line_factory()
    line.start([names.RECEPTION])
    client = Client(line, minted=True)

    def page(path, staff):
        headers = {"Authorization": f"Bearer {client.token(staff)}"}
        response = requests.get(line.url(names.RECEPTION, path), headers=headers, timeout=15)
        assert response.status_code == 200, response.text
        return response.text

    visits = [client.post(names.RECEPTION, "/api/visits", walk_in(), as_="A001", expect=201) for _ in range(3)]
    assert [v["ticket"] for v in visits] == ["001", "002", "003"]
    ticket = page(f"/visits/{visits[0]['visit_id']}/ticket", "A001")
    assert 'data-ticket="001"' in ticket and "叫号牌" in ticket and "您前面还有 0 辆车" in ticket

    # an occupied bay is refused, in Chinese, naming the field
    client.post(names.RECEPTION, f"/api/visits/{visits[0]['visit_id']}/pre-inspection", {"bay": "P1"}, as_="A001")
    refused = client.request(
        "POST", names.RECEPTION, f"/api/visits/{visits[1]['visit_id']}/pre-inspection", {"bay": "P1"}, as_="A001"
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert (error["field"], error["code"]) == ("bay", "bay_occupied")
    assert error["message"] == f"预检工位 P1 已被 {visits[0]['plate']} 占用"

    html = page("/pre-inspection", "M001")
    assert "data-alert=" not in html and 'data-bay="P1"' in html and 'data-ticket="002"' in html
    assert 'hx-get="/pre-inspection/board"' in html

    # two cars wait; two more check in: the fourth waiting car raises the alert at once
    for _ in range(2):
        client.post(names.RECEPTION, "/api/visits", walk_in(), as_="A001", expect=201)
    board = page("/pre-inspection/board", "M001")
    assert 'data-alert="queue"' in board and "预检区拥堵" in board and "等待车辆达到4台及以上" in board
    assert 'data-action="temporary_park_with_ticket"' in board
    assert 'data-action="move_written_up_cars_to_workshop_waiting_bays"' in board
    assert "临时停车并发放叫号牌" in board and "已制单车辆移至车间待修区" in board
    assert "<button" in board.split('data-alert="queue"')[1].split("</div>")[0]  # the manager gets buttons
    assert 'name="csrf_token" value=""' not in board  # the refreshed board's forms carry the session's token
    advisor_board = page("/pre-inspection/board", "A001")
    assert 'data-alert="queue"' in advisor_board and "由服务经理记录所采取的措施" in advisor_board
    assert "/actions" not in advisor_board  # the advisor sees the actions, the manager records them

    incident = client.get(names.RECEPTION, "/api/pre-inspection")["open_incident"]
    path = f"/pre-inspection/incidents/{incident['id']}/actions"
    not_allowed = client.request(
        "POST", names.RECEPTION, "/api" + path, {"action": "temporary_park_with_ticket"}, as_="A001"
    )
    assert not_allowed.status_code == 403
    # the banner's button: a form post as the manager
    headers = {"Authorization": f"Bearer {client.token('M001')}"}
    done = requests.post(
        line.url(names.RECEPTION, path),
        data={"action": "temporary_park_with_ticket"},
        headers=headers,
        timeout=15,
        allow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["Location"].endswith("/pre-inspection")
    taken = client.get(names.RECEPTION, "/api/pre-inspection")["open_incident"]["actions_taken"]
    assert [(t["action"], t["taken_by"]) for t in taken] == [("temporary_park_with_ticket", "M001")]
    assert taken[0]["taken_at"]
    board = page("/pre-inspection/board", "M001")
    assert 'data-action-taken="temporary_park_with_ticket"' in board
    assert 'data-action="move_written_up_cars_to_workshop_waiting_bays"' in board  # the other is still open
    twice = client.request("POST", names.RECEPTION, "/api" + path, {"action": "temporary_park_with_ticket"}, as_="M001")
    assert twice.status_code == 422 and twice.json()["error"]["field"] == "action"

    month = client.get(names.RECEPTION, "/api/pre-inspection/summary")["month"]
    summary = page(f"/pre-inspection/summary?month={month}", "M001")
    assert 'data-action-taken="temporary_park_with_ticket"' in summary and "临时停车并发放叫号牌" in summary
    assert 'href="/pre-inspection"' in summary
    assert 'href="/pre-inspection"' in page("/", "A001")
