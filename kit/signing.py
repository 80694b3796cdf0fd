"""Signed repair orders: Ed25519 (cryptography) over the RFC 8785 canonical JSON of the order body.

Reception holds the private key; workshop, parts and billing hold the public key and refuse an
order whose signature does not verify (architecture: "refuse a tampered or unsigned order").

Keys (issue 12, item 10): every signature names its key (`key_id`); every key's public half is kept as
`order-signing-<key id>.pub`, so after a rotation (`python -m kit.signing rotate <key dir>`) old orders still
verify; a revoked key (`python -m kit.signing revoke <key dir> <key id>`, kept in `revoked-keys.json`) verifies
only what it signed before its revocation (`signed_at` in the body).

Redactable signatures (issue 14, the HQ feed): reception signs with the scheme `ed25519-redactable-1`. The envelope
carries a random `customer_salt`, and the signature covers the order with its `customer` block replaced by
`{"digest": sha256hex(salt + canonical(customer))}`. Inside the dealership, verifiers hold the full customer and
the salt and compute the digest; the copy that leaves the store (kit.feed) carries the order with the customer in
that digest form and without the salt, and still verifies with the store's public key, while the salted digest
tells HQ nothing about the customer. Envelopes without `scheme` (signed before) are signatures over the plain
order and keep verifying as they were.

cryptography is imported where a key is used (signing, verifying, loading keys), not with this module: the HQ feed's
redaction (`redact`, `customer_digest`) needs no key, and the services that never touch a signed order's key (staff,
booking, follow-up) do not load cryptography's native library (about 8 MB resident a process).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import rfc8785

from .errors import PermanentError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_KEY_FILE = "order-signing.key"
REDACTABLE = "ed25519-redactable-1"
SALT_BYTES = 16
PUBLIC_KEY_FILE = "order-signing.pub"
REVOKED_FILE = "revoked-keys.json"


class SignatureInvalid(PermanentError):
    """The order was changed after signing, signed by an unknown key, or not signed at all."""


def canonical(body: dict[str, Any]) -> bytes:
    return rfc8785.dumps(body)


def key_id(public_key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def customer_digest(customer: dict[str, Any], salt_hex: str) -> str:
    """The salted digest that stands for the customer block in what a redactable signature covers."""
    return hashlib.sha256(bytes.fromhex(salt_hex) + canonical(customer)).hexdigest()


def is_redacted_customer(customer: Any) -> bool:
    return isinstance(customer, dict) and set(customer) == {"digest"} and isinstance(customer["digest"], str)


def sign(body: dict[str, Any], private_key: Ed25519PrivateKey, *, salt: bytes | None = None) -> dict[str, Any]:
    """Return the signed envelope `{"order": body, "signature": b64, "key_id": ..., "scheme": REDACTABLE,
    "customer_salt": hex}`; the signature covers the body with its customer in digest form."""
    salt_hex = (salt or os.urandom(SALT_BYTES)).hex()
    covered = {**body, "customer": {"digest": customer_digest(body["customer"], salt_hex)}}
    signature = private_key.sign(canonical(covered))
    return {
        "order": body,
        "signature": base64.b64encode(signature).decode("ascii"),
        "key_id": key_id(private_key.public_key()),
        "scheme": REDACTABLE,
        "customer_salt": salt_hex,
    }


def sign_plain(body: dict[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The scheme before issue 14 (a signature over the plain order): kept for tests of old envelopes."""
    return {
        "order": body,
        "signature": base64.b64encode(private_key.sign(canonical(body))).decode("ascii"),
        "key_id": key_id(private_key.public_key()),
    }


def redact(signed: dict[str, Any]) -> dict[str, Any]:
    """The envelope as it may leave the store: the customer in digest form, no salt. Still verifies.
    Only a redactable envelope can be redacted (ValueError otherwise)."""
    if signed.get("scheme") != REDACTABLE:
        raise ValueError("only an ed25519-redactable-1 envelope can be redacted")
    order = signed["order"]
    if is_redacted_customer(order.get("customer")):
        digest = order["customer"]["digest"]
    else:
        digest = customer_digest(order["customer"], signed["customer_salt"])
    out = {k: v for k, v in signed.items() if k != "customer_salt"}
    out["order"] = {**order, "customer": {"digest": digest}}
    return out


def _covered(signed: dict[str, Any]) -> bytes:
    """The bytes the envelope's signature covers, by its scheme."""
    scheme = signed.get("scheme")
    order = signed["order"]
    if scheme is None:
        return canonical(order)
    if scheme != REDACTABLE:
        raise SignatureInvalid(f"order signed with an unknown scheme {scheme!r}")
    customer = order.get("customer")
    if is_redacted_customer(customer):
        return canonical(order)  # already as signed
    salt = signed.get("customer_salt")
    if not isinstance(customer, dict) or not isinstance(salt, str):
        raise SignatureInvalid("order signature does not verify: customer or its salt missing")
    try:
        digest = customer_digest(customer, salt)
    except ValueError:
        raise SignatureInvalid("order signature does not verify: the customer salt is not hex") from None
    return canonical({**order, "customer": {"digest": digest}})


