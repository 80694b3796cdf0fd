"""The gate pass 门证 (R-BL-6): a signed token the guard scans (QR code) or types at the gate.

`<pass_no>.<plate>.<signature>`: the signature is an HMAC-SHA256 over the pass number and plate with the
dealership's secret, so a pass cannot be made up or moved to another car. The guard's check: the signature
holds, it is for this plate, and it was not used before; then the car may leave and the pass is spent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata

from kit.errors import DomainError
from kit.i18n import N_

MAX_TOKEN = 200


def _mac(secret: bytes, pass_no: str, plate: str) -> str:
    digest = hmac.new(secret, f"gate-pass|{pass_no}|{plate}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def normal_plate(plate: str) -> str:
    return unicodedata.normalize("NFKC", plate or "").replace(" ", "").upper()


def issue(secret: bytes, pass_no: str, plate: str) -> str:
    plate = normal_plate(plate)
    return f"{pass_no}.{plate}.{_mac(secret, pass_no, plate)}"


def read(secret: bytes, token: str) -> tuple[str, str]:
    """(pass_no, plate) of a genuine token; a forged or garbled one is refused (code `forged`)."""
    token = (token or "").strip()
    parts = token.split(".")
    if len(token) > MAX_TOKEN or len(parts) != 3:
        raise DomainError(N_("This is not a gate pass of this dealership"), field="token", code="forged")
    pass_no, plate, mac = parts
    if not hmac.compare_digest(mac.encode(), _mac(secret, pass_no, plate).encode()):
        raise DomainError(N_("This is not a gate pass of this dealership"), field="token", code="forged")
    return pass_no, plate


def check(secret: bytes, token: str, plate: str, used_at) -> str:
    """The guard's check (R-BL-6): returns the pass number if the car may leave, else refuses with the code
    `forged`, `other_plate` or `used` (the service manager is then alerted)."""
    pass_no, on_pass = read(secret, token)
    if normal_plate(plate) != on_pass:
        raise DomainError(
            N_("The gate pass is for {on_pass}, not for {plate}"),
            field="plate",
            code="other_plate",
            on_pass=on_pass,
            plate=plate,
        )
    if used_at is not None:
        raise DomainError(N_("This gate pass has already been used"), field="token", code="used")
    return pass_no
