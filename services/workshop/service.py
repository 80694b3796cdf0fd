"""Workshop 维修作业: signed orders in, dispatch, parts against the order, jobs, quality check."""

from marshmallow import Schema, fields, validate
from werkzeug.utils import redirect

from contracts import names
from kit.errors import DomainError, NotFound
from kit.extensions import SignedOrders, on_event
from kit.i18n import N_
from kit.providers import Database, OutboxRelay, Seeding
from kit.service import KitEndpoints
from kit.types import utcnow
from kit.web import api, flash, form_errors, fragment, page, read_json

from . import handlers, seed
from .additional_work import (
    found_work_from_form,
    notices_for,
    request_additional_work,
    take_amended_order,
    take_declined_work,
)
from .capacity_endpoints import CapacityEndpoints
from .models import Base
from .permissions import PERMISSIONS


class Dispatch(Schema):
    technician_id = fields.String(required=True, validate=validate.Length(min=1))
    bay_id = fields.String(required=True, validate=validate.Length(min=1))


class FinishJob(Schema):
    report = fields.String(load_default="")


class QualityCheck(Schema):
    passed = fields.Boolean(required=True)
    findings = fields.String(load_default="")


class ReportAdditionalWork(Schema):
    """R-WS-3: found work, checked in additional_work.check_found_work (Chinese messages naming the line)."""

    lines = fields.List(fields.Dict(), load_default=list)
    reason = fields.String(load_default="")
    job_line_no = fields.Integer(load_default=None, allow_none=True)  # the job it was found on


