"""What every service exposes besides its own work: health, dead letters, event schemas, the audit
trail, static assets and the language switch. (The signature store's endpoints live with the one service that
captures signatures: reception's web/orders.py.)"""

from __future__ import annotations

import mimetypes
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import safe_join
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from contracts import all_json_schemas, names

from . import bus, metrics, openapi, sessions
from .config import Settings
from .db import outbox_table
from .extensions import on_event
from .i18n import LANG_COOKIE, LOCALES, N_
from .logs import LogContext
from .security import local_redirect
from .uow import audit_trail
from .web import api, json_response, page

STATIC = Path(__file__).parent / "static"


class KitEndpoints:
    """Mixed into each nameko service class (its `db` attribute is a kit `Database`)."""

    log_context = LogContext()  # each worker's correlation id in its log lines (kit.logs)

    @api("GET", "/healthz", public=True)
    def healthz(self, request):
        """{"service": "booking", "status": "ok", "database": "ok", "broker": "ok", "outbox_pending": 0}"""
        state = self.db.health()
        ok = state["database"] == "ok" and state["broker"] == "ok"
        return json_response({"service": self.name, "status": "ok" if ok else "degraded", **state}, 200 if ok else 503)

    @api("GET", "/metrics", public=True)
    def metrics(self, request):
        """Prometheus metrics (kit.metrics): events handled, failed, dead-lettered, outbox backlog, latency."""
        try:
            backlog = self.db.read(outbox_backlog)
        except Exception:  # noqa: BLE001 - the database away: the other figures are still worth scraping
            backlog = None
        body, content_type = metrics.exposition(self.name, backlog)
        return Response(body, content_type=content_type)

    @api("GET", "/openapi.json", public=True)
    def openapi(self, request):
        """This service's JSON interface as OpenAPI 3, generated from its routes and marshmallow schemas."""
        return openapi.document(type(self))

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
        return page(None, N_("Audit trail"), "audit.html", request, subject=subject, trail=trail)

    @api("GET", "/static/<path:path>", public=True)
    def static(self, request, path):
        """The UI kit's assets (vendored npm packages included): served locally, never from the internet."""
        full = safe_join(str(STATIC), path)
        if full is None or not Path(full).is_file():
            return Response("not found", status=404)
        mimetype = mimetypes.guess_type(full)[0] or "application/octet-stream"
        return Response(Path(full).read_bytes(), mimetype=mimetype, headers={"Cache-Control": "max-age=3600"})

    @api("GET", "/lang/<code>", public=True)
    def switch_language(self, request, code):
        """Switch the UI language (zh_CN or en) for every department UI on this host, then go back."""
        response = redirect(local_redirect(request.args.get("next")), code=303)  # only a page of this service
        if code in LOCALES:
            response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", path="/")
        return response

    @on_event(names.SESSIONS_REVOKED)
    def end_sessions(self, event):
        """sessions_revoked -> no route of this service accepts those sessions any more (kit.sessions)."""
        self.db.handle(event, sessions.take_revocation)
        sessions.changed()

    @api("GET", "/api/contracts", action="staff.self")
    def contracts(self, request):
        """The JSON Schema of every event on the line."""
        return all_json_schemas()


def outbox_backlog(session) -> int:
    outbox = outbox_table(session.info["metadata"])
    return session.execute(
        sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
    ).scalar_one()
