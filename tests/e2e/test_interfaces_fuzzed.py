"""Issue 12, item 8: every service's JSON interface, as its /openapi.json describes it, fuzzed with schemathesis
against the running line: no answer is a 5xx. Each call carries a fresh session holding every role, so that the
checks behind the role fence are reached (a sign-out ends only its own session)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from contracts import names
from kit.auth import ROLES, Sessions, StaffMember, load_or_create_secret
from kit.openapi import document

pytestmark = pytest.mark.e2e
LINE_SETTINGS = {"SIGN_IN_ADDRESS_FAILURES": "100000"}  # fuzzed sign-ins all come from 127.0.0.1
EXAMPLES = 8


def service_class(service: str):
    """The service's class, imported without kit.serve: its eventlet monkey-patching would reach every later test."""
    return importlib.import_module(f"services.{service}.service").Service


@pytest.mark.parametrize("service", names.SERVICES)
def test_no_fuzzed_request_to_any_operation_gets_a_5xx(line, service):
    sessions = Sessions(load_or_create_secret(Path(line.env["VAR_DIR"]) / "keys"))
    everyone = StaffMember("ZFUZZ", "模糊测试", tuple(ROLES))
    schema = schemathesis.openapi.from_dict(document(service_class(service)))
    base_url = line.url(service, "")
    server_errors: list[str] = []
    answered: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations

    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def call(case):
            headers = {"Authorization": f"Bearer {sessions.issue(everyone)}"}
            response = case.call(base_url=base_url, headers=headers, timeout=15)
            answered.append(response.status_code)
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path} {case.body!r:.200} -> {response.status_code}"
                )

        call()
    assert server_errors == []
    assert len(answered) >= len(operations) and any(200 <= status < 300 for status in answered)
