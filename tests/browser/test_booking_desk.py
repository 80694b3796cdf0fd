"""The booking desk and the advisor in a real browser: an inbound call recorded in the customer's words with a
priced suggestion (R-BK-2), booked from the call list, then prepared (R-BK-6) and moved on the advisor's page."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from contracts import names
from services.staff.seed import DEMO_PASSWORD
from tests.support.factories import make_mobile, make_plate, make_vin

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")


def sign_in(page: Page, line, staff_id: str, then: str):
    page.goto(line.url(names.STAFF, "/login"))
    page.get_by_label("工号").fill(staff_id)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    page.goto(then)


def test_an_inbound_call_is_booked_from_the_call_list_and_prepared_by_the_advisor(page: Page, line):
    plate, tomorrow = make_plate(), (datetime.now(SHANGHAI) + timedelta(days=1)).date()
    sign_in(page, line, "B001", line.url(names.BOOKING, "/calls"))
    form = page.locator("form[action='/calls/inbound']")
    form.get_by_label("客户姓名", exact=True).fill("李秀英")
    form.get_by_label("手机", exact=True).fill("1390139")  # a malformed mobile first
    form.get_by_label("车牌", exact=True).fill(plate)
    form.locator("input[name='vin']").fill(make_vin())
    form.get_by_label("故障描述(客户原话)").fill("时速60左右踩刹车方向盘抖")
    form.get_by_role("button", name="记录来电").click()
    expect(page.locator("[data-field='mobile']")).to_contain_text("手机号码")
    form = page.locator("form[action='/calls/inbound']")
    expect(form.get_by_label("车牌", exact=True)).to_have_value(plate)  # what was typed is kept
    form.locator("input[name='mobile']").fill(make_mobile())
    form.get_by_role("button", name="记录来电").click()
    expect(page.locator(".flash.ok")).to_have_text("来电已记录")

    row = page.locator("tr[data-call]", has_text=plate)
    expect(row.locator("[data-symptom='BRAKE-JUDDER']")).to_contain_text("制动盘端面跳动超差")
    expect(row.locator("[data-symptom='BRAKE-JUDDER']")).to_contain_text(re.compile(r"预计费用 \d+\.\d\d 元"))

    row.locator("select[name='outcome']").select_option("booked")
    row.locator("input[name='date']").fill(tomorrow.isoformat())
    row.locator("input[name='time']").fill("09:45")  # the buffer after three slots (R-BK-3): refused
    row.locator("input[name='advisor_id']").fill("A001")
    row.get_by_role("button", name="记录结果").click()
    row = page.locator("tr[data-call]", has_text=plate)
    expect(row.locator("[data-field='time']")).to_contain_text("不是可预约的接待时段")
    row.locator("select[name='outcome']").select_option("booked")
    row.locator("input[name='date']").fill(tomorrow.isoformat())
    row.locator("input[name='time']").fill("10:00")
    row.locator("input[name='advisor_id']").fill("A001")
    row.get_by_role("button", name="记录结果").click()
    expect(page.locator(".flash.ok")).to_have_text("结果已记录")
    expect(page.locator("tr[data-call]", has_text=plate)).to_have_count(0)  # booked: off the call list

    sign_in(page, line, "A001", line.url(names.BOOKING, "/advisor?advisor_id=A001"))
    section = page.locator("section.appointment", has_text=plate)
    expect(section).to_contain_text("10:00")
    bay = section.locator("tr[data-item='technician_bay']")
    bay.locator("input[name='note']").fill("工位2 T001")
    bay.get_by_role("button", name="勾选").click()
    expect(page.locator(".flash.ok")).to_have_text("准备工作已更新")
    bay = page.locator("section.appointment", has_text=plate).locator("tr[data-item='technician_bay']")
    expect(bay).to_contain_text("已完成")
    expect(bay).to_contain_text("A001")

    # the advisor moves it: into the buffer first (refused in Chinese, what was typed kept), then to 10:15
    section = page.locator("section.appointment", has_text=plate)
    move = section.locator("form[action$='/reschedule']")
    move.locator("input[name='date']").fill(tomorrow.isoformat())
    move.locator("input[name='time']").fill("10:45")
    move.locator("input[name='reason']").fill("技师请假")
    move.get_by_role("button", name="改期").click()
    section = page.locator("section.appointment", has_text=plate)
    expect(section.locator("[data-field='time']")).to_contain_text("不是可预约的接待时段")
    expect(section.locator("input[name='reason']")).to_have_value("技师请假")
    section.locator("input[name='time']").fill("10:15")
    section.get_by_role("button", name="改期").click()
    expect(page.locator(".flash.ok")).to_have_text("预约已改期")
    expect(page.locator("section.appointment", has_text=plate)).to_contain_text("10:15")
    # and it cannot be a no-show before its time
    page.locator("section.appointment", has_text=plate).get_by_role("button", name="未到店(爽约)").click()
    expect(page.locator("section.appointment", has_text=plate)).to_contain_text("预约时间未到")
