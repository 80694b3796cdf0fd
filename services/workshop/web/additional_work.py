"""Additional work 增项 (R-WS-3): the technician reports found work (JSON and the report form) and reads what
they were told about amended orders."""

from __future__ import annotations

from marshmallow import Schema, fields
from werkzeug.utils import redirect

from kit.errors import DomainError
from kit.i18n import N_
from kit.web import api, flash, form_errors, not_found_page, page, read_json

from ..handlers import additional_work
from ..handlers import views as orders


class ReportAdditionalWork(Schema):
    """R-WS-3: found work, checked in domain.additional_work.check_found_work (Chinese messages naming the line)."""

    lines = fields.List(fields.Dict(), load_default=list)
    reason = fields.String(load_default="")
    job_line_no = fields.Integer(load_default=None, allow_none=True)  # the job it was found on


def found_work_from_form(form, rows: int = 4) -> list[dict]:
    """The report form's rows (kind-i, code-i, quantity-i); rows without a code are left out."""
    return [
        {"kind": form.get(f"kind-{i}"), "code": form.get(f"code-{i}", ""), "quantity": form.get(f"quantity-{i}")}
        for i in range(rows)
        if (form.get(f"code-{i}") or "").strip()
    ]


class AdditionalWorkViews:
    """Mixed into service.Service (its `db` is the kit Database)."""

    @api("POST", "/api/work-orders/<order_id>/additional-work", action="workshop.request_additional_work")
    def request_additional_work(self, request, order_id):
        """{"reason": "前刹车片磨损至极限", "lines": [{"kind": "labour", "code": "LAB-BRAKE-DISC"},
        {"kind": "part", "code": "P-PAD-F", "quantity": "1"}]}: reported to the advisor, not done yet."""
        cmd = read_json(request, ReportAdditionalWork)
        self.db.run(additional_work.request_additional_work, order_id, **cmd, actor_id=request.staff.staff_id)
        return 201, self.db.read(orders.work_order, order_id)

    @api("POST", "/work-orders/<order_id>/additional-work", action="workshop.request_additional_work")
    def additional_work_form(self, request, order_id):
        try:
            self.db.run(
                additional_work.request_additional_work,
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

    @api("GET", "/work-orders/<order_id>/additional-work", action="workshop.view")
    def additional_work_page(self, request, order_id):
        """The order's jobs, the technician's notices of amendments, and the form to report found work."""
        return self._additional_work_page(request, order_id, {}, {})

    def _additional_work_page(self, request, order_id, values, errors, status=200):
        view = self.db.read(orders.work_order, order_id)
        if view is None:
            return not_found_page(self.name, request)
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

    @api("GET", "/api/technicians/<technician_id>/notices", action="workshop.view")
    def technician_notices(self, request, technician_id):
        """What the technician has been told about amended orders (new jobs, declined items)."""
        return {"notices": self.db.read(additional_work.notices_for, technician_id)}
