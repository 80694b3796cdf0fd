"""The counter's queue and issuing by scanning (R-WS-2), and the appointment shelf's pick list (R-BK-6)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from kit.errors import NotFound
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, form_action, not_found_page, page, read_json

from .. import handlers

PART_NO = dict(required=True, validate=validate.Length(min=1, max=40))


class QuantityText(fields.String):
    """A quantity as typed ("1.5") or as a JSON number (1.5): text of at most 20 characters; its bounds and the
    unit's precision are the domain's (domain.quantity, naming the field)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


def quantity_text(**kwargs):
    return QuantityText(validate=validate.Length(min=1, max=20), **kwargs)


class IssueInput(Schema):
    """A scan: the part number (a scanner types it and Enter), and optionally a quantity for a partial issue."""

    part_no = fields.String(**PART_NO)
    quantity = quantity_text(load_default=None, allow_none=True)


class BackorderInput(Schema):
    quantity = quantity_text(load_default=None, allow_none=True)
    supplier = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=80))
    expected_on = fields.Date(load_default=None, allow_none=True)


class PickInput(Schema):
    part_no = fields.String(**PART_NO)


def _form(request, schema: Schema) -> dict:
    return schema.load({k: v for k, v in request.form.items() if k != "csrf_token" and v != ""})


class CounterViews:
    """Mixed into services.parts.service.Service (which provides `db`)."""

    @api("GET", "/api/queue", action="parts.view")
    def queue_json(self, request):
        """The counter's queue: open workshop requests, oldest first (?status=done|open|)"""
        return {"requests": self.db.read(handlers.queue, request.args.get("status", "open"))}

    @api("GET", "/api/issue-requests/<request_id>", action="parts.view")
    def request_json(self, request, request_id):
        view = self.db.read(handlers.request_view, request_id)
        if view is None:
            raise NotFound("No such request on the queue", field="request_id")
        return view

    @api("POST", "/api/issue-requests/<request_id>/issue", action="parts.issue")
    def issue_json(self, request, request_id):
        """{"part_no": "P-OIL-5W30", "quantity": "1"}: issued against the signed line holding that part (no
        quantity: all still due); refused beyond the signed quantity, for a part not signed, or short of stock"""
        cmd = read_json(request, IssueInput)
        done = self.db.run(
            handlers.issue_at_counter, request_id, cmd["part_no"], cmd["quantity"], actor_id=request.staff.staff_id
        )
        return 201, done

    @api("POST", "/api/issue-requests/<request_id>/lines/<int:line_no>/backorder", action="parts.issue")
    def backorder_json(self, request, request_id, line_no):
        """{"quantity": "2", "supplier": "…", "expected_on": "2026-12-09"} (all optional): what is still due on the
        line goes on a purchase order (parts_backordered)"""
        cmd = read_json(request, BackorderInput)
        return 201, self.db.run(handlers.backorder_line, request_id, line_no, **cmd, actor_id=request.staff.staff_id)

    @api("POST", "/api/issue-requests/<request_id>/receipt", action="parts.confirm_receipt")
    def confirm_receipt_json(self, request, request_id):
        """the technician who asked confirms receipt of what was issued on the request"""
        self.db.run(handlers.confirm_receipt, request_id, actor_id=request.staff.staff_id)
        return self.db.read(handlers.request_view, request_id)

    @api("POST", "/counter/requests/<request_id>/receipt", action="parts.confirm_receipt")
    def confirm_receipt_form(self, request, request_id):
        return form_action(
            request,
            lambda: self.db.run(handlers.confirm_receipt, request_id, actor_id=request.staff.staff_id),
            done=f"/counter/requests/{request_id}",
            ok=N_("Receipt confirmed"),
        )

    @api("GET", "/counter", action="parts.view")
    def counter_page(self, request):
        return page(
            self.name,
            N_("Parts counter"),
            "counter.html",
            request,
            queue=self.db.read(handlers.queue, "open"),
            done=self.db.read(handlers.queue, "done")[-10:],
        )

    @api("GET", "/counter/requests/<request_id>", action="parts.view")
    def request_page(self, request, request_id):
        view = self.db.read(handlers.request_view, request_id)
        if view is None:
            return not_found_page(self.name, request)
        issued = self.db.read(handlers.issues, view["order_id"])
        return page(self.name, N_("Pick list"), "request.html", request, req=view, issued=issued)

    @api("POST", "/counter/requests/<request_id>/issue", action="parts.issue")
    def issue_form(self, request, request_id):
        back = f"/counter/requests/{request_id}"
        return form_action(
            request,
            lambda: self.db.run(
                handlers.issue_at_counter, request_id, **_form(request, IssueInput()), actor_id=request.staff.staff_id
            ),
            done=back,
            ok=lambda r: (N_("Issued {quantity} of {part_no} on line {line_no}"), _plain(r)),
        )

    @api("POST", "/counter/requests/<request_id>/lines/<int:line_no>/backorder", action="parts.issue")
    def backorder_form(self, request, request_id, line_no):
        return form_action(
            request,
            lambda: self.db.run(
                handlers.backorder_line,
                request_id,
                line_no,
                **_form(request, BackorderInput()),
                actor_id=request.staff.staff_id,
            ),
            done=f"/counter/requests/{request_id}",
            ok=lambda b: (N_("Backordered on {po}"), {"po": b["purchase_order_id"]}),
        )

    @api("GET", "/api/pick-list", action="parts.view")
    def pick_list_json(self, request):
        """R-BK-6: shelf lines for visits in the next 48 hours, soonest first, with who confirmed each"""
        return {"lines": self.db.read(handlers.pick_list, utcnow())}

    @api("POST", "/api/reservations/<int:reservation_id>/pick", action="parts.pick")
    def pick_json(self, request, reservation_id):
        """{"part_no": "P-OIL-5W30"}: the line is on the shelf (the scanned number must be the line's)"""
        cmd = read_json(request, PickInput)
        self.db.run(handlers.confirm_pick, reservation_id, cmd["part_no"], actor_id=request.staff.staff_id)
        return {"lines": self.db.read(handlers.pick_list, utcnow())}

    @api("GET", "/pick-list", action="parts.view")
    def pick_list_page(self, request):
        return page(
            self.name,
            N_("Appointment shelf pick list"),
            "pick_list.html",
            request,
            lines=self.db.read(handlers.pick_list, utcnow()),
        )

    @api("POST", "/pick-list/<int:reservation_id>/pick", action="parts.pick")
    def pick_form(self, request, reservation_id):
        return form_action(
            request,
            lambda: self.db.run(
                handlers.confirm_pick,
                reservation_id,
                _form(request, PickInput())["part_no"],
                actor_id=request.staff.staff_id,
            ),
            done="/pick-list",
            ok=N_("Confirmed on the shelf"),
        )


def _plain(result: dict) -> dict:
    return {**result, "quantity": format(result["quantity"], "f")}
