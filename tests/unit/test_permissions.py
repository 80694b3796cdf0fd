"""Each service declares who may do what in its own permissions.py; the kit knows only its own routes."""

import importlib

import pytest

from contracts import names
from kit.auth import KIT_PERMISSIONS, StaffMember, service_permissions
from kit.web import Api
from tests.support.permissions import PERMISSIONS
from tests.support.permissions import service_permissions as own_permissions


def actions_of_routes(service: str) -> set[str]:
    cls = importlib.import_module(f"services.{service}.service").Service
    return {
        entrypoint.action
        for attr in dir(cls)
        for entrypoint in getattr(getattr(cls, attr), "nameko_entrypoints", ())
        if isinstance(entrypoint, Api) and not entrypoint.public
    }


@pytest.mark.parametrize("service", names.SERVICES)
def test_every_route_of_a_service_names_an_action_of_its_own_table_or_the_kits(service):
    cls = importlib.import_module(f"services.{service}.service").Service
    assert cls.permissions is own_permissions(service)
    assert actions_of_routes(service) <= set(service_permissions(cls.permissions))


@pytest.mark.parametrize("service", names.SERVICES)
def test_a_service_declares_only_actions_named_after_it(service):
    assert all(action.startswith(f"{service}.") for action in own_permissions(service))


def test_the_union_holds_every_service_and_the_kit():
    assert set(KIT_PERMISSIONS) | {"reception.sign_order", "billing.pay", "staff.admin"} <= set(PERMISSIONS)


def test_a_service_cannot_redefine_an_action_of_the_kit():
    with pytest.raises(ValueError, match="ops.audit"):
        service_permissions({"ops.audit": frozenset({"technician"})})


def test_a_staff_member_may_only_what_the_service_handling_the_request_declares():
    advisor = StaffMember("A001", "王伟", ("service_advisor",))
    at_reception = advisor.within(service_permissions(own_permissions(names.RECEPTION)))
    assert at_reception.may("reception.sign_order")
    assert at_reception.may("staff.self")
    with pytest.raises(KeyError, match="billing.view"):
        at_reception.may("billing.view")  # another service's action: not known here
    assert "reception.sign_order" in at_reception.actions()
    assert at_reception.__dict__ == advisor.__dict__  # the same person, whichever service asks
    assert repr(at_reception) == repr(advisor)
