"""Reception 接车制单: check-in, the work order priced from the published list, signatures."""

from marshmallow import Schema, fields, validate
from nameko.timer import timer
from werkzeug.utils import redirect

from contracts import names
from contracts.events import LINE_KINDS, CustomerSchema
from kit.config import Settings
from kit.errors import DomainError, NotFound
from kit.extensions import SignedOrders, on_event
from kit.i18n import N_
from kit.providers import Database, Notifications, OutboxRelay
from kit.service import KitEndpoints
from kit.types import utcnow
from kit.web import api, flash, form_errors, fragment, page, read_json

from . import amendment_handlers as amending
from . import directory, handlers, incidents, notices, pdf, pre_inspection
from .amendment_requests import PriceAmendment, SignAmendment, accepted_from_form, ask_workshop, consent_from_form
from .models import Base
from .permissions import PERMISSIONS
from .write_up_web import WriteUpEndpoints, pre_inspection_bays


class WalkInVehicle(Schema):
    vin = fields.String(required=True)
    plate = fields.String(required=True, validate=validate.Length(min=2, max=16))
    model = fields.String(load_default="")


class CheckIn(Schema):
    appointment_id = fields.String(load_default=None)
    plate = fields.String(load_default=None)
    customer = fields.Nested(CustomerSchema, load_default=None)
    vehicle = fields.Nested(WalkInVehicle, load_default=None)
    advisor_id = fields.String(load_default=None)
    complaint = fields.String(load_default="")


class RequestedLine(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(LINE_KINDS))
    code = fields.String(required=True, validate=validate.Length(min=1))
    quantity = fields.Decimal(load_default=None)


class WriteOrder(Schema):
    # lines / mileage_km may come from the write-up instead (jobs added, the walk-around sheet's reading)
    lines = fields.List(fields.Nested(RequestedLine), load_default=None, validate=validate.Length(min=1))
    mileage_km = fields.Integer(load_default=None, validate=validate.Range(min=0))
    promised_at = fields.AwareDateTime(load_default=None)
    promise_note = fields.String(load_default="")  # required with a promise entered by hand
    pay_type = fields.String(load_default=None)  # customer | warranty | internal (R-RC-5)
    key_tag = fields.String(load_default=None)  # R-RC-7, unique among open visits
    customer_waits = fields.Boolean(load_default=None)  # in the lounge, or leaves


class SignOrder(Schema):
    customer_signature = fields.String(load_default=None)
    customer_signature_sha256 = fields.String(load_default=None)


