"""What every service exposes besides its own work: health, dead letters, event schemas."""

from __future__ import annotations

from contracts import all_json_schemas
from kit.uow import audit_trail

from . import bus
from .config import Settings
from .web import api, json_response, page


class KitEndpoints:
    """Mixed into each nameko service class (its `db` attribute is a kit `Database`)."""

    @api("GET", "/healthz", public=True)
    def healthz(self, request):
        """{"service": "booking", "status": "ok", "database": "ok", "broker": "ok", "outbox_pending": 0}"""
        state = self.db.health()
        ok = state["database"] == "ok" and state["broker"] == "ok"
        return json_response({"service": self.name, "status": "ok" if ok else "degraded", **state}, 200 if ok else 503)

    @api("GET", "/api/dead-letters", action="ops.dead_letters")
    def dead_letters(self, request):
        """Messages this service could not handle, each with its error (the queue keeps them)."""
        settings = Settings.load()
        return {
            "service": self.name,
            "dead_letters": bus.peek_dead_letters(settings.amqp_uri, settings.bus_namespace, self.name),
        }

    @api("GET", "/api/audit", action="ops.audit")
    def audit(self, request):
        """Who did what to an order, appointment, visit or staff record: /api/audit?subject=<id>"""
        subject = request.args.get("subject", "")
        return {"subject": subject, "trail": self.db.read(audit_trail, subject) if subject else []}

    @api("GET", "/audit", action="ops.audit")
    def audit_page(self, request):
        subject = request.args.get("subject", "")
        trail = self.db.read(audit_trail, subject) if subject else []
        return page(None, "操作记录", "audit.html", request, subject=subject, trail=trail)

    @api("GET", "/api/contracts", action="staff.self")
    def contracts(self, request):
        """The JSON Schema of every event on the line."""
        return all_json_schemas()
