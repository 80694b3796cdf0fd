"""The parts service gathers three web mixins: a view named alike in two of them would hide the other's route."""

from collections import Counter

from kit.service import KitEndpoints
from services.parts.service import Service
from services.parts.web.counter import CounterViews
from services.parts.web.stock import StockViews
from services.parts.web.supply import SupplyViews


def test_no_view_of_one_mixin_hides_another():
    names = Counter(
        k for cls in (CounterViews, SupplyViews, StockViews, KitEndpoints) for k in vars(cls) if not k.startswith("__")
    )
    assert [name for name, n in names.items() if n > 1] == []


def test_every_route_of_the_counter_is_served():
    routes = {
        (ep.method, ep.url)
        for name in dir(Service)
        for ep in getattr(getattr(Service, name), "nameko_entrypoints", ())
        if hasattr(ep, "url")
    }
    for route in (
        ("POST", "/api/receipts"),
        ("POST", "/api/issue-requests/<request_id>/receipt"),
        ("POST", "/goods-in"),
    ):
        assert route in routes


def test_a_quantity_may_come_as_text_or_a_json_number_but_is_bounded_by_the_domain():
    import pytest
    from marshmallow import ValidationError

    from contracts.errors import DomainError
    from services.parts import domain
    from services.parts.web.counter import IssueInput

    assert IssueInput().load({"part_no": "P-OIL", "quantity": 2})["quantity"] == "2"
    huge = IssueInput().load({"part_no": "P-OIL", "quantity": 1e308})["quantity"]
    with pytest.raises(DomainError):
        domain.quantity(huge)
    for bad in (True, [1], "1" * 21):
        with pytest.raises(ValidationError):
            IssueInput().load({"part_no": "P-OIL", "quantity": bad})


def test_the_counter_issues_automatically_unless_told_not_to(monkeypatch):
    from services.parts.service import auto_issue

    monkeypatch.delenv("PARTS_AUTO_ISSUE", raising=False)
    assert auto_issue() is True  # the demo, the bench and whole-visit tests
    for off in ("0", "false", "no"):
        monkeypatch.setenv("PARTS_AUTO_ISSUE", off)
        assert auto_issue() is False
