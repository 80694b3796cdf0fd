"""Signed work orders as every service reads them: verify first, then load the body by contract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from contracts.events import OrderSchema

from . import signing
from .errors import PermanentError

_ORDER = OrderSchema()


class OrderVerifier:
    """Trusts the public keys in the signing-key directory; re-reads it when a new key id appears."""

    def __init__(self, key_dir: Path):
        self.key_dir = key_dir
        self._trusted = signing.load_trusted_keys(key_dir)
        self._revoked_stamp: float | None = None
        self._revoked: dict = {}

    def verify(self, signed: dict[str, Any]) -> dict[str, Any]:
        """The loaded order body (Decimals, datetimes) of a signed order; PermanentError if not genuine (a
        revoked key's signatures after its revocation included)."""
        if isinstance(signed, dict) and signed.get("key_id") not in self._trusted:
            self._trusted = signing.load_trusted_keys(self.key_dir)
        body = signing.verify(signed, self._trusted, self._revocations())
        try:
            return _ORDER.load(body)
        except ValidationError as exc:
            raise PermanentError(f"signed order body breaks its contract: {exc.messages}") from None

    def _revocations(self) -> dict:
        """revoked-keys.json, read again whenever it changes (a revocation needs no restart)."""
        path = self.key_dir / signing.REVOKED_FILE
        stamp = path.stat().st_mtime_ns if path.exists() else None
        if stamp != self._revoked_stamp:
            self._revoked, self._revoked_stamp = signing.load_revoked(self.key_dir), stamp
        return self._revoked


class OrderSigner:
    def __init__(self, key_dir: Path):
        self.private_key = signing.load_or_create_private_key(key_dir)

    def sign(self, body: dict[str, Any]) -> dict[str, Any]:
        """Sign the JSON form of an order body (contract-checked first)."""
        dumped = _ORDER.dump(body)
        errors = _ORDER.validate(dumped)
        if errors:
            raise ValueError(f"order body breaks its contract: {errors}")
        return signing.sign(dumped, self.private_key)

    def sign_json(self, body: dict[str, Any]) -> dict[str, Any]:
        """Sign an order body in its JSON form: loaded through the contract once (which checks it), dumped to its
        canonical form and signed; `sign` on a body loaded beforehand checks the same contract twice."""
        try:
            loaded = _ORDER.load(body)
        except ValidationError as exc:
            raise ValueError(f"order body breaks its contract: {exc.messages}") from None
        return signing.sign(_ORDER.dump(loaded), self.private_key)
