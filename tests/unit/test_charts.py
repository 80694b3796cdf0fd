"""The kit's server-drawn bar chart: one bar per row, bars over their limit marked."""

from decimal import Decimal

from kit.web import _environment


def render(rows, **kw):
    template = _environment(None, "zh_CN").from_string('{% from "charts.html" import bars %}{{ bars(rows, **kw) }}')
    return template.render(rows=rows, kw=kw)


def test_one_bar_per_row_with_its_label_and_value():
    html = render([{"label": "09:00", "value": 3}, {"label": "10:00", "value": Decimal("1.5")}])
    assert html.count('class="chart-bar') == 2
    assert 'data-label="09:00" data-value="3"' in html and 'data-value="1.5"' in html


def test_a_bar_over_its_limit_is_marked_and_one_within_is_not():
    html = render([{"label": "周一", "value": 9, "limit": 8}, {"label": "周二", "value": 4, "limit": 8}])
    assert html.count('class="chart-bar over"') == 1
    assert 'class="chart-bar over" data-label="周一"' in html


def test_an_empty_chart_still_renders():
    assert "<svg" in render([])
