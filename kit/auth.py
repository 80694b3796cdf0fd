"""Who may do what: staff roles, the permission table, and the signed session every service verifies.

One sign-in for the whole dealership: the staff service checks the password and issues a session
token (itsdangerous, signed with the dealership's shared secret); every service verifies it locally,
so signing in once works in all department UIs and no service has to ask another.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .i18n import N_

SESSION_COOKIE = "as_session"
SESSION_SALT = "aftersales.session.v1"
DEFAULT_SESSION_HOURS = 12

# role -> its title, a message id (the UI shows it in the staff member's language)
ROLES = {
    "service_advisor": N_("Service advisor"),
    "service_assistant": N_("Service assistant"),
    "service_manager": N_("Service manager"),
    "booking_clerk": N_("Booking clerk"),
    "dispatcher": N_("Workshop dispatcher"),
    "technician": N_("Technician"),
    "technical_expert": N_("Technical expert"),
    "parts_clerk": N_("Parts clerk"),
    "qc_inspector": N_("QC inspector"),
    "cashier": N_("Cashier"),
    "followup_agent": N_("Follow-up agent"),
    "hq_viewer": N_("Group HQ"),
    "admin": N_("Administrator"),
}

FRONT_DESK = {"service_advisor", "service_assistant", "service_manager"}
WORKSHOP_FLOOR = {"dispatcher", "technician", "technical_expert", "qc_inspector"}

# action -> roles allowed. The role matrix test walks this table against the running services.
PERMISSIONS: dict[str, frozenset[str]] = {
    # booking desk (R-BK-*)
    "booking.view": frozenset(FRONT_DESK | {"booking_clerk", "hq_viewer"}),
    "booking.book": frozenset(FRONT_DESK | {"booking_clerk"}),
    # the customer file holds personal data (mobile, birthday): the front desk and booking clerks only
    "booking.customer_file": frozenset(FRONT_DESK | {"booking_clerk"}),
    "booking.customer_edit": frozenset(FRONT_DESK | {"booking_clerk"}),
    "booking.call": frozenset(FRONT_DESK | {"booking_clerk"}),  # proactive and inbound calls (R-BK-1, R-BK-2)
    "booking.confirm": frozenset(FRONT_DESK | {"booking_clerk"}),  # confirmation calls (R-BK-7)
    "booking.prepare": frozenset({"service_advisor", "service_assistant", "service_manager"}),  # R-BK-6
    # reception (R-RC-*): only an advisor signs an order, never a technician
    "reception.view": frozenset(FRONT_DESK | {"dispatcher", "hq_viewer"}),
    "reception.check_in": frozenset(FRONT_DESK),
    "reception.write_order": frozenset({"service_advisor", "service_manager"}),
    "reception.sign_order": frozenset({"service_advisor"}),
    # the walk-around sheet with the customer (R-RC-1..3); a lower odometer reading only on the service
    # manager's own confirmation that the odometer was changed (R-RC-2)
    "reception.walk_around": frozenset(FRONT_DESK),
    "reception.confirm_odometer_change": frozenset({"service_manager"}),
    # R-RC-8: the service manager records each congestion incident's cause, responsible person and action
    "reception.review_incident": frozenset({"service_manager"}),
    # R-RC-8: while the area is congested the service manager records the action taken (temporary park with
    # queue tickets, or written-up cars moved to the workshop's waiting bays)
    "reception.act_on_congestion": frozenset({"service_manager"}),
    # workshop (R-WS-*, R-QC-*): dispatch by the dispatcher, or by the advisor leading a team (R-WS-1)
    "workshop.view": frozenset(WORKSHOP_FLOOR | FRONT_DESK | {"parts_clerk", "hq_viewer"}),
    "workshop.dispatch": frozenset({"dispatcher", "service_advisor", "service_manager"}),
    "workshop.finish_job": frozenset({"technician", "technical_expert"}),
    "workshop.quality_check": frozenset({"qc_inspector"}),
    # R-WS-3: the technician reports found work to the advisor (never changes the order)
    "workshop.request_additional_work": frozenset({"technician", "technical_expert", "dispatcher"}),
    # parts counter
    "parts.view": frozenset(
        {"parts_clerk", "dispatcher", "technician", "service_advisor", "service_manager", "hq_viewer"}
    ),
    # billing: prices and money, so no follow-up agent, no technician
    "billing.view": frozenset({"cashier", "service_advisor", "service_manager", "hq_viewer"}),
    "billing.pay": frozenset({"cashier"}),
    # follow-up (R-FU-*)
    "followup.view": frozenset({"followup_agent", "service_assistant", "service_manager", "hq_viewer"}),
    # operations
    "ops.dead_letters": frozenset({"service_manager", "admin"}),
    "ops.audit": frozenset({"service_manager", "admin", "hq_viewer"}),
    "staff.admin": frozenset({"admin"}),
    # any signed-in staff member
    "staff.self": frozenset(ROLES),
}


@dataclass(frozen=True)
class StaffMember:
    staff_id: str
    name: str
    roles: tuple[str, ...]
    department: str = ""

    def may(self, action: str) -> bool:
        return allowed(action, self.roles)


def allowed(action: str, roles) -> bool:
    try:
        permitted = PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}: add it to kit.auth.PERMISSIONS") from None
    return any(role in permitted for role in roles)


def actions_of(roles) -> list[str]:
    return sorted(action for action in PERMISSIONS if allowed(action, roles))


class Sessions:
    """Issue and verify session tokens with the dealership's shared secret."""

    def __init__(self, secret: str, max_age_hours: float = DEFAULT_SESSION_HOURS):
        self.secret = secret
        self.max_age = int(max_age_hours * 3600)
        self._serializer = URLSafeTimedSerializer(secret, salt=SESSION_SALT)

    def issue(self, staff: StaffMember) -> str:
        return self._serializer.dumps(
            {"sid": staff.staff_id, "name": staff.name, "roles": list(staff.roles), "dept": staff.department}
        )

    def verify(self, token: str | None) -> StaffMember | None:
        """The staff member of a valid, unexpired token; None otherwise (expired, forged, absent)."""
        if not token:
            return None
        try:
            data = self._serializer.loads(token, max_age=self.max_age)
        except (SignatureExpired, BadSignature):
            return None
        return StaffMember(
            staff_id=data["sid"], name=data["name"], roles=tuple(data["roles"]), department=data.get("dept", "")
        )

    def csrf_token(self, session_token: str) -> str:
        """Bound to the session: a form from another site cannot know it (double-submit, signed)."""
        return hmac.new(self.secret.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()[:40]

    def csrf_ok(self, session_token: str, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf_token(session_token), presented)


def load_or_create_secret(key_dir: Path) -> str:
    """AUTH_SECRET from the environment, else `auth.secret` in the key directory (created once, 0600)."""
    if os.environ.get("AUTH_SECRET"):
        return os.environ["AUTH_SECRET"]
    key_dir.mkdir(parents=True, exist_ok=True)
    path = key_dir / "auth.secret"
    if not path.exists():
        tmp = key_dir / f".auth.secret.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)  # atomic: the first process to start wins, the others read its secret
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
