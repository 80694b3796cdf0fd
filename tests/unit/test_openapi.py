"""Issue 12, item 8: an OpenAPI document per service, generated from its routes and marshmallow schemas."""

from __future__ import annotations

import importlib
import json

import pytest

from contracts import names
from kit.openapi import PATH_PARAM, document
from kit.web import Api


def service_class(service: str):
    """The service's class, imported without kit.serve (which monkey-patches the whole test process)."""
    return importlib.import_module(f"services.{service}.service").Service


def _api_routes(service: str) -> set[tuple[str, str]]:
    cls = service_class(service)
    found = set()
    for attr in dir(cls):
        for entrypoint in getattr(getattr(cls, attr), "nameko_entrypoints", ()):
            if isinstance(entrypoint, Api) and entrypoint.url.startswith("/api/"):
                found.add((entrypoint.method.lower(), PATH_PARAM.sub(r"{\2}", entrypoint.url)))
    return found


@pytest.mark.parametrize("service", names.SERVICES)
def test_every_json_route_of_every_service_is_described(service):
    doc = json.loads(json.dumps(document(service_class(service))))  # plain JSON
    assert doc["openapi"] == "3.0.3" and doc["info"]["title"] == f"{service} API"
    described = {(method, path) for path, operations in doc["paths"].items() for method in operations}
    assert _api_routes(service) <= described
    assert ("get", "/openapi.json") in described and ("get", "/metrics") in described


def test_a_command_body_is_its_schema_with_its_bounds():
    doc = document(service_class(names.BOOKING))
    body = doc["paths"]["/api/customers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/customer_file.SaveCustomer"}
    customer = doc["components"]["schemas"]["customer_file.SaveCustomer"]["properties"]
    assert customer["name"]["maxLength"] == 80 and customer["vehicles"]["maxItems"] == 20
    mileage = doc["components"]["schemas"]["customer_file.RecordMileage"]["properties"]["mileage_km"]
    assert mileage["type"] == "integer" and mileage["maximum"] == 2_000_000
    order = document(service_class(names.RECEPTION))["paths"]["/api/visits/{visit_id}/order"]["post"]
    assert order["x-action"] == "reception.write_order" and order["parameters"][0]["name"] == "visit_id"
