"""Staff directory rules: valid roles, decent passwords, hashes that never leave this service."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from contracts.validators import check_mobile
from kit.auth import ROLES
from kit.errors import DomainError
from kit.i18n import N_

DEPARTMENTS = {
    "front_desk": N_("Front desk"),
    "workshop": N_("Workshop"),
    "parts": N_("Parts department"),
    "finance": N_("Finance"),
    "customer_care": N_("Customer relations"),
    "management": N_("Management"),
    "hq": N_("Group HQ"),
    "it": N_("IT"),
}
STAFF_ID = re.compile(r"^[A-Z][A-Z0-9]{1,19}$")
MIN_PASSWORD = 8

# Argon2id at one of OWASP's recommended parameter sets (Password Storage Cheat Sheet: m=12 MiB, t=3, p=1, which it
# counts as strong as m=19 MiB, t=2), not argon2-cffi's default (RFC 9106's low-memory profile, 64 MiB per hash: the
# staff service's resident memory went to 163 MB for one sign-in). A hash keeps its own parameters, so older hashes
# still verify; a sign-in with the right password rehashes them with these (needs_rehash).
_hasher = PasswordHasher(time_cost=3, memory_cost=12 * 1024, parallelism=1)


def check_staff_id(staff_id: str) -> str:
    staff_id = (staff_id or "").strip().upper()
    if not STAFF_ID.match(staff_id):
        raise DomainError("A staff ID starts with a letter and has 2-20 capital letters or digits", field="staff_id")
    return staff_id


def check_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise DomainError("Unknown roles: {roles}", field="roles", roles=", ".join(unknown))
    if not roles:
        raise DomainError("Choose at least one role", field="roles")
    return sorted(set(roles))


def check_department(department: str) -> str:
    if department not in DEPARTMENTS:
        raise DomainError("Unknown department", field="department")
    return department


def check_mobile_of_staff(mobile: str) -> str:
    return check_mobile(mobile, field="mobile")


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise DomainError(
            "The password needs at least {min_length} characters", field="password", min_length=MIN_PASSWORD
        )
    return _hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    """A hash made with other parameters than today's (an older default): rehash it at the next sign-in."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


def rehash(password: str) -> str:
    """A password already accepted at sign-in, hashed with today's parameters (no length rule: it is not new)."""
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- sign-in throttling (issue 12, item 4) ---------------------------------------------------------------------

ACCOUNT_FAILURES = 5  # wrong passwords for one staff ID ...
ADDRESS_FAILURES = 20  # ... or from one address ...
FAILURE_WINDOW = timedelta(minutes=15)  # ... within this long lock it out ...
LOCKOUT = timedelta(minutes=15)  # ... for this long after the last of them


class SignInLocked(DomainError):
    status = 429

    def __init__(self, until: datetime, now: datetime):
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        super().__init__(
            "Too many failed sign-ins: try again in {minutes} minutes", field="password", code="locked", minutes=minutes
        )


def locked_until(failures: list[datetime], now: datetime, limit: int) -> datetime | None:
    """When a lockout ends: `limit` failures within FAILURE_WINDOW lock for LOCKOUT after the last one."""
    recent = sorted(at for at in failures if at > now - FAILURE_WINDOW)
    if len(recent) < limit:
        return None
    until = recent[-1] + LOCKOUT
    return until if until > now else None
