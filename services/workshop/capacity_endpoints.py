"""The workshop's capacity entrypoints (mixed into the workshop service): RPC for booking and reception,
the appointment events, the lapse timer, the load API and page (R-BK-4, R-BK-10, R-RC-5, R-WS-7)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate
from nameko.timer import timer

from contracts import names
from kit.clock import timer_seconds
from kit.config import Settings
from kit.errors import DomainError, NotFound
from kit.extensions import on_event
from kit.i18n import N_
from kit.rpc import rpc
from kit.types import utcnow
from kit.web import JSONEncoder, api, page

from . import planning
from .capacity import SKILLS, CapacityRules

LAPSE_CHECK_SECONDS = 30


class HoldRequest(Schema):
    appointment_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    starts_at = fields.AwareDateTime(required=True)
    labour_codes = fields.List(fields.String(), load_default=list)
    candidates = fields.List(fields.AwareDateTime(), load_default=list)


class PromiseRequest(Schema):
    hours = fields.Decimal(required=True, validate=validate.Range(min=Decimal("0.1"), max=Decimal("200")))
    not_before = fields.AwareDateTime(required=True)
    skill = fields.String(load_default="mechanical", validate=validate.OneOf(tuple(SKILLS)))


def wire(value):
    """RPC answers travel as JSON: times as ISO 8601 text, decimals as text."""
    return json.loads(json.dumps(value, cls=JSONEncoder))


def capacity_settings() -> tuple[CapacityRules, object]:
    settings = Settings.load()
    return CapacityRules.from_settings(settings.raw), settings.tz


class CapacityEndpoints:
    """Mixed into services.workshop.service.Service (its `db` is the kit Database)."""

    @rpc
    def hold(self, appointment_id, starts_at, labour_codes=(), candidates=()):
        """Hold the booked share of capacity for an appointment (R-BK-4), atomically, idempotent by id.

        hold(appointment_id="9b2…", starts_at="2026-12-01T09:30:00+08:00", labour_codes=["LAB-OIL"],
             candidates=["2026-12-01T10:00:00+08:00", …])
        -> {"held": true, "appointment_id", "status": "held", "starts_at", "finishes_at", "hours": "0.5",
            "expires_at"}  (confirmed by appointment_booked; lapses after WORKSHOP_HOLD_MINUTES otherwise)
        -> {"held": false, "appointment_id", "alternatives": ["2026-12-02T09:00:00+08:00", …]}
           (the candidates, or the workshop's quarter hours when none are given, at which the job would fit)
        """
        cmd = HoldRequest().load(
            {
                "appointment_id": appointment_id,
                "starts_at": starts_at,
                "labour_codes": list(labour_codes),
                "candidates": list(candidates),
            }
        )
        rules, tz = capacity_settings()
        return wire(
            self.db.run(
                planning.hold,
                cmd["appointment_id"],
                cmd["starts_at"],
                cmd["labour_codes"],
                candidates=cmd["candidates"],
                rules=rules,
                tz=tz,
            )
        )

    @rpc
    def release(self, appointment_id):
        """release(appointment_id="9b2…") -> {"released": true}: the booking could not be stored after all."""
        self.db.run(planning.release, str(appointment_id))
        return {"released": True}

    @rpc
    def promise_time(self, hours, not_before, skill="mechanical"):
        """R-RC-5: the earliest time a job of `hours` standard hours can be finished, given the current load.

        promise_time(hours="2.5", not_before="2026-12-01T10:20:00+08:00", skill="mechanical")
        -> {"promised_at": "2026-12-01T14:00:00+00:00", "hours": "2.5"}   (UTC; null if not within 14 days)
        The whole workshop counts (the car is here, so the share held back for walk-ins may be used), less
        everything booked or held; the work starts no earlier than `not_before`, nor now.
        """
        cmd = PromiseRequest().load({"hours": str(hours), "not_before": not_before, "skill": skill})
        rules, tz = capacity_settings()
        promised = self.db.read(
            planning.promise_time, cmd["hours"], cmd["not_before"], utcnow(), skill=cmd["skill"], rules=rules, tz=tz
        )
        return wire({"promised_at": promised, "hours": cmd["hours"]})

    @rpc
    def load(self, day, days=14):
        """R-BK-10: load(day="2026-12-01") -> booked vs bookable vs all technician hours, by hour and by day."""
        rules, tz = capacity_settings()
        view = self.db.read(
            planning.load_view, date.fromisoformat(day), utcnow(), rules=rules, tz=tz, days=max(1, min(int(days), 31))
        )
        return wire(view)

    @on_event(names.PRICE_LIST_PUBLISHED)
    def take_standard_hours(self, event):
        """payload: {"version", "effective_from", "labour_operations": [{"code", "name", "standard_hours"}], …}"""
        rules, tz = capacity_settings()
        self.db.handle(event, planning.take_price_list, rules, tz)

    @on_event(names.APPOINTMENT_BOOKED)
    def confirm_capacity(self, event):
        """payload: {"appointment_id", "starts_at", "planned_labour": ["LAB-OIL"], …}: the hold is confirmed."""
        rules, tz = capacity_settings()
        self.db.handle(event, planning.confirm_booked, rules=rules, tz=tz)

    @on_event(names.APPOINTMENT_RESCHEDULED)
    def move_capacity(self, event):
        """payload: {"appointment_id", "starts_at", "previous_starts_at", …}: the hold moves with it."""
        rules, tz = capacity_settings()
        self.db.handle(event, planning.move_rescheduled, rules=rules, tz=tz)

    @on_event(names.APPOINTMENT_CANCELLED)
    def release_cancelled(self, event):
        """payload: {"appointment_id", "visit_id", "reason", "by_dealership"}: the capacity is free again."""
        self.db.handle(event, planning.release_for_event)

    @on_event(names.APPOINTMENT_NO_SHOW)
    def release_no_show(self, event):
        """payload: {"appointment_id", "visit_id", "starts_at"}: the capacity is free again."""
        self.db.handle(event, planning.release_for_event)

    @timer(interval=timer_seconds(LAPSE_CHECK_SECONDS))
    def tidy_lapsed_holds(self):
        """Holds a crashed booking never confirmed stop counting when they lapse; this clears them away."""
        if self.db.read(planning.lapsed_count, utcnow()):
            self.db.run(planning.expire_lapsed)

    @api("GET", "/api/capacity", action="workshop.view")
    def capacity_load(self, request):
        """?day=2026-12-01 (default today) -> {"by_hour": [{"label": "09:00", "booked_hours", "bookable_hours",
        "capacity_hours", "by_skill"}], "by_day": [… 14 days …]}"""
        rules, tz = capacity_settings()
        return self.db.read(planning.load_view, _day(request, tz), utcnow(), rules=rules, tz=tz)

    @api("GET", "/api/capacity/holds/<appointment_id>", action="workshop.view")
    def capacity_hold(self, request, appointment_id):
        """The capacity held for one appointment: status (held, confirmed, released, expired) and its hours."""
        view = self.db.read(planning.hold_view, appointment_id)
        if view is None:
            raise NotFound("No capacity is held for this appointment")
        return view

    @api("GET", "/load", action="workshop.view")
    def load_page(self, request):
        """The load view with its charts (R-WS-7: the bay and technician load is visible)."""
        rules, tz = capacity_settings()
        view = self.db.read(planning.load_view, _day(request, tz), utcnow(), rules=rules, tz=tz)
        hour_rows, day_rows = planning.chart_rows(view)
        return page(
            self.name,
            N_("Workshop load"),
            "load.html",
            request,
            load=view,
            skills=SKILLS,
            hour_rows=hour_rows,
            day_rows=day_rows,
        )


def _day(request, tz) -> date:
    raw = request.args.get("day", "")
    if not raw:
        return utcnow().astimezone(tz).date()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(N_("Give the date as YYYY-MM-DD"), field="day") from None
