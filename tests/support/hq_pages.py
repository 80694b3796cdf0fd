"""Fake data for the group HQ's dashboard (tests/unit/test_translations.py renders every page with it, in English
and in Chinese)."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from services.hq.domain import figures as rules
from services.hq.domain.figures import CAUSE_TITLES as HQ_CAUSES
from services.hq.domain.figures import GROUP, INCIDENT_TITLES, RATE_COLUMNS, TABLE_COLUMNS
from tests.support.hq import Store

NOW = datetime(2026, 12, 7, 2, 30, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _figures():
    a, b = Store("store-a"), Store("store-b")
    order, walk_in = a.order(NOW, booked=True), b.order(NOW, booked=False)
    followup = a.followup(order, NOW)
    messages = [
        order,
        a.ready(order, NOW + timedelta(hours=1)),
        a.complaint(order, "price", NOW),
        followup,
        a.call_recorded(followup, "complaint", NOW, {"workshop": 2, "settlement": 4}),
        walk_in,
        b.followup(walk_in, NOW),  # store-b sends no call results: the stand-in
        b.congestion("queue", NOW),
    ]
    facts = [
        rules.Fact(
            m["dealer_id"],
            m["event_type"],
            datetime.fromisoformat(m["occurred_at"]),
            json.loads(json.dumps(m["payload"])),
        )
        for m in messages
    ]
    return rules.compute(facts, SHANGHAI, NOW.date() - timedelta(days=6), NOW.date())


def dashboard_context(figures, store=None, refused=True) -> dict:
    return {
        "figures": figures,
        "store": store,
        "group": GROUP,
        "first": NOW.date() - timedelta(days=6),
        "last": NOW.date(),
        "days": 7,
        "periods": (7, 30, 90),
        "columns": TABLE_COLUMNS,
        "rate_columns": RATE_COLUMNS,
        "causes": HQ_CAUSES,
        "basis_titles": rules.BASIS_TITLES,
        "incident_causes": INCIDENT_TITLES,
        "intake": {
            "accepted": 5,
            "refused": 1 if refused else 0,
            "unreadable": 0,
            "refused_events": [
                {"event_id": "e-1", "dealer_id": "store-b", "event_type": "order_signed", "reason": "altered"}
            ]
            if refused
            else [],
        },
    }


HQ_PAGES = {("hq", "dashboard.html"): dashboard_context(_figures())}
HQ_EMPTY_FIGURES = rules.compute([], SHANGHAI, NOW.date() - timedelta(days=6), NOW.date())
