"""The group dashboard's page (services/hq/templates/dashboard.html) rendered without a service: the figures
table, the charts, the drill-down and the empty state, in Chinese and in English."""

from tests.support.hq_pages import HQ_EMPTY_FIGURES, HQ_PAGES, dashboard_context
from tests.unit.test_translations import render

CONTEXT = HQ_PAGES["hq", "dashboard.html"]


def test_the_group_page_has_a_row_per_store_the_group_total_and_charts():
    html = render("hq", "dashboard.html", "zh_CN", **CONTEXT)
    assert 'data-store="store-a"' in html and 'data-store="store-b"' in html and 'data-store="group"' in html
    assert "预约率 (%)" in html and "每日进厂台次" in html and "预检区拥堵事件" in html
    assert html.count('<figure class="chart">') >= 4
    assert 'href="/stores/store-a?days=7"' in html and 'href="/figures.xlsx?days=7"' in html
    assert "回访平均分 (1-5)" in html and '<span data-basis="calls">回访结果</span>' in html
    assert '<span data-basis="complaints">投诉（门店未上报回访结果）</span>' in html
    assert '<span data-basis="mixed">回访结果与投诉</span>' in html


def test_a_store_page_shows_that_store_only_and_exports_it():
    figures = {k: v for k, v in CONTEXT["figures"].items() if k in ("store-b", "group")}
    html = render("hq", "dashboard.html", "en", **dashboard_context(figures, store="store-b"))
    assert 'data-store="store-b"' in html and 'data-store="store-a"' not in html and 'data-store="group"' not in html
    assert 'href="/figures.csv?days=7&amp;store=store-b"' in html


def test_the_empty_page_says_so_in_both_languages():
    context = dashboard_context(HQ_EMPTY_FIGURES, refused=False)
    assert "此期间没有任何门店的事件" in render("hq", "dashboard.html", "zh_CN", **context)
    assert "No events from any store in this period" in render("hq", "dashboard.html", "en", **context)
