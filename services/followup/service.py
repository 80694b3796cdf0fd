"""Follow-up 跟踪回访: a call after every delivery, never by the advisor who served the customer; complaints
followed until closed; customer care for every owner.

The nameko class only: it gathers the web mixins (web/) and declares the event handlers and the timer."""

from nameko.timer import timer

from contracts import names
from kit.clock import timer_seconds
from kit.extensions import on_event
from kit.providers import Database, OutboxRelay, Seeding
from kit.rpc import RpcClient
from kit.service import KitEndpoints
from kit.sms import SmsNotifications
from kit.types import utcnow

from . import seed
from .handlers import calls, complaints, directory
from .models import Base
from .permissions import PERMISSIONS
from .web.calls import CallEndpoints
from .web.care import CareEndpoints
from .web.complaints import ComplaintEndpoints
from .web.report import ReportEndpoints

WATCH_SECONDS = 60


class Service(CallEndpoints, ComplaintEndpoints, ReportEndpoints, CareEndpoints, KitEndpoints):
    name = names.FOLLOWUP
    permissions = PERMISSIONS
    db = Database(Base.metadata)
    relay = OutboxRelay(db)
    sms = SmsNotifications(db)  # R-FU-1: unreachable customers, care messages (SMS_GATEWAY_URL)
    seeding = Seeding(db, seed.reference_data)
    booking = RpcClient(names.BOOKING)  # the next visit (R-CR-4, R-BL-4), a complaint's priority return (R-FU-5)

    @on_event(names.VEHICLE_DELIVERED)
    def schedule_call(self, event):
        """payload: {"invoice_id", "order_id", "advisor_id": "A001", "customer", "vehicle", "total", "delivered_at"}"""
        self.db.handle(event, calls.schedule_call)

    @on_event(names.STAFF_REGISTERED)
    def take_staff_registered(self, event):
        """payload: {"staff_id": "F003", "name": "…", "department", "roles": ["followup_agent"], "active": true}"""
        self.db.handle(event, directory.take_staff_record)

    @on_event(names.STAFF_CHANGED)
    def take_staff_changed(self, event):
        """payload: a staff record with "change": "roles" | "active" | …: calls move off whoever may no longer call"""
        self.db.handle(event, directory.take_staff_record)

    @timer(interval=timer_seconds(WATCH_SECONDS))
    def watch(self):
        """R-FU-1: overdue calls escalated and the SMS / letter after the retry ladder; R-FU-5: complaints not
        re-contacted within 24 hours escalated to the after-sales manager."""
        now = utcnow()
        self.db.run(calls.escalate_overdue, now)
        self.db.run(calls.send_fallbacks, now)
        self.db.run(complaints.escalate_late, now)