def verify(
    signed: dict[str, Any], trusted: dict[str, Ed25519PublicKey], revoked: dict[str, datetime] | None = None
) -> dict[str, Any]:
    """Return the order body when its signature verifies against a trusted key, not revoked when it signed;
    raise otherwise. Accepts envelopes signed before issue 14 (no scheme), redactable ones with the full
    customer and its salt, and redacted ones (customer in digest form, no salt: the HQ feed's copy)."""
    if not isinstance(signed, dict) or not signed.get("signature") or not isinstance(signed.get("order"), dict):
        raise SignatureInvalid("order is not signed")
    public_key = trusted.get(signed.get("key_id", ""))
    if public_key is None:
        raise SignatureInvalid(f"order signed with unknown key {signed.get('key_id')!r}")
    covered = _covered(signed)
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(base64.b64decode(signed["signature"], validate=True), covered)
    except (InvalidSignature, ValueError):
        raise SignatureInvalid("order signature does not verify: the order was altered after signing") from None
    revoked_at = (revoked or {}).get(signed["key_id"])
    if revoked_at is not None and not _signed_before(signed["order"], revoked_at):
        raise SignatureInvalid(f"order signed with key {signed['key_id']} after its revocation at {revoked_at}")
    return signed["order"]


def _signed_before(body: dict[str, Any], moment: datetime) -> bool:
    try:
        signed_at = datetime.fromisoformat(str(body.get("signed_at")))
    except ValueError:
        return False
    return signed_at.tzinfo is not None and signed_at < moment


def load_or_create_private_key(key_dir: Path) -> Ed25519PrivateKey:
    """Reception's key: created on first start (0600), its public half written beside it. Every file appears whole
    (written under a temporary name, then linked or renamed into place): a verifier starting at the same moment
    reads a key, never half of one, and of two instances starting together the first key written is the key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key_dir.mkdir(parents=True, exist_ok=True)
    path = key_dir / PRIVATE_KEY_FILE
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = _written(key_dir, PRIVATE_KEY_FILE, pem, 0o600)
        try:
            os.link(tmp, path)  # only if there is none yet: another instance's key, written first, stays
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    pub = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for name in (PUBLIC_KEY_FILE, f"order-signing-{key_id(key.public_key())}.pub"):  # the second kept after a rotation
        _written(key_dir, name, pub, 0o644).replace(key_dir / name)
    return key


def _written(key_dir: Path, name: str, data: bytes, mode: int) -> Path:
    """`data` in a new file beside `name` under a name no reader looks for (not *.pub), to be put in place."""
    tmp = key_dir / f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return tmp


def rotate_key(key_dir: Path) -> str:
    """A new signing key; the old one signs no more, its public half stays trusted. Returns the new key id."""
    path = key_dir / PRIVATE_KEY_FILE
    if path.exists():
        load_or_create_private_key(key_dir)  # its public half kept under its key id
        path.unlink()
    return key_id(load_or_create_private_key(key_dir).public_key())


def revoke_key(key_dir: Path, revoked_id: str, at: datetime) -> None:
    """From `at` on, nothing signed by `revoked_id` verifies (what it signed before still does)."""
    revoked = {k: v.isoformat() for k, v in load_revoked(key_dir).items()}
    revoked[revoked_id] = at.isoformat()
    key_dir.mkdir(parents=True, exist_ok=True)
    tmp = key_dir / f".{REVOKED_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps(revoked, indent=1, sort_keys=True))
    tmp.replace(key_dir / REVOKED_FILE)


def load_revoked(key_dir: Path) -> dict[str, datetime]:
    path = key_dir / REVOKED_FILE
    if not path.exists():
        return {}
    return {k: datetime.fromisoformat(v) for k, v in json.loads(path.read_text()).items()}


def load_trusted_keys(key_dir: Path) -> dict[str, Ed25519PublicKey]:
    """Every `*.pub` in the key directory is trusted (old keys stay after a rotation)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    trusted = {}
    for path in sorted(key_dir.glob("*.pub")) if key_dir.exists() else []:
        key = serialization.load_pem_public_key(path.read_bytes())
        if isinstance(key, Ed25519PublicKey):
            trusted[key_id(key)] = key
    return trusted


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str]) -> int:
    """python -m kit.signing rotate <key dir> | revoke <key dir> <key id> [<ISO time, default now>]"""
    if len(argv) >= 2 and argv[0] == "rotate":
        print(f"new signing key {rotate_key(Path(argv[1]))}")
        return 0
    if len(argv) >= 3 and argv[0] == "revoke":
        at = datetime.fromisoformat(argv[3]) if len(argv) > 3 else datetime.now(UTC)
        revoke_key(Path(argv[1]), argv[2], at)
        print(f"key {argv[2]} revoked from {at.isoformat()}")
        return 0
    print(main.__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
