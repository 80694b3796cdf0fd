"""R-WS-3 at reception: found work is priced, the customer consents (tablet signature or phone), and only then
is a new order version signed; declined lines are recorded; old versions stay readable and verifiable."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from contracts.events import OrderSchema
from kit import signing
from kit.errors import DomainError
from services.reception.domain import amendments
from services.reception.handlers import amendments as amending
from tests.support.factories import make_order_body

D = Decimal


# --- the advisor re-prices -----------------------------------------------------------------------


# --- no change without consent --------------------------------------------------------------------


# --- consent gives version 2 -----------------------------------------------------------------------


# --- old versions stay readable and verifiable --------------------------------------------------------


def test_the_body_hash_is_the_sha256_of_the_canonical_json():
    body = OrderSchema().dump(OrderSchema().load(_body()))
    assert amending.body_sha256(body) == signing.sha256_hex(signing.canonical(body))


def _body():
    return make_order_body()


# --- pure rules --------------------------------------------------------------------------------------


def test_the_new_promise_adds_the_labour_hours_to_the_current_promise_on_the_half_hour():
    promise = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    now = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    lines = [{"kind": "labour", "quantity": D("1.2")}, {"kind": "part", "quantity": D("3")}]
    assert amendments.reestimate(promise, now, lines) == datetime(2026, 11, 28, 7, 30, tzinfo=UTC)
    late = datetime(2026, 11, 28, 8, 10, tzinfo=UTC)  # the promise has passed: from now
    assert amendments.reestimate(promise, late, lines) == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert amendments.reestimate(promise, now, [{"kind": "part", "quantity": D("1")}]) == promise


def test_a_line_number_that_was_not_proposed_is_refused():
    with pytest.raises(DomainError) as refused:
        amendments.decide([{"line_no": 3}], [3, 7])
    assert refused.value.field == "accepted_lines"


def test_the_consent_page_form_reads_the_answer_and_the_phone_consent_in_local_time():
    from werkzeug.datastructures import MultiDict

    from services.reception.web.amendments import accepted_from_form, consent_from_form

    form = MultiDict(
        [
            ("accept", "5"),
            ("accept", "3"),
            ("consent_method", "phone"),
            ("consent_at", "2026-11-28T10:15"),
            ("consent_staff_id", "A001"),
            ("consent_words", "同意"),
        ]
    )
    assert accepted_from_form(form) == [3, 5]
    consent = consent_from_form(form)
    assert consent["at"] == datetime(2026, 11, 28, 2, 15, tzinfo=UTC)  # 10:15 in Shanghai
    assert (consent["staff_id"], consent["customer_words"]) == ("A001", "同意")
    signed = consent_from_form(MultiDict({"consent_method": "signature", "customer_signature_sha256": "ab" * 32}))
    assert signed == {"method": "signature", "signature_sha256": "ab" * 32}
    assert consent_from_form(MultiDict({})) is None
    with pytest.raises(DomainError) as refused:
        consent_from_form(MultiDict({"consent_method": "phone", "consent_at": "yesterday"}))
    assert refused.value.field == "consent.at"


def test_asking_the_workshop_gives_its_time_or_nothing_when_it_does_not_answer():
    from kit.rpc import ServiceUnavailable
    from services.reception.web.amendments import ask_workshop

    class Workshop:
        def __init__(self, answer):
            self.answer, self.asked = answer, []

        def call(self, method, **kwargs):
            self.asked.append((method, kwargs))
            if isinstance(self.answer, Exception):
                raise self.answer
            return self.answer

    start = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    answering = Workshop({"promised_at": "2026-11-28T09:30:00+00:00", "hours": "2.5"})
    assert ask_workshop(answering, D("2.5"), start) == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert answering.asked == [("promise_time", {"hours": "2.5", "not_before": start.isoformat()})]
    assert ask_workshop(Workshop(ServiceUnavailable("workshop")), D("1"), start) is None
    assert ask_workshop(Workshop({"promised_at": None}), D("1"), start) is None
    silent = Workshop({})
    assert ask_workshop(silent, None, None) is None and silent.asked == []
