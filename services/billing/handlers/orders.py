"""The signed order as billing reads it back from its store: checked against its contract when it arrived
(kit.orders verifies and loads it), so read again without checking it twice."""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict

from marshmallow import EXCLUDE, missing

from contracts.events import OrderSchema

_ORDER = OrderSchema()
# Who and what the bill is for, without the order's lines: the bill waits on two of the three events that build it
# (order_signed, parts_issued, vehicle_ready) and loads the whole order only once it can be built.
ORDER_HEADER = OrderSchema(only=("advisor_id", "vehicle", "customer", "mileage_km"), unknown=EXCLUDE)
_NESTED_DEFAULTS = {
    name: [(key, field.load_default) for key, field in ORDER_HEADER.fields[name].schema.fields.items()]
    for name in ("vehicle", "customer")
}


# Signed bodies as loaded by their contract, by content: the bill is built on the last of its events (vehicle_ready,
# mostly) from the body order_signed loaded when it was verified, in the same process. Bounded; read, never changed.
_LOADED: OrderedDict[str, dict] = OrderedDict()
_LOADED_MAX = 256


def _content_key(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def remember_loaded(body: dict, loaded: dict) -> None:
    """`loaded` is `body` as its contract loads it (verified and loaded on arrival)."""
    _remember(_content_key(body), loaded)


def _remember(key: str, loaded: dict) -> dict:
    _LOADED[key] = loaded
    while len(_LOADED) > _LOADED_MAX:
        _LOADED.popitem(last=False)
    return loaded


def loaded_order(body: dict) -> dict:
    """`OrderSchema().load(body)` of a stored signed body (checked when it arrived), loaded once for each content."""
    key = _content_key(body)
    loaded = _LOADED.get(key)
    return loaded if loaded is not None else _remember(key, _ORDER.load(body))


def order_header(order: dict) -> dict:
    """`ORDER_HEADER.load(order)` of a stored signed body without checking it again: it was checked against its
    contract when it arrived (kit.orders), and the header's fields are strings and an integer that load as they
    are, the nested ones with their load defaults (a vehicle's model)."""
    header = {"advisor_id": order["advisor_id"], "mileage_km": order["mileage_km"]}
    for name, fields in _NESTED_DEFAULTS.items():
        raw = order[name]
        header[name] = {
            key: raw[key] if key in raw else (default() if callable(default) else default)
            for key, default in fields
            if key in raw or default is not missing
        }
    return header
