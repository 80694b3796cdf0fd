"""Each service's JSON interface described as OpenAPI 3 (issue 12, item 8), served at `GET /openapi.json`.

Generated, not written: the routes are the service class's `@api` entrypoints (their method, URL rule, action
and docstring), and a route's request body is the marshmallow schema it reads (`read_json(request, X())` in its
source, found there, so no route has to repeat it) turned into JSON Schema by apispec's marshmallow plugin,
bounds included (kit.bounds: maxLength, minimum/maximum, enum).
"""

from __future__ import annotations

import inspect
import re
from decimal import Decimal
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

from . import bounds

BODY = re.compile(r"read_json\(\s*request\s*,\s*(\w+)\(\)")
PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
JSON_ROUTES = ("/api/", "/healthz", "/metrics", "/openapi.json")


@cache
def document(service_cls) -> dict:
    plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(
        title=f"{service_cls.name} API",
        version="1",
        openapi_version="3.0.3",
        plugins=[plugin],
        info={"description": (service_cls.__doc__ or "").strip()},
    )
    plugin.map_to_openapi_type(bounds.Amount, "string", "decimal")
    spec.components.security_scheme("session", {"type": "http", "scheme": "bearer"})
    for method_name, method, entrypoint in _routes(service_cls):
        operation = {
            "operationId": method_name,
            "summary": (inspect.getdoc(method) or method_name).splitlines()[0][:200],
            "responses": _responses(entrypoint),
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": _param_type(kind)}}
                for kind, name in PATH_PARAM.findall(entrypoint.url)
            ],
        }
        if not entrypoint.public:
            operation["security"] = [{"session": []}]
            operation["x-action"] = entrypoint.action
        body = _body_schema(method)
        if body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        spec.path(path=PATH_PARAM.sub(r"{\2}", entrypoint.url), operations={entrypoint.method.lower(): operation})
    return _plain(spec.to_dict())


def _routes(service_cls):
    from .web import Api

    for name, member in inspect.getmembers(service_cls, inspect.isfunction):
        for entrypoint in getattr(member, "nameko_entrypoints", ()):
            if isinstance(entrypoint, Api) and entrypoint.url.startswith(JSON_ROUTES):
                yield name, member, entrypoint


def _body_schema(method) -> type[Schema] | None:
    try:
        source = inspect.getsource(method)
    except (OSError, TypeError):
        return None
    match = BODY.search(source)
    if match is None:
        return None
    found = inspect.getmodule(method).__dict__.get(match.group(1))
    return found if isinstance(found, type) and issubclass(found, Schema) else None


def _responses(entrypoint) -> dict:
    out = {
        "200": {"description": "done (201 for what is created)"},
        "400": {"description": "invalid input, each field named, in the staff member's language"},
        "413": {"description": "request too large"},
        "422": {"description": "refused by a business rule"},
    }
    if not entrypoint.public:
        out |= {"401": {"description": "no valid session"}, "403": {"description": "the role may not do this"}}
    return out


def _param_type(kind: str) -> str:
    return "integer" if kind == "int" else "string"


def _schema_name(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return f"{cls.__module__.rsplit('.', 1)[-1]}.{cls.__name__}"


def _plain(value):
    """Bounds written as Decimal (a quantity's minimum) become JSON numbers: the document is plain JSON."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
