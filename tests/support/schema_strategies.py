"""Hypothesis strategies for a command schema's JSON: values that look valid (right type, near and past each
bound) mixed with the careless and hostile ones (1 MB text, NUL, 1e308, 10**30, 1.5, year 2999, wrong types)."""

from __future__ import annotations

import importlib
import inspect
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st
from marshmallow import Schema, fields, validate

from kit import bounds

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=False),
    st.just(1e308),
    st.text(max_size=5),
    st.just("\x00"),
    st.just(1_000_000).map(lambda n: "长" * n),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def _max_length(field: fields.Field, default: int = 20) -> int:
    for v in field.validators:
        if isinstance(v, validate.Length) and (v.max or v.equal):
            return v.max or v.equal
    return default


NOW = datetime.now(UTC).replace(microsecond=0)


def _times() -> st.SearchStrategy:
    now = NOW
    near = st.datetimes(min_value=(now - timedelta(days=400)).replace(tzinfo=None),
                        max_value=(now + timedelta(days=400)).replace(tzinfo=None))  # fmt: skip
    years = st.sampled_from(["1900-01-01T09:00:00+08:00", "2999-12-31T09:00:00+08:00", "2026-13-01T09:00:00+08:00"])
    return st.one_of(near.map(lambda d: d.replace(tzinfo=UTC).isoformat()), years)


def value_for(field: fields.Field) -> st.SearchStrategy:
    """A strategy for one field's JSON value: mostly of its own shape, sometimes junk."""
    own: st.SearchStrategy
    if isinstance(field, fields.Nested):
        own = body_for(field.schema)
    elif isinstance(field, fields.List):
        own = st.lists(value_for(field.inner), max_size=3)
    elif isinstance(field, fields.Dict):
        own = st.dictionaries(st.text(max_size=8), value_for(field.value_field), max_size=3)
    elif isinstance(field, fields.Boolean):
        own = st.booleans()
    elif isinstance(field, bounds.Amount):
        own = st.one_of(
            st.decimals(min_value=-1000, max_value=10000, places=3).map(str),
            st.sampled_from(["1e308", "741.284", "0.01", "1", "NaN", "-0"]),
            st.floats(allow_nan=False, allow_infinity=False),
        )
    elif isinstance(field, bounds.Day):
        own = st.one_of(st.dates().map(lambda d: d.isoformat()), st.sampled_from(["1900-01-01", "2999-01-01"]))
    elif isinstance(field, fields.DateTime):
        own = _times()
    elif isinstance(field, fields.Integer):
        own = st.one_of(st.integers(min_value=-10, max_value=3_000_000), st.just(10**30), st.just(1.5))
    elif isinstance(field, fields.String):
        choices = [c for v in field.validators if isinstance(v, validate.OneOf) for c in v.choices]
        limit = _max_length(field)
        own = st.one_of(
            st.sampled_from(choices) if choices else st.text(max_size=limit),
            st.integers(min_value=limit, max_value=limit + 2).map(lambda n: "长" * n),
            st.text(max_size=4).map(lambda t: t + "\x00"),
        )
    else:
        own = st.text(max_size=10)
    return st.one_of(own, own, own, JUNK)


def body_for(schema: Schema | type[Schema]) -> st.SearchStrategy:
    """A JSON object for `schema`: each field present or not, with a value from `value_for`."""
    schema = schema() if isinstance(schema, type) else schema
    parts = {name: value_for(field) for name, field in schema.fields.items()}
    return st.fixed_dictionaries({}, optional=parts)


def command_schemas(*modules: str) -> list[type[Schema]]:
    """The marshmallow schemas defined in these modules (a web module's commands)."""
    found = []
    for name in modules:
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Schema) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


WEB_MODULES = (
    "services.staff.web",
    "services.booking.web.appointments",
    "services.booking.web.calls",
    "services.booking.web.customer_file",
    "services.booking.web.advisor",
    "services.reception.web.forms",
    "services.reception.web.walk_around",
    "services.reception.web.check_in",
    "services.reception.web.write_up",
    "services.reception.web.amendments",
    "services.reception.web.orders",
    "services.reception.web.incidents",
    "services.reception.web.pre_inspection",
    "services.reception.web.notices",
)
