"""The capacity RPC the workshop answers to booking and reception (kit.rpc; R-BK-4, R-BK-10, R-RC-5): the
arguments checked, the use case run, the answer put on the wire as JSON (times as ISO 8601, decimals as text).
service.py declares the entrypoints; this adapter does their work."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate

from kit.types import utcnow
from kit.web import JSONEncoder

from ..domain.capacity import SKILLS
from . import capacity, load
from .floor import capacity_settings


class HoldRequest(Schema):
    appointment_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    starts_at = fields.AwareDateTime(required=True)
    labour_codes = fields.List(fields.String(), load_default=list)
    candidates = fields.List(fields.AwareDateTime(), load_default=list)


class PromiseRequest(Schema):
    hours = fields.Decimal(required=True, validate=validate.Range(min=Decimal("0.1"), max=Decimal("200")))
    not_before = fields.AwareDateTime(required=True)
    skill = fields.String(load_default="mechanical", validate=validate.OneOf(tuple(SKILLS)))


HOLD_REQUEST, PROMISE_REQUEST = HoldRequest(), PromiseRequest()  # built once: a schema copies its fields


def wire(value):
    """RPC answers travel as JSON: times as ISO 8601 text, decimals as text."""
    return json.loads(json.dumps(value, cls=JSONEncoder))


def hold(db, appointment_id, starts_at, labour_codes=(), candidates=()) -> dict:
    cmd = HOLD_REQUEST.load(
        {
            "appointment_id": appointment_id,
            "starts_at": starts_at,
            "labour_codes": list(labour_codes),
            "candidates": list(candidates),
        }
    )
    rules, tz = capacity_settings()
    return wire(
        db.run(
            capacity.hold,
            cmd["appointment_id"],
            cmd["starts_at"],
            cmd["labour_codes"],
            candidates=cmd["candidates"],
            rules=rules,
            tz=tz,
        )
    )


def release(db, appointment_id) -> dict:
    db.run(capacity.release, str(appointment_id), capacity_settings()[1])
    return {"released": True}


def promise_time(db, hours, not_before, skill="mechanical") -> dict:
    cmd = PROMISE_REQUEST.load({"hours": str(hours), "not_before": not_before, "skill": skill})
    rules, tz = capacity_settings()
    promised = db.read(
        load.promise_time, cmd["hours"], cmd["not_before"], utcnow(), skill=cmd["skill"], rules=rules, tz=tz
    )
    return wire({"promised_at": promised, "hours": cmd["hours"]})


def load_view(db, day, days=14) -> dict:
    rules, tz = capacity_settings()
    view = db.read(
        load.load_view, date.fromisoformat(day), utcnow(), rules=rules, tz=tz, days=max(1, min(int(days), 31))
    )
    return wire(view)
