"""Follow-up in a real browser: the agent completes a call with scores and a complaint (R-FU-3..5); the manager
assigns a call and reads the monthly report (R-FU-6); a care contact books the next visit (R-CR-4)."""

from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from contracts import names
from tests.browser.test_booking_desk import sign_in
from tests.support.factories import SHANGHAI, make_mobile, make_plate, make_vin
from tests.support.http import Client
from tests.support.visit import Visit

pytestmark = pytest.mark.browser


def test_the_agent_completes_a_call_with_scores_and_a_complaint(page: Page, line):
    visit = Visit(line, client=Client(line))
    call = visit.through_to_delivery()
    sign_in(page, line, call["assigned_to"], line.url(names.FOLLOWUP, f"/calls/{call['call_id']}"))
    expect(page.locator(".visit-brief")).to_contain_text(visit.booking["vehicle"]["plate"])
    expect(page.locator(".visit-brief")).to_contain_text(visit.advisor)  # the visit in brief: who served
    form = page.locator("#call-form")
    form.get_by_label("保养/维修后车辆使用情况如何？").fill("开起来有异响")
    for department, score in (("booking", "5"), ("reception", "4"), ("workshop", "2"), ("settlement", "4")):
        form.locator(f"select[name='score_{department}']").select_option(score)
    form.get_by_label("客户原话").fill("保养后发动机有异响，希望尽快处理")
    form.get_by_label("投诉", exact=True).check()
    form.get_by_role("button", name="记录结果").click()
    expect(page.locator("[data-field='cause']")).to_contain_text("请选择投诉原因")  # a complaint needs its cause
    form = page.locator("#call-form")
    expect(form.get_by_label("客户原话")).to_have_value("保养后发动机有异响，希望尽快处理")  # what was typed is kept
    form.get_by_label("投诉原因").select_option("workmanship")
    form.get_by_role("button", name="记录结果").click()
    expect(page.locator(".flash.ok")).to_have_text("结果已记录")

    page.goto(line.url(names.FOLLOWUP, "/complaints"))
    row = page.locator("tr[data-complaint]", has_text=visit.booking["vehicle"]["plate"])
    expect(row).to_contain_text("维修质量")
    expect(row).to_contain_text("D001")


def test_the_manager_assigns_a_call_and_reads_the_monthly_report(page: Page, line):
    visit = Visit(line, client=Client(line))
    call = visit.through_to_delivery()
    other = "F002" if call["assigned_to"] != "F002" else "F001"
    sign_in(page, line, "M001", line.url(names.FOLLOWUP, "/?q=" + visit.booking["vehicle"]["plate"]))
    row = page.locator(f"tr[data-call='{call['call_id']}']")
    row.locator("select[name='assigned_to']").select_option(other)
    row.get_by_role("button", name="分派").click()
    expect(page.locator(".flash.ok")).to_have_text("回访已分派")
    expect(page.locator(f"tr[data-call='{call['call_id']}'] select[name='assigned_to']")).to_have_value(other)

    month = datetime.fromisoformat(call["due_by"]).astimezone(SHANGHAI).strftime("%Y-%m")
    page.goto(line.url(names.FOLLOWUP, f"/report?month={month}"))
    expect(page.locator("h2")).to_contain_text("回访月报")
    expect(page.locator("#calls-due")).not_to_have_text("0")
    expect(page.locator("figure.chart")).to_have_count(3)
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").click()
    assert download.value.suggested_filename == f"回访月报-{month}.xlsx"


def test_a_care_contact_books_the_next_visit(page: Page, line):
    mobile, now = make_mobile(), datetime.now(SHANGHAI)
    handover = {
        "name": "李四",
        "mobile": mobile,
        "vin": make_vin(),
        "plate": make_plate(),
        "model": "帕萨特",
        "handed_over_at": now.isoformat(),
        "salesperson": "SP01",
        "sales_manager": "SM01",
        "city": "上海",
    }
    Client(line).post(names.FOLLOWUP, "/api/care/handovers", {"handovers": [handover]}, as_="F001", expect=201)
    sign_in(page, line, "F001", line.url(names.FOLLOWUP, f"/care/customers/{mobile}"))
    form = page.locator("#contact-form")
    form.get_by_label("任务").select_option(
        label=form.get_by_label("任务").locator("option", has_text="销售经理电话").inner_text()
    )
    form.get_by_label("结果").fill("车况良好，约首保")
    form.get_by_label("预约下次进店").check()
    form.get_by_label("服务顾问").fill("A002")
    form.get_by_role("button", name="记录联系").click()
    expect(page.locator(".flash.ok")).to_have_text("已保存")
    expect(page.locator("td.booked").first).not_to_be_empty()
