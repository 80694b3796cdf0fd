"""Every service's permissions in one table, for tests that walk the whole role matrix.

The kit knows only its own actions (kit.auth.KIT_PERMISSIONS); each service declares its own in
services/<svc>/permissions.py and its routes are checked against those alone.
"""

from __future__ import annotations

import importlib

from contracts import names
from kit import auth


def service_permissions(service: str) -> dict[str, frozenset[str]]:
    return importlib.import_module(f"services.{service}.permissions").PERMISSIONS


def _every_service() -> dict[str, frozenset[str]]:
    table = dict(auth.KIT_PERMISSIONS)
    for service in (*names.SERVICES, names.HQ):  # the group HQ is no line service, but its pages are checked too
        own = service_permissions(service)
        declared_twice = set(own) & set(table)
        if declared_twice:
            raise ValueError(f"{service} declares actions declared elsewhere: {sorted(declared_twice)}")
        table.update(own)
    return table


PERMISSIONS = _every_service()


def allowed(action: str, roles) -> bool:
    """Whether any of `roles` may take `action`, in whichever service declares it."""
    return auth.allowed(action, roles, PERMISSIONS)
