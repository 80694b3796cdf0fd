"""The workshop board 维修看板 and the work order's steps: dispatch (R-WS-1), finish a job (R-WS-6), quality check."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kit.errors import NotFound
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, fragment, page, read_json

from ..handlers import orders


class Dispatch(Schema):
    technician_id = fields.String(required=True, validate=validate.Length(min=1))
    bay_id = fields.String(required=True, validate=validate.Length(min=1))


class FinishJob(Schema):
    report = fields.String(load_default="")


class QualityCheck(Schema):
    passed = fields.Boolean(required=True)
    findings = fields.String(load_default="")


class WorkOrderViews:
    """Mixed into service.Service (its `db` is the kit Database)."""

    @api("GET", "/api/work-orders", action="workshop.view")
    def list_work_orders(self, request):
        return {"work_orders": self.db.read(orders.work_orders)}

    @api("GET", "/api/work-orders/<order_id>", action="workshop.view")
    def get_work_order(self, request, order_id):
        view = self.db.read(orders.work_order, order_id)
        if not view:
            raise NotFound("The order has not reached the workshop yet")
        return view

    @api("POST", "/api/work-orders/<order_id>/dispatch", action="workshop.dispatch")
    def dispatch(self, request, order_id):
        """{"technician_id": "T001", "bay_id": "B1"} (dispatched by the signed-in dispatcher)"""
        cmd = read_json(request, Dispatch())
        self.db.run(
            orders.dispatch,
            order_id,
            technician_id=cmd["technician_id"],
            bay_id=cmd["bay_id"],
            actor_id=request.staff.staff_id,
        )
        return self.db.read(orders.work_order, order_id)

    @api("POST", "/api/work-orders/<order_id>/jobs/<int:line_no>/finish", action="workshop.finish_job")
    def finish_job(self, request, order_id, line_no):
        """{"report": "已清洗节气门，怠速平稳"} (signed off by the signed-in technician, R-WS-6)"""
        cmd = read_json(request, FinishJob())
        self.db.run(orders.finish_job, order_id, line_no, report=cmd["report"], actor_id=request.staff.staff_id)
        return self.db.read(orders.work_order, order_id)

    @api("POST", "/api/work-orders/<order_id>/quality-check", action="workshop.quality_check")
    def quality_check(self, request, order_id):
        """{"passed": true, "findings": "路试正常"} (by the signed-in QC inspector)"""
        cmd = read_json(request, QualityCheck())
        self.db.run(
            orders.quality_check,
            order_id,
            passed=cmd["passed"],
            findings=cmd["findings"],
            actor_id=request.staff.staff_id,
        )
        return self.db.read(orders.work_order, order_id)

    @api("GET", "/", action="workshop.view")
    def index(self, request):
        return page(
            self.name,
            N_("Workshop board"),
            "index.html",
            request,
            work_orders=self.db.read(orders.work_orders),
            now=utcnow(),
        )

    @api("GET", "/board", action="workshop.view")
    def board(self, request):
        """The board's table alone: the page polls it (htmx) so the wall screen stays current."""
        return fragment(self.name, "board.html", request, work_orders=self.db.read(orders.work_orders), now=utcnow())
