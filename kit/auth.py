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
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from .i18n import N_
from .sessions import issued_now

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
    "security_guard": N_("Security guard"),  # the gate: cars in (R-RC-8a) and out on the gate pass (R-BL-6)
    "followup_agent": N_("Follow-up agent"),
    "hq_viewer": N_("Group HQ"),
    "admin": N_("Administrator"),
}

FRONT_DESK = {"service_advisor", "service_assistant", "service_manager"}
WORKSHOP_FLOOR = {"dispatcher", "technician", "technical_expert", "qc_inspector"}

Permissions = Mapping[str, frozenset[str]]

# action -> roles allowed, for the kit's own routes in every service (dead letters, audit trail, event
# schemas). Each service declares its own actions in services/<svc>/permissions.py (PERMISSIONS) and names
# that table in its class (`permissions = PERMISSIONS`); kit.web.Api checks a route against both.
KIT_PERMISSIONS: dict[str, frozenset[str]] = {
    "ops.dead_letters": frozenset({"service_manager", "admin"}),
    "ops.audit": frozenset({"service_manager", "admin", "hq_viewer"}),
    # any signed-in staff member
    "staff.self": frozenset(ROLES),
}


@dataclass(frozen=True)
class StaffMember:
    """A signed-in staff member; `may` answers within the permissions of the service handling the request
    (kit.web.Api gives each request's staff member its service's table with `within`), the kit's until then."""

    staff_id: str
    name: str
    roles: tuple[str, ...]
    department: str = ""
    # a class attribute, not a field: the instance (its __dict__, equality) stays the person
    permissions: ClassVar[Permissions] = KIT_PERMISSIONS

    def within(self, permissions: Permissions) -> StaffMember:
        return _acting_under(permissions)(self.staff_id, self.name, self.roles, self.department)

    def may(self, action: str) -> bool:
        return allowed(action, self.roles, self.permissions)

    def actions(self) -> list[str]:
        """The actions this staff member may take in this service."""
        return actions_of(self.roles, self.permissions)


_ACTING_UNDER: dict[int, tuple[Permissions, type[StaffMember]]] = {}


def _acting_under(permissions: Permissions) -> type[StaffMember]:
    """StaffMember with `permissions` as its table: one class per table (a service has one)."""
    kept = _ACTING_UNDER.get(id(permissions))
    if kept is None:
        kept = _ACTING_UNDER[id(permissions)] = (
            permissions,  # held, so that its id is not reused
            type("StaffMember", (StaffMember,), {"permissions": permissions}),
        )
    return kept[1]


def service_permissions(own: Permissions) -> dict[str, frozenset[str]]:
    """A service's table: its own actions and the kit's."""
    clash = set(own) & set(KIT_PERMISSIONS)
    if clash:
        raise ValueError(f"the kit already defines {sorted(clash)}")
    return {**KIT_PERMISSIONS, **own}


def allowed(action: str, roles, permissions: Permissions) -> bool:
    try:
        permitted = permissions[action]
    except KeyError:
        raise KeyError(f"unknown action {action!r}: add it to the service's permissions.py") from None
    return any(role in permitted for role in roles)


def actions_of(roles, permissions: Permissions) -> list[str]:
    return sorted(action for action in permissions if allowed(action, roles, permissions))


VERIFIED_TOKENS_KEPT = 2048  # a dealership's staff signed in at once, many times over


class Sessions:
    """Issue and verify session tokens with the dealership's shared secret.

    Each token names its session (`jti`) and when it was issued (`iat`, ms on the kit clock); `revoked(staff_id,
    jti, iat)` (kit.sessions.Revocations) says whether it has ended since (signed out, new roles or password)."""

    def __init__(
        self,
        secret: str,
        max_age_hours: float = DEFAULT_SESSION_HOURS,
        revoked: Callable[[str, str | None, int | None], bool] | None = None,
    ):
        self.secret = secret
        self.max_age = int(max_age_hours * 3600)
        self.revoked = revoked
        self._serializer = URLSafeTimedSerializer(secret, salt=SESSION_SALT)
        # tokens whose signature checked out, with when they were signed: a staff member's browser sends the same
        # token with every request, and checking its signature again (itsdangerous) was a fifth of a request's
        # access check; its age is still checked each time, its revocation by `verify`
        self._verified: OrderedDict[str, tuple[dict, int]] = OrderedDict()

    def issue(self, staff: StaffMember) -> str:
        return self._serializer.dumps(
            {
                "sid": staff.staff_id,
                "name": staff.name,
                "roles": list(staff.roles),
                "dept": staff.department,
                "jti": secrets.token_urlsafe(12),
                "iat": issued_now(),
            }
        )

    def claims(self, token: str | None) -> dict | None:
        """A valid, unexpired token's content (its session id `jti` among it); None otherwise."""
        if not token:
            return None
        known = self._verified.get(token)
        if known is None:
            try:
                data, signed = self._serializer.loads(token, max_age=self.max_age, return_timestamp=True)
            except (SignatureExpired, BadSignature):
                return None
            known = self._verified[token] = (data, int(signed.timestamp()))
            if len(self._verified) > VERIFIED_TOKENS_KEPT:
                self._verified.popitem(last=False)
        data, signed_at = known
        age = int(time.time()) - signed_at  # as itsdangerous counts it: expired past max_age, or signed in the future
        if not 0 <= age <= self.max_age:
            self._verified.pop(token, None)
            return None
        return dict(data)

    def verify(self, token: str | None) -> StaffMember | None:
        """The staff member of a valid, unexpired, not revoked token; None otherwise (expired, forged, absent,
        signed out, issued before new roles or a new password)."""
        data = self.claims(token)
        if data is None:
            return None
        if self.revoked is not None and self.revoked(data["sid"], data.get("jti"), data.get("iat")):
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
