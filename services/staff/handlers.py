"""Staff directory use cases: register, reset a password, change roles, sign in."""

from __future__ import annotations

import sqlalchemy as sa

from contracts import names
from kit import sessions
from kit.auth import StaffMember
from kit.concurrency import offload_one_at_a_time
from kit.errors import DomainError, NotFound

from . import domain
from .models import SignInAttempt, Staff


def register(uow, cmd: dict, password_hash: str | None = None) -> Staff:
    """`password_hash`: the seed's one hash of the demo password for every demo account (one argon2 hash per
    start instead of one per account); otherwise `cmd["password"]` is hashed here."""
    staff_id = domain.check_staff_id(cmd["staff_id"])
    if uow.session.get(Staff, staff_id) is not None:
        raise DomainError("This staff ID already exists", field="staff_id", code="duplicate")
    now = uow.clock()
    staff = Staff(
        staff_id=staff_id,
        name=cmd["name"].strip(),
        mobile=domain.check_mobile_of_staff(cmd["mobile"]),
        department=domain.check_department(cmd["department"]),
        roles=domain.check_roles(cmd["roles"]),
        password_hash=password_hash or offload_one_at_a_time(domain.hash_password, cmd["password"]),
        active=True,
        created_at=now,
        updated_at=now,
        updated_by=uow.actor_id,
    )
    uow.session.add(staff)
    uow.emit(names.STAFF_REGISTERED, _record(staff), correlation_id=f"staff:{staff_id}")
    return staff


def reset_password(uow, staff_id: str, password: str) -> Staff:
    staff = _staff(uow, staff_id)
    staff.password_hash = offload_one_at_a_time(domain.hash_password, password)
    _changed(uow, staff, "password_reset")
    return staff


def change_roles(uow, staff_id: str, roles: list[str]) -> Staff:
    staff = _staff(uow, staff_id)
    staff.roles = domain.check_roles(roles)
    _changed(uow, staff, "roles")
    return staff


def set_active(uow, staff_id: str, active: bool) -> Staff:
    staff = _staff(uow, staff_id)
    if staff.staff_id == uow.actor_id and not active:
        raise DomainError("You cannot deactivate your own account", field="active")
    staff.active = active
    _changed(uow, staff, "active")
    return staff


def sign_in(
    uow, staff_id: str, password: str, address: str, limits: tuple[int, int] | None = None
) -> tuple[StaffMember | None, DomainError | None]:
    """Sign in, throttled per account and address: after too many wrong passwords the account (or the address)
    is locked out for a while, the right password included; every attempt is kept and audited. Returns the
    staff member, or the refusal (returned, not raised, so that the attempt is committed). `limits`: failures
    (per account, per address) that lock out, domain.ACCOUNT_FAILURES and ADDRESS_FAILURES by default."""
    limits = limits or (domain.ACCOUNT_FAILURES, domain.ADDRESS_FAILURES)
    key, address = (staff_id or "").strip().upper()[:40], (address or "unknown")[:64]
    now = uow.clock()
    until = _locked_until(uow.session, key, address, now, limits)
    if until is not None:
        _attempt(uow, key, address, "locked", now)
        return None, domain.SignInLocked(until, now)
    try:
        member = authenticate(uow.session, key, password)
    except DomainError as refused:
        _attempt(uow, key, address, "failed", now)
        if _locked_until(uow.session, key, address, now, limits) is not None:
            uow.record("sign_in_locked_out", key, f"staff:{key}", {"address": address})
        return None, refused
    _attempt(uow, key, address, "ok", now)
    return member, None


def sign_out(uow, staff_id: str, session_id: str | None) -> str:
    """End this session (every session of the staff member when the token names none) in every service."""
    sessions.revoke(uow, staff_id, "signed_out", session_id)
    return staff_id


def _attempt(uow, staff_id: str, address: str, outcome: str, now) -> None:
    uow.session.add(SignInAttempt(staff_id=staff_id, address=address, outcome=outcome, at=now))
    uow.session.flush()
    if outcome != "ok":
        uow.record(f"sign_in_{outcome}", staff_id, f"staff:{staff_id}", {"address": address})


def _locked_until(session, staff_id: str, address: str, now, limits: tuple[int, int]):
    since = now - domain.FAILURE_WINDOW
    last_ok = session.scalar(
        sa.select(sa.func.max(SignInAttempt.at)).where(
            SignInAttempt.staff_id == staff_id, SignInAttempt.outcome == "ok"
        )
    )
    failed = sa.select(SignInAttempt.at).where(SignInAttempt.outcome == "failed", SignInAttempt.at > since)
    by_account = [
        at
        for at in session.scalars(failed.where(SignInAttempt.staff_id == staff_id))
        if last_ok is None or at > last_ok
    ]
    by_address = list(session.scalars(failed.where(SignInAttempt.address == address)))
    ends = [
        domain.locked_until(by_account, now, limits[0]),
        domain.locked_until(by_address, now, limits[1]),
    ]
    return max((end for end in ends if end is not None), default=None)


def authenticate(session, staff_id: str, password: str) -> StaffMember:
    staff = session.get(Staff, (staff_id or "").strip().upper())
    if (
        staff is None
        or not staff.active
        or not offload_one_at_a_time(domain.password_matches, staff.password_hash, password or "")
    ):
        raise DomainError("Wrong staff ID or password", field="password", code="bad_credentials")
    if domain.needs_rehash(staff.password_hash):  # made with older parameters: today's, now the password is known
        staff.password_hash = offload_one_at_a_time(domain.rehash, password)
    return StaffMember(staff_id=staff.staff_id, name=staff.name, roles=tuple(staff.roles), department=staff.department)


def directory(session) -> list[dict]:
    return [staff_view(s) for s in session.scalars(sa.select(Staff).order_by(Staff.staff_id))]


def staff_view(s: Staff) -> dict:
    return {
        "staff_id": s.staff_id,
        "name": s.name,
        "mobile": s.mobile,
        "department": s.department,
        "roles": s.roles,
        "active": s.active,
        "updated_at": s.updated_at,
        "updated_by": s.updated_by,
    }


def _staff(uow, staff_id: str) -> Staff:
    staff = uow.session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("Staff member not found", field="staff_id")
    return staff


def _changed(uow, staff: Staff, change: str) -> None:
    staff.updated_at, staff.updated_by = uow.clock(), uow.actor_id
    uow.emit(names.STAFF_CHANGED, {**_record(staff), "change": change}, correlation_id=f"staff:{staff.staff_id}")
    if change in ("roles", "password_reset", "active"):  # the sessions under the old roles or password end
        sessions.revoke(uow, staff.staff_id, change)


def _record(staff: Staff) -> dict:
    return {
        "staff_id": staff.staff_id,
        "name": staff.name,
        "department": staff.department,
        "roles": staff.roles,
        "active": staff.active,
    }