class Service(WriteUpEndpoints, KitEndpoints):
    name = names.RECEPTION
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    notifications = Notifications(db)
    orders = SignedOrders(signer=True)
    verifier = SignedOrders()  # R-WS-3: stored versions are verified when read back

    @on_event(names.PRICE_LIST_PUBLISHED)
    def take_price_list(self, event):
        """payload: {"version": "2026.11-1", "labour_rate": "300.00", "vat_rate": "0.13", "labour_operations": [...],
        "parts": [...]}"""
        self.db.handle(event, handlers.take_price_list)

    @on_event(names.APPOINTMENT_BOOKED)
    def expect_arrival(self, event):
        """payload: {"appointment_id", "visit_id", "customer", "vehicle", "starts_at", "advisor_id", …}"""
        self.db.handle(event, handlers.expect_arrival)

    @on_event(names.APPOINTMENT_CANCELLED)
    def forget_arrival(self, event):
        """payload: {"appointment_id", "visit_id", "reason", "by_dealership"}"""
        self.db.handle(event, handlers.forget_arrival)

    @on_event(names.APPOINTMENT_RESCHEDULED)
    def move_arrival(self, event):
        """payload: {"appointment_id", "visit_id", "starts_at", "previous_starts_at", "advisor_id", …}"""
        self.db.handle(event, handlers.move_arrival)

    @on_event(names.APPOINTMENT_NO_SHOW)
    def drop_arrival(self, event):
        """payload: {"appointment_id", "visit_id", "starts_at"}"""
        self.db.handle(event, handlers.drop_arrival)

    @timer(interval=15)
    def watch_pre_inspection(self):
        """R-RC-8: a car waiting over 20 minutes raises the alert even when nobody checks in."""
        self.db.run(handlers.watch_pre_inspection)

    @api("GET", "/api/pre-inspection", action="reception.view")
    def pre_inspection_area(self, request):
        """The pre-inspection bays and the car on each, the cars waiting with their queue tickets, the open
        incident with the actions taken, the latest incidents (R-RC-8)."""
        return self.db.read(handlers.pre_inspection_area, utcnow(), pre_inspection_bays())

    @api("POST", "/api/pre-inspection/call", action="reception.check_in")
    def call_next_ticket(self, request):
        """{"bay": "P2"} (or none: the first free bay): the next ticket is called onto it (R-RC-8)."""
        bay = read_json(request).get("bay") or None
        visit = self.db.run(handlers.call_next, bay, pre_inspection_bays(), actor_id=request.staff.staff_id)
        return self.db.read(handlers.visit, visit.visit_id)

    @api("POST", "/api/visits/<visit_id>/pre-inspection/leave", action="reception.check_in")
    def leave_pre_inspection_bay(self, request, visit_id):
        """The car has left its pre-inspection bay (the walk-around's completion does this as well)."""
        self.db.run(handlers.leave_bay, visit_id, actor_id=request.staff.staff_id)
        return self.db.read(handlers.visit, visit_id)

    @api("POST", "/api/pre-inspection/incidents/<int:incident_id>/actions", action="reception.act_on_congestion")
    def record_congestion_action(self, request, incident_id):
        """{"action": "temporary_park_with_ticket" | "move_written_up_cars_to_workshop_waiting_bays", "note": ""}:
        the service manager records what was done about the alert (R-RC-8)."""
        body = read_json(request)
        cmd = {"action": body.get("action"), "note": body.get("note")}
        self.db.run(incidents.record_action, incident_id, cmd, actor_id=request.staff.staff_id)
        return 201, self.db.read(incidents.incident, incident_id)

    @api("GET", "/pre-inspection", action="reception.view")
    def pre_inspection_page(self, request):
        """The area's screen for the advisors and the service manager; its board refreshes itself (htmx)."""
        return page(self.name, N_("Pre-inspection area"), "pre_inspection.html", request, **self._area(request))

    @api("GET", "/pre-inspection/board", action="reception.view")
    def pre_inspection_board(self, request):
        # the board's forms need the session's CSRF token, which kit.web.fragment does not pass by itself
        area = self._area(request)
        return fragment(self.name, "pre_inspection_board.html", request, csrf_token=request.csrf_token, **area)

    def _area(self, request) -> dict:
        now = utcnow()
        return {
            "area": self.db.read(handlers.pre_inspection_area, now, pre_inspection_bays()),
            "now": now,
            "triggers": pre_inspection.TRIGGERS,
            "action_labels": pre_inspection.ACTION_LABELS,
            "may_act": request.staff.may("reception.act_on_congestion"),
            "may_call": request.staff.may("reception.check_in"),
        }

    @api("POST", "/pre-inspection/call", action="reception.check_in")
    def call_next_form(self, request):
        try:
            visit = self.db.run(
                handlers.call_next,
                request.form.get("bay") or None,
                pre_inspection_bays(),
                actor_id=request.staff.staff_id,
            )
        except DomainError as exc:
            return flash(redirect("/pre-inspection", code=303), "error", exc.msgid, **exc.params)
        response = redirect("/pre-inspection", code=303)
        called = pre_inspection.ticket_label(visit.ticket_no) or visit.plate
        return flash(response, "ok", N_("Ticket {ticket} called to bay {bay}"), ticket=called, bay=visit.on_bay)

    @api("POST", "/pre-inspection/leave", action="reception.check_in")
    def leave_bay_form(self, request):
        try:
            self.db.run(handlers.leave_bay, request.form.get("visit_id", ""), actor_id=request.staff.staff_id)
        except DomainError as exc:
            return flash(redirect("/pre-inspection", code=303), "error", exc.msgid, **exc.params)
        return flash(redirect("/pre-inspection", code=303), "ok", N_("The bay is free"))

    @api("POST", "/pre-inspection/incidents/<int:incident_id>/actions", action="reception.act_on_congestion")
    def congestion_action_form(self, request, incident_id):
        cmd = {"action": request.form.get("action"), "note": request.form.get("note")}
        try:
            self.db.run(incidents.record_action, incident_id, cmd, actor_id=request.staff.staff_id)
        except DomainError as exc:
            return flash(redirect("/pre-inspection", code=303), "error", exc.msgid, **exc.params)
        return flash(redirect("/pre-inspection", code=303), "ok", N_("The action is recorded"))

    @api("GET", "/visits/<visit_id>/ticket", action="reception.view")
    def ticket_page(self, request, visit_id):
        """The customer's queue ticket 叫号牌, to print at check-in (R-RC-8)."""
        visit = self.db.read(handlers.visit, visit_id)
        if visit is None:
            return page(self.name, N_("Not found"), "refused.html", request, status=404, code=404, message="")
        ahead = self.db.read(handlers.cars_ahead, visit_id)
        return page(self.name, N_("Queue ticket"), "ticket.html", request, visit=visit, ahead=ahead)

    # --- R-RC-8: incidents reviewed by the service manager, the monthly summary --------------------------

    @api("GET", "/api/pre-inspection/summary", action="reception.view")
    def congestion_summary(self, request):
        """?month=2026-11 (default: this month): counts, average/longest waits, causes, responsible, per day."""
        tz, now = Settings.load().tz, utcnow()
        return self.db.read(incidents.monthly_summary, incidents.month_of(request.args.get("month"), now, tz), tz, now)

    @api("POST", "/api/pre-inspection/incidents/<int:incident_id>/review", action="reception.review_incident")
    def review_incident(self, request, incident_id):
        """{"root_cause": "walk_ins", "root_cause_note": "", "responsible_id": "A001", "actions": "分流到临时停车区"}"""
        body = read_json(request)
        cmd = {key: body.get(key) for key in incidents.REVIEW_FIELDS}
        self.db.run(incidents.review, incident_id, cmd, actor_id=request.staff.staff_id)
        return self.db.read(incidents.incident, incident_id)

    @api("GET", "/pre-inspection/summary", action="reception.view")
    def congestion_summary_page(self, request):
        settings, now = Settings.load(), utcnow()
        tz, month = settings.tz, request.args.get("month")
        try:
            report = self.db.read(incidents.monthly_summary, incidents.month_of(month, now, tz), tz, now)
        except DomainError:  # a malformed ?month= shows this month
            report = self.db.read(incidents.monthly_summary, incidents.month_of(None, now, tz), tz, now)
        return page(
            self.name,
            N_("Pre-inspection area: monthly summary"),
            "congestion_summary.html",
            request,
            report=report,
            charts=incidents.chart_rows(report, request.locale, settings.dealer_timezone),
            causes=pre_inspection.ROOT_CAUSES,
            triggers=pre_inspection.TRIGGERS,
            action_labels=pre_inspection.ACTION_LABELS,
            may_review=request.staff.may("reception.review_incident"),
        )

    @api("GET", "/pre-inspection/incidents/<int:incident_id>", action="reception.review_incident")
    def incident_page(self, request, incident_id):
        return self._incident_page(request, incident_id, None, {})

    @api("POST", "/pre-inspection/incidents/<int:incident_id>", action="reception.review_incident")
    def incident_form(self, request, incident_id):
        values = {key: request.form.get(key, "") for key in incidents.REVIEW_FIELDS}
        try:
            self.db.run(incidents.review, incident_id, values, actor_id=request.staff.staff_id)
        except DomainError as exc:
            return self._incident_page(request, incident_id, values, form_errors(exc, request.locale), status=422)
        month = self.db.read(incidents.incident, incident_id)["raised_at"].astimezone(Settings.load().tz)
        response = redirect(f"/pre-inspection/summary?month={month:%Y-%m}", code=303)
        return flash(response, "ok", N_("The incident review is recorded"))

    def _incident_page(self, request, incident_id, values, errors, status=200):
        incident = self.db.read(incidents.incident, incident_id)
        if incident is None:
            return page(self.name, N_("Not found"), "refused.html", request, status=404, code=404, message="")
        return page(
            self.name,
            N_("Review the congestion incident"),
            "congestion_review.html",
            request,
            status=status,
            incident=incident,
            values=values if values is not None else {key: incident[key] or "" for key in incidents.REVIEW_FIELDS},
            errors=errors,
            causes=pre_inspection.ROOT_CAUSES,
            triggers=pre_inspection.TRIGGERS,
            action_labels=pre_inspection.ACTION_LABELS,
            month=f"{incident['raised_at'].astimezone(Settings.load().tz):%Y-%m}",
        )

    @api("POST", "/api/visits/<visit_id>/pre-inspection", action="reception.check_in")
    def start_pre_inspection(self, request, visit_id):
        """{"bay": "P1"} (or none: the first free bay): the car is taken onto a pre-inspection bay for the
        walk-around, its ticket called; an occupied bay is refused (R-RC-8)."""
        bay = read_json(request).get("bay") or None
        self.db.run(
            handlers.start_pre_inspection, visit_id, bay, pre_inspection_bays(), actor_id=request.staff.staff_id
        )
        return self.db.read(handlers.visit, visit_id)

    @api("GET", "/api/expected-arrivals", action="reception.view")
    def expected_arrivals(self, request):
        """?appointment_id=… for one; otherwise the cars not yet arrived, earliest first."""
        return {"expected_arrivals": self.db.read(handlers.expected_arrivals, request.args.get("appointment_id"))}

    @api("POST", "/api/visits", action="reception.check_in")
    def check_in(self, request):
        """{"appointment_id": "…"} for a booked car, or a walk-in: {"customer": {"name", "mobile"},
        "vehicle": {"vin", "plate", "model"}, "advisor_id": "A001", "complaint": "…"}"""
        cmd = read_json(request, CheckIn())
        if cmd.get("customer") and not cmd.get("advisor_id") and "service_advisor" in request.staff.roles:
            cmd["advisor_id"] = request.staff.staff_id  # a walk-in is received by the advisor checking it in
        visit = handlers.checked_in(self.db, cmd, actor_id=request.staff.staff_id, tz=Settings.load().tz)
        return 201, self.db.read(handlers.visit, visit.visit_id)

    @api("GET", "/api/visits", action="reception.view")
    def list_visits(self, request):
        return {"visits": self.db.read(handlers.visits)}

    @api("GET", "/api/visits/<visit_id>", action="reception.view")
    def get_visit(self, request, visit_id):
        view = self.db.read(handlers.visit, visit_id)
        if not view:
            raise NotFound("Visit not found")
        return view

    @api("POST", "/api/visits/<visit_id>/order", action="reception.write_order")
    def write_order(self, request, visit_id):
        """{"mileage_km": 35210, "lines": [{"kind": "labour", "code": "LAB-OIL"},
        {"kind": "part", "code": "P-OIL-5W30", "quantity": "1"}], "pay_type": "customer", "key_tag": "K-17",
        "customer_waits": true}; the promise comes from the workshop's load, or by hand: "promised_at" with a
        "promise_note". lines / mileage_km may be left out when the write-up has them (jobs, walk-around)."""
        cmd = read_json(request, WriteOrder())
        promise = self.promise(visit_id, cmd)  # asked of the workshop before the order's transaction
        self.db.run(handlers.write_order, visit_id, cmd, promise=promise, actor_id=request.staff.staff_id)
        return 201, self.db.read(handlers.visit, visit_id)["order"]

    @api("POST", "/api/orders/<order_id>/sign", action="reception.sign_order")
    def sign_order(self, request, order_id):
        """{"customer_signature_sha256": "…"} of a signature captured on the tablet (POST /api/signatures),
        or {"customer_signature": "data:image/png;base64,…"}; then the signed-in advisor signs."""
        cmd = read_json(request, SignOrder())
        self.db.run(
            handlers.sign_order,
            order_id,
            customer_signature=cmd["customer_signature"],
            customer_signature_sha256=cmd["customer_signature_sha256"],
            advisor_id=request.staff.staff_id,
            signer=self.orders,
            actor_id=request.staff.staff_id,
        )
        return self.db.read(handlers.order, order_id)

    @api("GET", "/orders/<order_id>/sign", action="reception.sign_order")
    def sign_page(self, request, order_id):
        """The order on the tablet: the customer reads it and signs on the pad, then the advisor signs."""
        return self._sign_page(request, order_id, {})

    @api("POST", "/orders/<order_id>/sign", action="reception.sign_order")
    def sign_form(self, request, order_id):
        try:
            self.db.run(
                handlers.sign_order,
                order_id,
                advisor_id=request.staff.staff_id,
                signer=self.orders,
                customer_signature_sha256=request.form.get("customer_signature_sha256") or None,
                actor_id=request.staff.staff_id,
            )
        except DomainError as exc:
            errors = form_errors(exc, request.locale, {"customer_signature": "customer_signature_sha256"})
            return self._sign_page(request, order_id, errors, status=422)
        return flash(redirect(f"/orders/{order_id}/sign", code=303), "ok", N_("The order is signed"))

    def _sign_page(self, request, order_id, errors, status=200):
        order = self.db.read(handlers.order, order_id)
        if order is None:
            return page(self.name, N_("Not found"), "refused.html", request, status=404, code=404, message="")
        return page(
            self.name, N_("Sign the work order"), "sign.html", request, status=status, order=order, errors=errors
        )

    @api("GET", "/api/orders/<order_id>", action="reception.view")
    def get_order(self, request, order_id):
        view = self.db.read(handlers.order, order_id)
        if not view:
            raise NotFound("Work order not found")
        return view

    @api("GET", "/orders/<order_id>/pdf", action="reception.view")
    def order_pdf(self, request, order_id):
        """The printed 委托书 of the latest signed version, the customer's copy (R-RC-5/6); ?version=1 for another."""
        version = request.args.get("version", type=int)
        return self._order_pdf(request, order_id, version)

    @api("GET", "/orders/<order_id>/versions/<int:version>/pdf", action="reception.view")
    def order_version_pdf(self, request, order_id, version):
        """The printed 委托书 of one signed version (old versions stay readable, R-WS-3)."""
        return self._order_pdf(request, order_id, version)

    def _order_pdf(self, request, order_id, version):
        try:
            document = self.db.read(pdf.order_document, order_id, version)
        except DomainError as exc:
            message = exc.message_in(request.locale)
            return page(
                self.name,
                N_("This order cannot be printed"),
                "refused.html",
                request,
                status=exc.status,
                code=exc.status,
                message=message,
            )
        settings = Settings.load()
        data = pdf.render_pdf(
            document, dealer_name=settings.raw.get("DEALER_NAME") or settings.dealer_id, tz=settings.dealer_timezone
        )
        return pdf.response(data, f"order-{document['order']['vehicle']['plate']}-v{document['version']}.pdf")

    @on_event(names.STAFF_REGISTERED)
    def take_staff_registered(self, event):
        """payload: {"staff_id": "A001", "name": "李明", "department", "roles", "active"}: names for print."""
        self.db.handle(event, directory.take_staff_record)

    @on_event(names.STAFF_CHANGED)
    def take_staff_changed(self, event):
        """payload: a staff record with "change": "details" | "roles" | …"""
        self.db.handle(event, directory.take_staff_record)

    # --- progress notices 进度通报 (R-PN-1, R-WS-5) ----------------------------------------------------

    @on_event(names.WORK_STARTED)
    def tell_work_started(self, event):
        """payload: {"order_id", "order_version", "technician_id", "bay_id", "started_at"}"""
        self.db.handle(event, notices.started)

    @on_event(names.VEHICLE_READY)
    def tell_ready(self, event):
        """payload: {"order_id", "order_version", "jobs_done", "parts_used", "inspector_id", "ready_at"}"""
        self.db.handle(event, notices.vehicle_ready)

    @timer(interval=15)
    def watch_progress(self):
        """R-PN-1: the customer is told of a priced change waiting for their consent, and when the promised
        time passes with the car not ready (each read first: an idle round writes nothing)."""
        if self.db.read(notices.consents_to_tell):
            self.db.run(notices.tell_consent_requests)
        if self.db.read(notices.missed_promises, utcnow()):
            self.db.run(notices.watch_promises)

    @api("GET", "/api/orders/<order_id>/notices", action="reception.view")
    def order_notices(self, request, order_id):
        """What the customer was told, and the notices the advisor must phone (no e-mail address)."""
        return {"notices": self.db.read(notices.notices_of, order_id)}

    @api("POST", "/api/visits/<visit_id>/email", action="reception.check_in")
    def set_customer_email(self, request, visit_id):
        """{"email": "wang@example.com"}: where this visit's progress notices go (empty: none, the advisor phones)."""
        self.db.run(notices.set_email, visit_id, read_json(request).get("email"), actor_id=request.staff.staff_id)
        return self.db.read(handlers.visit, visit_id)

    @api("GET", "/api/notices/to-phone", action="reception.view")
    def notices_to_phone(self, request):
        """Notices for customers without an e-mail address, not yet phoned (the last two days)."""
        return {"notices": self.db.read(notices.to_phone, utcnow() - notices.PHONE_WINDOW)}

    @api("POST", "/api/notices/<key>/phoned", action="reception.check_in")
    def notice_phoned(self, request, key):
        notice = self.db.run(notices.mark_phoned, key, actor_id=request.staff.staff_id)
        return {"key": notice.key, "phoned_at": notice.phoned_at, "phoned_by": notice.phoned_by}

    @api("GET", "/notices", action="reception.view")
    def notices_page(self, request):
        to_phone = self.db.read(notices.to_phone, utcnow() - notices.PHONE_WINDOW)
        return page(self.name, N_("Progress notices to phone"), "notices.html", request, notices=to_phone)

    @api("POST", "/notices/<key>/phoned", action="reception.check_in")
    def notice_phoned_form(self, request, key):
        self.db.run(notices.mark_phoned, key, actor_id=request.staff.staff_id)
        return flash(redirect("/notices", code=303), "ok", N_("Marked as phoned"))

    # --- amendments (R-WS-3): found work in, priced, consented, signed as a new version -------------------

    @on_event(names.ADDITIONAL_WORK_REQUESTED)
    def take_additional_work(self, event):
        """payload: {"request_id", "order_id", "order_version": 1, "visit_id", "plate", "reported_by": "T001",
        "reason": "前刹车片磨损至极限", "lines": [{"kind": "labour", "code": "LAB-BRAKE-DISC"}, …]}"""
        self.db.handle(event, amending.take_additional_work)

    @api("GET", "/api/additional-work", action="reception.view")
    def list_additional_work(self, request):
        """?status=open (default) | priced | answered | all; ?order_id=…"""
        status = request.args.get("status", "open")
        work = self.db.read(amending.additional_work, None if status == "all" else status, request.args.get("order_id"))
        return {"additional_work": work}

    @api("POST", "/api/orders/<order_id>/amendments", action="reception.write_order")
    def price_amendment(self, request, order_id):
        """{"request_id": "…"} (the workshop's found work) or {"lines": [{"kind": "part", "code": "P-PAD-F",
        "quantity": "1"}]}; optional "promised_at". Priced from the list; now it needs the customer's consent."""
        cmd = read_json(request, PriceAmendment())
        answer = None
        if cmd["promised_at"] is None:
            hours, not_before = self.db.read(amending.added_labour, order_id, cmd["request_id"], cmd["lines"], utcnow())
            answer = ask_workshop(getattr(self, "workshop_rpc", None), hours, not_before)
        amendment = self.db.run(
            amending.price_amendment, order_id, **cmd, workshop_promise=answer, actor_id=request.staff.staff_id
        )
        return 201, self.db.read(amending.amendment, amendment.amendment_id)

    @api("GET", "/api/amendments/<amendment_id>", action="reception.view")
    def get_amendment(self, request, amendment_id):
        view = self.db.read(amending.amendment, amendment_id)
        if not view:
            raise NotFound("Amendment not found")
        return view

    @api("POST", "/api/amendments/<amendment_id>/sign", action="reception.sign_order")
    def sign_amendment(self, request, amendment_id):
        """{"accepted_lines": [5], "consent": {"method": "signature", "signature_sha256": "…"}} or
        {"accepted_lines": [5], "consent": {"method": "phone", "at": "2026-11-28T03:10:00Z", "staff_id": "A001",
        "customer_words": "同意更换前刹车片，不做四轮定位"}}; lines not accepted are declined."""
        cmd = read_json(request, SignAmendment())
        self.db.run(
            amending.sign_amendment,
            amendment_id,
            advisor_id=request.staff.staff_id,
            signer=self.orders,
            accepted=cmd["accepted_lines"],
            consent=cmd["consent"],
            customer_signature=cmd["customer_signature"],
            actor_id=request.staff.staff_id,
        )
        return self.db.read(amending.amendment, amendment_id)

    @api("GET", "/api/orders/<order_id>/versions", action="reception.view")
    def order_versions(self, request, order_id):
        """Every signed version, oldest first, each verified again (signature and chain)."""
        versions = self.db.read(amending.versions, order_id, self.verifier)
        if versions is None:
            raise NotFound("Work order not found")
        return {"order_id": order_id, "versions": versions}

    @api("GET", "/api/orders/<order_id>/versions/<int:version>", action="reception.view")
    def order_version(self, request, order_id, version):
        """One signed version as it was signed, with the result of verifying it now."""
        view = self.db.read(amending.version, order_id, version, self.verifier)
        if view is None:
            raise NotFound("This order has no such version")
        return view

    @api("GET", "/api/consent-requests", action="reception.view")
    def consent_requests(self, request):
        """Changes waiting for the customer's consent (R-PN-1: the progress notices tell the customer)."""
        return {"consent_requests": self.db.read(amending.pending_consents)}

    @api("GET", "/additional-work", action="reception.view")
    def additional_work_page(self, request):
        return page(
            self.name,
            N_("Additional work"),
            "amend_requests.html",
            request,
            requests=self.db.read(amending.additional_work, None),
        )

    @api("POST", "/additional-work/<request_id>/price", action="reception.write_order")
    def price_additional_work(self, request, request_id):
        order_id = request.form.get("order_id", "")
        hours, not_before = self.db.read(amending.added_labour, order_id, request_id, None, utcnow())
        answer = ask_workshop(getattr(self, "workshop_rpc", None), hours, not_before)
        try:
            amendment = self.db.run(
                amending.price_amendment,
                order_id,
                request_id=request_id,
                workshop_promise=answer,
                actor_id=request.staff.staff_id,
            )
        except DomainError as exc:
            return flash(redirect("/additional-work", code=303), "error", exc.msgid, **exc.params)
        return redirect(f"/amendments/{amendment.amendment_id}", code=303)

    @api("GET", "/amendments/<amendment_id>", action="reception.view")
    def amendment_page(self, request, amendment_id):
        """The change on the tablet: the customer accepts or declines each line and signs (or the advisor
        records a phone consent); then the advisor signs the new version."""
        return self._amendment_page(request, amendment_id, {})

    @api("POST", "/amendments/<amendment_id>", action="reception.sign_order")
    def amendment_form(self, request, amendment_id):
        try:
            self.db.run(
                amending.sign_amendment,
                amendment_id,
                advisor_id=request.staff.staff_id,
                signer=self.orders,
                accepted=accepted_from_form(request.form),
                consent=consent_from_form(request.form),
                actor_id=request.staff.staff_id,
            )
        except DomainError as exc:
            errors = form_errors(exc, request.locale, {"customer_signature": "customer_signature_sha256"})
            return self._amendment_page(request, amendment_id, errors, status=422)
        return flash(redirect(f"/amendments/{amendment_id}", code=303), "ok", N_("The customer's answer is recorded"))

    def _amendment_page(self, request, amendment_id, errors, status=200):
        view = self.db.read(amending.amendment, amendment_id)
        if view is None:
            return page(self.name, N_("Not found"), "refused.html", request, status=404, code=404, message="")
        return page(
            self.name,
            N_("Change to the signed order"),
            "amend.html",
            request,
            status=status,
            amendment=view,
            errors=errors,
            values=request.form if request.method == "POST" else {},
        )

    @api("GET", "/orders/<order_id>/versions", action="reception.view")
    def versions_page(self, request, order_id):
        """Every signed version of the order, still readable and verified (R-WS-3)."""
        versions = self.db.read(amending.versions, order_id, self.verifier)
        if versions is None:
            return page(self.name, N_("Not found"), "refused.html", request, status=404, code=404, message="")
        return page(
            self.name,
            N_("Signed versions of the order"),
            "amend_versions.html",
            request,
            order_id=order_id,
            versions=versions,
            requests=self.db.read(amending.additional_work, None, order_id),
        )

    @api("GET", "/", action="reception.view")
    def index(self, request):
        return self.index_page(request)

    def index_page(self, request, errors=None, form=None, status=200):
        return page(
            self.name,
            N_("Check-in and work orders"),
            "index.html",
            request,
            status=status,
            arrivals=self.db.read(handlers.expected_arrivals),
            visits=self.db.read(handlers.visits),
            errors=errors or {},
            form=form or {},
        )
