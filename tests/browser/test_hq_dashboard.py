"""The group HQ's dashboard in a real browser, as the HQ role (issue 14, item 3): the events of two stores read from
the `hq.events` stream, their figures per store and for the group, drill-down to one store, the XLSX and CSV
exports, and an order that does not verify shown as refused, counted nowhere."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from kombu import Connection
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from contracts import names
from kit import streams
from tests.browser.test_booking_desk import sign_in
from tests.support.hq import Store, publish
from tests.support.http import Client, eventually
from tests.support.infra import drop_namespace, free_port, new_namespace
from tools.line import Line

pytestmark = pytest.mark.browser
# six hours back: the latest event (NOW + 5 h) is still in the dashboard's period, which ends with today in Shanghai,
# whatever the hour the test runs at (five minutes back, it fell into tomorrow after 19:00 there)
NOW = datetime.now(UTC) - timedelta(hours=6)


def store_a_events(a: Store) -> list[dict]:
    regular = "c-" + uuid.uuid4().hex  # the walk-in's customer booked an hour before: a returning customer
    booked1, booked2 = a.order(NOW, booked=True), a.order(NOW - timedelta(hours=1), booked=True, customer_ref=regular)
    walk_in = a.order(NOW, booked=False, customer_ref=regular)
    followup = a.followup(booked1, NOW)
    return [
        booked1,
        booked2,
        walk_in,
        a.ready(booked1, NOW + timedelta(hours=1)),  # before its promise (4 h)
        a.ready(walk_in, NOW + timedelta(hours=5)),  # after it
        a.delivered(booked1, NOW),
        followup,
        a.call_recorded(followup, "complaint", NOW, {"booking": 4, "workshop": 2, "settlement": 3}),
        a.complaint(booked1, "price", NOW),
    ]


def store_b_events(b: Store) -> list[dict]:
    walk_in = b.order(NOW, booked=False)
    tampered = b.order(NOW, booked=True)
    tampered["payload"]["order"]["appointment_id"] = None
    return [walk_in, tampered, b.qc_failed(walk_in, NOW), b.ready(walk_in, NOW), b.congestion("queue", NOW)]


@pytest.fixture(scope="module")
def hq_line(amqp_uri, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hq")
    ns, prefix = new_namespace(), f"t{uuid.uuid4().hex[:10]}."
    a, b = Store("store-a"), Store("store-b")
    for store in (a, b):
        store.publish_key(tmp / "stores")
    line = Line(
        env={
            "AMQP_URI": amqp_uri,
            "BUS_NAMESPACE": ns,
            "VAR_DIR": str(tmp / "var"),
            "SEED": "reference",
            "LOG_LEVEL": "WARNING",
            "HQ_AMQP_URI": amqp_uri,
            "HQ_STREAM_PREFIX": prefix,
            "HQ_STORES_DIR": str(tmp / "stores"),
        },
        log_dir=tmp / "log",
        ports={names.STAFF: free_port(), names.HQ: free_port()},
    )
    with Connection(amqp_uri, connect_timeout=streams.CONNECT_TIMEOUT) as conn:
        channel = conn.channel()
        streams.declare(channel, prefix)
        publish(channel, streams.names(prefix)[0], store_a_events(a), "store-a")
        publish(channel, streams.names(prefix)[0], store_b_events(b), "store-b")
        try:
            line.start([names.STAFF, names.HQ])
            yield line
        finally:
            line.stop()
            drop_namespace(amqp_uri, ns)
            streams.delete(channel, prefix)


def test_the_hq_viewer_reads_two_stores_drills_down_and_exports(page: Page, hq_line):
    client = Client(hq_line, minted=True)
    eventually(lambda: client.get(names.HQ, "/api/intake", as_="H001")["accepted"] == 13, what="13 events held")
    sign_in(page, hq_line, "H001", hq_line.url(names.HQ, "/"))
    expect(page.locator("h1")).to_have_text("集团看板")
    row_a, row_b = page.locator("tr[data-store='store-a']"), page.locator("tr[data-store='store-b']")
    expect(row_a.locator("[data-figure='visits']")).to_have_text("3")
    expect(row_a.locator("[data-figure='appointment_rate']")).to_have_text("66.7")
    expect(row_a.locator("[data-figure='on_time_rate']")).to_have_text("50.0")
    expect(row_a.locator("[data-figure='returning_rate']")).to_have_text("33.3")
    expect(page.locator("#figures th").filter(has_text="回厂客户占比")).to_have_count(1)
    expect(row_a.locator("[data-figure='satisfaction_rate']")).to_have_text("0.0")  # its one reached call: a complaint
    expect(row_a.locator("[data-figure='satisfaction_score']")).to_have_text("3.00")
    expect(row_a.locator("[data-figure='satisfaction_basis']")).to_have_text("回访结果")
    expect(page.locator("#figures th").filter(has_text="回访平均分 (1-5)")).to_have_count(1)
    expect(row_b.locator("[data-figure='visits']")).to_have_text("1")  # the refused order is no visit
    expect(row_b.locator("[data-figure='qc_failure_rate']")).to_have_text("50.0")
    expect(row_b.locator("[data-figure='incidents']")).to_have_text("1")
    expect(page.locator("tr[data-store='group'] [data-figure='visits']")).to_have_text("4")
    expect(page.locator("[data-intake='refused']")).to_have_text("1")
    expect(page.get_by_role("button", name="从第一条事件起重放事件流")).to_have_count(0)  # the administrator's
    expect(page.locator("figure.chart").first).to_be_visible()
    expect(page.locator("figure.chart svg g.chart-bar[data-label='store-a'][data-value='66.7']")).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert rows["store-a"][1] == 3 and rows["store-b"][1] == 1 and rows["集团"][1] == 4

    page.locator("a[data-store-link='store-b']").click()
    expect(page).to_have_url(hq_line.url(names.HQ, "/stores/store-b?days=30"))
    expect(page.locator("h1")).to_have_text("门店看板")
    expect(page.locator("tr[data-store]")).to_have_count(1)
    expect(page.locator("tr[data-store='store-b'] [data-figure='walk_ins']")).to_have_text("1")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    table = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert table[0][0] == "门店" and [r[0] for r in table[1:]] == ["store-b", "集团"]

    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Store dashboard")


def test_a_department_role_may_not_read_the_group_dashboard(hq_line):
    client = Client(hq_line, minted=True)
    assert client.request("GET", names.HQ, "/api/figures", as_="A001").status_code == 403
    assert client.get(names.HQ, "/api/figures?store=store-a", as_="H001")["stores"]["store-a"]["visits"] == 3


def test_only_an_admin_replays_the_stream_and_the_replay_doubles_nothing(hq_line):
    client = Client(hq_line, minted=True)
    # held, and read to the end (an earlier test's replay forgets the position until the stream is read again)
    before = eventually(
        lambda: (
            (state := client.get(names.HQ, "/api/intake", as_="H001"))["accepted"] == 13
            and state["positions"]
            and state
        ),
        what="13 events held and the stream's position stored",
    )
    (stream,) = before["positions"]
    assert client.request("POST", names.HQ, "/api/intake/replay", as_="H001").status_code == 403
    assert client.request("POST", names.HQ, "/api/intake/replay", as_="ADMIN").status_code == 202

    def replayed_to_the_end(state):  # a new position row (the old one was forgotten), at the last offset again
        position = state["positions"].get(stream)
        renewed = position and position["updated_at"] != before["positions"][stream]["updated_at"]
        return state if renewed and position["last_offset"] == before["positions"][stream]["last_offset"] else None

    after = eventually(
        lambda: replayed_to_the_end(client.get(names.HQ, "/api/intake", as_="H001")),
        what="the stream read again to its last offset",
    )
    assert (after["accepted"], after["refused"], after["unreadable"]) == (13, 1, 0)


def test_the_administrator_replays_the_stream_from_the_dashboard(page: Page, hq_line):
    client = Client(hq_line, minted=True)
    eventually(lambda: client.get(names.HQ, "/api/intake", as_="ADMIN")["accepted"] == 13, what="13 events held")
    sign_in(page, hq_line, "ADMIN", hq_line.url(names.HQ, "/"))
    page.get_by_role("button", name="从第一条事件起重放事件流").click()
    expect(page.locator(".flash")).to_contain_text("已开始重放")
    expect(page.locator("[data-intake='accepted']")).to_have_text("13")  # held once, whatever is read again
