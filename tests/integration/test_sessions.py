"""Issue 12, item 4: sessions that end, and sign-in throttled per account and address, on the staff service's and a
department's real schema (no broker: the event a department hears is handed to its consumer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine

from contracts import names
from kit import sessions
from kit.auth import Sessions
from kit.errors import DomainError
from kit.uow import audit_trail
from services.staff import handlers
from services.staff.domain import ACCOUNT_FAILURES, ADDRESS_FAILURES, SignInLocked
from services.staff.seed import DEMO_PASSWORD, reference_data
from tests.support.db import service_work, wire_event

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


@pytest.fixture
def staff(tmp_path):
    work = service_work(names.STAFF, tmp_path)
    reference_data(work)
    return work


def _revocations(work) -> sessions.Revocations:
    database = SimpleNamespace(
        engine=work.session_factory.kw["bind"], metadata=work.session_factory.kw["info"]["metadata"]
    )
    return sessions.Revocations(database, reload_seconds=0)


def _sign_in(work, staff_id, password, address="10.0.0.1"):
    member, refused = work.run(handlers.sign_in, staff_id, password, address, actor_id=staff_id)
    if refused is not None:
        raise refused
    return member


def test_the_right_password_after_too_many_wrong_ones_is_refused_until_the_lockout_ends(staff):
    with time_machine.travel(T0, tick=False) as traveller:
        for _ in range(ACCOUNT_FAILURES):
            with pytest.raises(DomainError) as wrong:
                _sign_in(staff, "A001", "wrong-password")
            assert wrong.value.code == "bad_credentials"
        with pytest.raises(SignInLocked) as locked:
            _sign_in(staff, "A001", DEMO_PASSWORD)
        assert locked.value.status == 429 and locked.value.field == "password" and "15 分钟" in locked.value.message
        assert _sign_in(staff, "A002", DEMO_PASSWORD).staff_id == "A002"  # another account is not locked
        trail = [entry["action"] for entry in staff.read(audit_trail, "A001")]
        assert trail.count("sign_in_failed") == ACCOUNT_FAILURES
        assert "sign_in_locked_out" in trail and "sign_in_locked" in trail
        traveller.shift(timedelta(minutes=16))
        assert _sign_in(staff, "A001", DEMO_PASSWORD).staff_id == "A001"


def test_a_success_starts_the_account_count_again(staff):
    with time_machine.travel(T0, tick=False):
        for _ in range(ACCOUNT_FAILURES - 1):
            with pytest.raises(DomainError):
                _sign_in(staff, "A001", "wrong-password")
        _sign_in(staff, "A001", DEMO_PASSWORD)
        with pytest.raises(DomainError) as wrong:
            _sign_in(staff, "A001", "wrong-password")
        assert wrong.value.code == "bad_credentials"  # not locked: the count started again
        assert _sign_in(staff, "A001", DEMO_PASSWORD)


def test_guessing_across_accounts_from_one_address_locks_the_address(staff):
    with time_machine.travel(T0, tick=False):
        for i in range(ADDRESS_FAILURES):
            with pytest.raises(DomainError):
                _sign_in(staff, f"X{i:03d}", "guess", address="203.0.113.9")
        with pytest.raises(SignInLocked):
            _sign_in(staff, "M001", DEMO_PASSWORD, address="203.0.113.9")
        assert _sign_in(staff, "M001", DEMO_PASSWORD, address="10.0.0.2").staff_id == "M001"


def test_a_hash_made_with_the_older_64_mib_parameters_still_signs_in_and_is_rehashed_with_today_s(staff):
    from argon2 import PasswordHasher

    from services.staff.models import Staff

    older = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4).hash(DEMO_PASSWORD)  # the old default

    def set_hash(uow):
        uow.session.get(Staff, "A001").password_hash = older

    staff.run(set_hash)
    assert _sign_in(staff, "A001", DEMO_PASSWORD).staff_id == "A001"
    rehashed = staff.read(lambda session: session.get(Staff, "A001").password_hash)
    assert rehashed != older and "m=12288,t=3,p=1" in rehashed
    assert _sign_in(staff, "A001", DEMO_PASSWORD).staff_id == "A001"  # the new hash verifies
    with pytest.raises(DomainError):
        _sign_in(staff, "A001", "wrong-password")


def test_signing_out_ends_that_session_only(staff):
    revoked = _revocations(staff)
    tokens = Sessions("secret", revoked=revoked)
    member = _sign_in(staff, "A001", DEMO_PASSWORD)
    first, second = tokens.issue(member), tokens.issue(member)
    assert tokens.verify(first) == member
    staff.run(handlers.sign_out, "A001", tokens.claims(first)["jti"], actor_id="A001")
    assert tokens.verify(first) is None
    assert tokens.verify(second) == member
    assert "sign_out" in [e["action"] for e in staff.read(audit_trail, "A001")]


@pytest.mark.parametrize("change", ["roles", "password"])
def test_new_roles_or_a_new_password_end_every_older_session(staff, change):
    tokens = Sessions("secret", revoked=_revocations(staff))
    with time_machine.travel(T0, tick=False) as traveller:
        old = tokens.issue(_sign_in(staff, "A001", DEMO_PASSWORD))
        traveller.shift(timedelta(seconds=1))
        if change == "roles":
            staff.run(handlers.change_roles, "A001", ["service_manager"], actor_id="ADMIN")
        else:
            staff.run(handlers.reset_password, "A001", "new-pass-2026", actor_id="ADMIN")
        assert tokens.verify(old) is None
        traveller.shift(timedelta(seconds=1))
        password = "new-pass-2026" if change == "password" else DEMO_PASSWORD
        new = tokens.issue(_sign_in(staff, "A001", password))
        assert tokens.verify(new) is not None
        if change == "roles":
            assert tokens.verify(new).roles == ("service_manager",)


def test_the_staff_service_announces_each_end_to_every_service(staff):
    staff.run(handlers.change_roles, "A001", ["service_advisor", "service_manager"], actor_id="ADMIN")
    outbox = staff.read(lambda s: s.execute(sa.text("SELECT event_type, body FROM outbox")).all())
    assert [t for t, _ in outbox].count(names.SESSIONS_REVOKED) == 1


def test_a_department_refuses_a_session_once_it_hears_it_has_ended(tmp_path):
    booking = service_work(names.BOOKING, tmp_path, consumer="booking.end_sessions")
    tokens = Sessions("secret", revoked=_revocations(booking))
    from kit.auth import StaffMember

    with time_machine.travel(T0, tick=False) as traveller:
        token = tokens.issue(StaffMember("A001", "王芳", ("service_advisor",)))
        other = tokens.issue(StaffMember("A002", "李强", ("service_advisor",)))
        assert tokens.verify(token) is not None
        traveller.shift(timedelta(seconds=1))
        payload = {"staff_id": "A001", "session_id": None, "before": datetime.now(UTC), "reason": "roles"}
        assert booking.handle(wire_event(names.SESSIONS_REVOKED, payload, "staff:A001"), sessions.take_revocation)
        assert tokens.verify(token) is None
        assert tokens.verify(other) is not None
