"""Finishing a job (R-WS-6): the self-check (items as data per kind of job), the repair report (concern / cause /
correction) and the technician's signature. Plain Python."""

from __future__ import annotations

import base64
import binascii

from kit.errors import DomainError
from kit.i18n import N_

from .capacity import BODY, ELECTRICAL, MECHANICAL, QUICK
from .dispatch import skill_of

COMMON = {
    "torque": N_("Fasteners torqued to the repair manual"),
    "leaks": N_("No leaks, no warning lights"),
    "tools": N_("Tools and old parts removed from the car"),
}
# the self-check per kind of job (its skill): item key -> what the technician confirms
SELF_CHECKS = {
    QUICK: {**COMMON, "levels": N_("Fluid levels checked and topped up"), "reset": N_("Service reminder reset")},
    MECHANICAL: {**COMMON, "test_run": N_("Engine run and the repair verified")},
    ELECTRICAL: {**COMMON, "codes": N_("Fault codes read and cleared"), "functions": N_("Electrical functions tested")},
    BODY: {**COMMON, "gaps": N_("Panel gaps and paint checked in daylight")},
}
REPORT_FIELDS = ("concern", "cause", "correction")
MAX_REPORT = 1000
MAX_SIGNATURE_BYTES = 200_000


def self_check_items(code: str) -> dict[str, str]:
    return SELF_CHECKS[skill_of(code)]


def check_completion(code: str, self_check: dict, report: dict, signature: str | None) -> dict:
    """Every self-check item ticked, the three parts of the report written, and a signature from the pad."""
    items = self_check_items(code)
    missing = [key for key in items if not (self_check or {}).get(key)]
    if missing:
        raise DomainError("Tick every self-check item; missing: {items}", field="self_check", items=", ".join(missing))
    unknown = set(self_check or {}) - set(items)
    if unknown:
        raise DomainError("Unknown self-check item: {items}", field="self_check", items=", ".join(sorted(unknown)))
    clean = {}
    for name in REPORT_FIELDS:
        text = ((report or {}).get(name) or "").strip()
        if not text:
            raise DomainError("Write the repair report's {part}", field=f"report.{name}", part=name)
        if len(text) > MAX_REPORT:
            raise DomainError("At most {n} characters", field=f"report.{name}", n=MAX_REPORT)
        clean[name] = text
    check_signature(signature)
    return clean


def check_signature(signature: str | None) -> bytes:
    """A PNG data URL (or base64) from the signature pad."""
    raw = (signature or "").split(",", 1)[-1]
    try:
        data = base64.b64decode(raw, validate=True) if raw else b""
    except (binascii.Error, ValueError):
        data = b""
    if not data.startswith(b"\x89PNG") or len(data) > MAX_SIGNATURE_BYTES:
        raise DomainError("Sign on the pad", field="signature", code="signature")
    return data
