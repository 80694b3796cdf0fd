"""Every subscription has a redelivery case, and every consumer is in the declared topology (no database)."""

from __future__ import annotations

from contracts.events import SUBSCRIPTIONS
from tests.support.exactly_once import CASES


def test_every_subscription_has_a_redelivery_case():
    covered = sorted(name for name in CASES)
    subscribed = sorted(f"{service}.{method}" for service, method, _ in _consumer_methods())
    assert covered == subscribed


def test_every_consumer_is_in_the_declared_topology_and_every_subscription_has_a_consumer():
    consumed = sorted((service, event_type) for service, _, event_type in _consumer_methods())
    assert consumed == sorted((service, et) for service, types in SUBSCRIPTIONS.items() for et in types)


def _consumer_methods():
    """(service, method) for every on_event entrypoint of every service class."""
    import importlib

    from kit.extensions import EventConsumer

    for service in SUBSCRIPTIONS:
        cls = importlib.import_module(f"services.{service}.service").Service
        for attr in dir(cls):
            for entrypoint in getattr(getattr(cls, attr), "nameko_entrypoints", ()):
                if isinstance(entrypoint, EventConsumer):
                    yield service, attr, entrypoint.event_type
