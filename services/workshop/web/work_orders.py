"""The workshop board 维修看板 and the work order: its JSON, and the whole order dispatched to one technician and bay
(R-WS-1; per job, reassigning and splitting: web/floor.py)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kit.errors import NotFound
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, fragment, page, read_json

from ..handlers import dispatching, views


class Dispatch(Schema):
    technician_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    bay_id = fields.String(required=True, validate=validate.Length(min=1, max=20))


class WorkOrderViews:
    """Mixed into service.Service (its `db` is the kit Database)."""

    @api("GET", "/api/work-orders", action="workshop.view")
    def list_work_orders(self, request):
        return {"work_orders": self.db.read(views.work_orders)}

    @api("GET", "/api/work-orders/<order_id>", action="workshop.view")
    def get_work_order(self, request, order_id):
        """The order with its jobs (clock, report), parts, help tickets, the inspection standard, QC results."""
        view = self.db.read(views.work_order, order_id)
        if not view:
            raise NotFound("The order has not reached the workshop yet")
        return view

    @api("POST", "/api/work-orders/<order_id>/dispatch", action="workshop.dispatch")
    def dispatch(self, request, order_id):
        """{"technician_id": "T001", "bay_id": "B1"}: every job not yet assigned goes to them, queued at their
        earliest common free time (skill and shift checked); by the dispatcher, or a team's leader in the team."""
        cmd = read_json(request, Dispatch)
        return self.db.run(
            views.answered_from_tables(dispatching.dispatch),
            order_id,
            technician_id=cmd["technician_id"],
            bay_id=cmd["bay_id"],
            roles=request.staff.roles,
            actor_id=request.staff.staff_id,
        )

    @api("GET", "/", action="workshop.view")
    def index(self, request):
        return page(
            self.name,
            N_("Workshop board"),
            "index.html",
            request,
            work_orders=self.db.read(views.work_orders),
            now=utcnow(),
        )

    @api("GET", "/board", action="workshop.view")
    def board(self, request):
        """The board's table alone: the page polls it (htmx) so the wall screen stays current."""
        return fragment(self.name, "board.html", request, work_orders=self.db.read(views.work_orders), now=utcnow())