class Service(KitEndpoints, CapacityEndpoints):
    name = names.WORKSHOP
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    seeding = Seeding(db, seed.reference_data)
    orders = SignedOrders()

    @on_event(names.ORDER_SIGNED)
    def take_signed_order(self, event):
        """payload: {"order": {...order body...}, "signature": "base64", "key_id": "…"}"""
        self.db.handle(event, handlers.take_signed_order, self.orders.verify)

    @on_event(names.PARTS_ISSUED)
    def take_parts_issued(self, event):
        """payload: {"request_id", "order_id", "order_version", "lines": [{"line_no", "part_no", "quantity", …}]}"""
        self.db.handle(event, handlers.take_parts_issued)

    @api("GET", "/api/work-orders", action="workshop.view")
    def list_work_orders(self, request):
        return {"work_orders": self.db.read(handlers.work_orders)}

    @api("GET", "/api/work-orders/<order_id>", action="workshop.view")
    def get_work_order(self, request, order_id):
        view = self.db.read(handlers.work_order, order_id)
        if not view:
            raise NotFound("The order has not reached the workshop yet")
        return view

    @api("POST", "/api/work-orders/<order_id>/dispatch", action="workshop.dispatch")
    def dispatch(self, request, order_id):
        """{"technician_id": "T001", "bay_id": "B1"} (dispatched by the signed-in dispatcher)"""
        cmd = read_json(request, Dispatch())
        self.db.run(
            handlers.dispatch,
            order_id,
            technician_id=cmd["technician_id"],
            bay_id=cmd["bay_id"],
            actor_id=request.staff.staff_id,
        )
        return self.db.read(handlers.work_order, order_id)

    @api("POST", "/api/work-orders/<order_id>/jobs/<int:line_no>/finish", action="workshop.finish_job")
    def finish_job(self, request, order_id, line_no):
        """{"report": "已清洗节气门，怠速平稳"} (signed off by the signed-in technician, R-WS-6)"""
        cmd = read_json(request, FinishJob())
        self.db.run(handlers.finish_job, order_id, line_no, report=cmd["report"], actor_id=request.staff.staff_id)
        return self.db.read(handlers.work_order, order_id)

    @api("POST", "/api/work-orders/<order_id>/quality-check", action="workshop.quality_check")
    def quality_check(self, request, order_id):
        """{"passed": true, "findings": "路试正常"} (by the signed-in QC inspector)"""
        cmd = read_json(request, QualityCheck())
        self.db.run(
            handlers.quality_check,
            order_id,
            passed=cmd["passed"],
            findings=cmd["findings"],
            actor_id=request.staff.staff_id,
        )
        return self.db.read(handlers.work_order, order_id)

    # --- additional work (R-WS-3) -------------------------------------------------------------------

    @on_event(names.ORDER_AMENDED)
    def take_amended_order(self, event):
        """payload: {"amendment_id", "signed_order": {"order": {...version 2...}, "signature", "key_id"},
        "version": 2, "previous_version": 1, "previous_sha256": "…", "request_id": "…"}"""
        self.db.handle(event, take_amended_order, self.orders.verify)

    @on_event(names.ADDITIONAL_WORK_DECLINED)
    def take_declined_work(self, event):
        """payload: {"request_id", "order_id", "amendment_id", "order_version": 1, "declined": [{"kind", "code",
        "description"}], "consent": {"method": "phone", "at", "staff_id", "customer_words": "这次都不做"}}"""
        self.db.handle(event, take_declined_work)

    @api("POST", "/api/work-orders/<order_id>/additional-work", action="workshop.request_additional_work")
    def request_additional_work(self, request, order_id):
        """{"reason": "前刹车片磨损至极限", "lines": [{"kind": "labour", "code": "LAB-BRAKE-DISC"},
        {"kind": "part", "code": "P-PAD-F", "quantity": "1"}]}: reported to the advisor, not done yet."""
        cmd = read_json(request, ReportAdditionalWork())
        self.db.run(request_additional_work, order_id, **cmd, actor_id=request.staff.staff_id)
        return 201, self.db.read(handlers.work_order, order_id)

    @api("GET", "/api/technicians/<technician_id>/notices", action="workshop.view")
    def technician_notices(self, request, technician_id):
        """What the technician has been told about amended orders (new jobs, declined items)."""
        return {"notices": self.db.read(notices_for, technician_id)}

    @api("GET", "/work-orders/<order_id>/additional-work", action="workshop.view")
    def additional_work_page(self, request, order_id):
        """The order's jobs, the technician's notices of amendments, and the form to report found work."""
        return self._additional_work_page(request, order_id, {}, {})

    @api("POST", "/work-orders/<order_id>/additional-work", action="workshop.request_additional_work")
    def additional_work_form(self, request, order_id):
        try:
            self.db.run(
                request_additional_work,
                order_id,
                lines=found_work_from_form(request.form),
                reason=request.form.get("reason", ""),
                job_line_no=request.form.get("job_line_no", type=int),
                actor_id=request.staff.staff_id,
            )
        except DomainError as exc:
            errors = form_errors(exc, request.locale)
            return self._additional_work_page(request, order_id, request.form, errors, status=422)
        redirect_to = redirect(f"/work-orders/{order_id}/additional-work", code=303)
        return flash(redirect_to, "ok", N_("Reported to the service advisor; wait for the customer's answer"))

    def _additional_work_page(self, request, order_id, values, errors, status=200):
        view = self.db.read(handlers.work_order, order_id)
        if view is None:
            return page(self.name, N_("Not found"), "refused.html", request, status=404, code=404, message="")
        return page(
            self.name,
            N_("Additional work"),
            "additional_work.html",
            request,
            status=status,
            wo=view,
            values=values,
            errors=errors,
        )

    @api("GET", "/", action="workshop.view")
    def index(self, request):
        return page(
            self.name,
            N_("Workshop board"),
            "index.html",
            request,
            work_orders=self.db.read(handlers.work_orders),
            now=utcnow(),
        )

    @api("GET", "/board", action="workshop.view")
    def board(self, request):
        """The board's table alone: the page polls it (htmx) so the wall screen stays current."""
        return fragment(self.name, "board.html", request, work_orders=self.db.read(handlers.work_orders), now=utcnow())
