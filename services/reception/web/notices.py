"""Progress notices 进度通报 (R-PN-1): what a customer was told, the notices the advisor phones (no e-mail
address), and the address given at the desk."""

from __future__ import annotations

from marshmallow import Schema

from kit.bounds import Text
from kit.i18n import N_
from kit.types import utcnow
from kit.web import api, form_action, page, read_json

from ..handlers import arrivals, notices


class CustomerEmail(Schema):
    email = Text(254, load_default=None, allow_none=True)  # empty: none (checked by the handler)


class NoticesWeb:
    """Mixed into services.reception.service.Service (which provides `db`)."""

    def mark_phoned(self, request, key: str):
        return self.db.run(notices.mark_phoned, key, actor_id=request.staff.staff_id)

    @api("GET", "/api/orders/<order_id>/notices", action="reception.view")
    def order_notices(self, request, order_id):
        """What the customer was told, and the notices the advisor must phone (no e-mail address)."""
        return {"notices": self.db.read(notices.notices_of, order_id)}

    @api("POST", "/api/visits/<visit_id>/email", action="reception.check_in")
    def set_customer_email(self, request, visit_id):
        """{"email": "wang@example.com"}: where this visit's progress notices go (empty: none, the advisor phones)."""
        self.db.run(
            notices.set_email, visit_id, read_json(request, CustomerEmail)["email"], actor_id=request.staff.staff_id
        )
        return self.db.read(arrivals.visit, visit_id)

    @api("POST", "/visits/<visit_id>/email", action="reception.check_in")
    def set_customer_email_form(self, request, visit_id):
        """The same from the visit's page: the address the customer gives at the desk (empty: none)."""

        def run():
            cmd = CustomerEmail().load({"email": request.form.get("email", "").strip() or None})
            return self.db.run(notices.set_email, visit_id, cmd["email"], actor_id=request.staff.staff_id)

        return form_action(request, run, done=f"/visits/{visit_id}", ok=N_("Progress notices go to this address"))

    @api("GET", "/api/notices/to-phone", action="reception.view")
    def notices_to_phone(self, request):
        """Notices for customers without an e-mail address, not yet phoned (the last two days)."""
        return {"notices": self.db.read(notices.to_phone, utcnow() - notices.PHONE_WINDOW)}

    @api("GET", "/notices", action="reception.view")
    def notices_page(self, request):
        to_phone = self.db.read(notices.to_phone, utcnow() - notices.PHONE_WINDOW)
        return page(self.name, N_("Progress notices to phone"), "notices.html", request, notices=to_phone)

    @api("POST", "/api/notices/<key>/phoned", action="reception.check_in")
    def notice_phoned(self, request, key):
        notice = self.mark_phoned(request, key)
        return {"key": notice.key, "phoned_at": notice.phoned_at, "phoned_by": notice.phoned_by}

    @api("POST", "/notices/<key>/phoned", action="reception.check_in")
    def notice_phoned_form(self, request, key):
        return form_action(request, lambda: self.mark_phoned(request, key), done="/notices", ok=N_("Marked as phoned"))
