"""R-PN-1 / R-WS-5: the customer is told of progress - work started, change needing consent, delay, ready for
pick-up - through the notification outbox, each notice once however often its cause arrives."""

import re

from services.reception.handlers import notices


def test_the_body_names_the_customer_the_car_the_time_and_the_advisor():
    subject, body = notices.compose(
        "ready", {"name": "王先生", "plate": "沪A12345", "ready": "2026-11-28 15:30", "advisor": "A001"}
    )
    assert "沪A12345" in subject
    assert "王先生" in body and "2026-11-28 15:30" in body and "A001" in body and "{" not in body


def test_every_kind_reads_in_chinese_with_its_facts_filled_in():
    facts = {
        "name": "王",
        "plate": "沪A1",
        "advisor": "A001",
        "promised": "16:00",
        "ready": "15:00",
        "reason": "刹车片",
        "amount": "512.30",
    }
    for kind in notices.KINDS:
        subject, body = notices.compose(kind, facts)
        assert "沪A1" in subject + body and "{" not in subject + body
        assert re.search(r"[\u4e00-\u9fff]", subject) and re.search(r"[\u4e00-\u9fff]", body)  # in Chinese
    assert (
        "刹车片" in notices.compose("consent_needed", facts)[1]
        and "512.30" in notices.compose("consent_needed", facts)[1]
    )
