"""Staff directory rules: valid roles, decent passwords, hashes that never leave this service."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from contracts.validators import check_mobile
from kit.auth import ROLES
from kit.errors import DomainError

DEPARTMENTS = {
    "front_desk": "前台",
    "workshop": "车间",
    "parts": "备件部",
    "finance": "财务",
    "customer_care": "客户关系部",
    "management": "管理层",
    "hq": "集团总部",
    "it": "信息部",
}
STAFF_ID = re.compile(r"^[A-Z][A-Z0-9]{1,19}$")
MIN_PASSWORD = 8

_hasher = PasswordHasher()


def check_staff_id(staff_id: str) -> str:
    staff_id = (staff_id or "").strip().upper()
    if not STAFF_ID.match(staff_id):
        raise DomainError("工号须以字母开头，由2-20位大写字母或数字组成", field="staff_id")
    return staff_id


def check_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise DomainError(f"岗位不正确: {', '.join(unknown) or '至少选择一个岗位'}", field="roles")
    return sorted(set(roles))


def check_department(department: str) -> str:
    if department not in DEPARTMENTS:
        raise DomainError("部门不正确", field="department")
    return department


def check_mobile_of_staff(mobile: str) -> str:
    return check_mobile(mobile, field="mobile")


def hash_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise DomainError(f"密码至少{MIN_PASSWORD}位", field="password")
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
