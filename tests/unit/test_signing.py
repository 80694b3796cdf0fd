"""Signed work orders (R-RC-6, R-WS-2): Ed25519 over RFC 8785 canonical JSON; tampered orders are refused."""

from __future__ import annotations

import shutil
import stat
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kit import signing
from kit.errors import PermanentError
from kit.orders import OrderVerifier
from kit.signing import SignatureInvalid
from tests.support.factories import make_order_body


def trusted_for(*keys: Ed25519PrivateKey) -> dict:
    return {signing.key_id(k.public_key()): k.public_key() for k in keys}


# --- sign and verify ---------------------------------------------------------------------------


def test_a_signed_order_verifies_and_returns_its_body():
    """R-RC-6."""
    key = Ed25519PrivateKey.generate()
    body = make_order_body()
    signed = signing.sign(body, key)
    assert signed["key_id"] == signing.key_id(key.public_key())
    assert len(signed["key_id"]) == 16
    assert signing.verify(signed, trusted_for(key)) == body


def test_an_order_whose_total_was_changed_after_signing_is_refused():
    """R-WS-2: work only to the signed order; a tampered order is refused."""
    key = Ed25519PrivateKey.generate()
    signed = signing.sign(make_order_body(), key)
    signed["order"]["total"] = "1.00"
    with pytest.raises(SignatureInvalid, match="altered after signing") as exc:
        signing.verify(signed, trusted_for(key))
    assert isinstance(exc.value, PermanentError)


def test_an_order_whose_line_was_added_after_signing_is_refused():
    """R-WS-3: nobody changes an order on their own."""
    key = Ed25519PrivateKey.generate()
    signed = signing.sign(make_order_body(), key)
    signed["order"]["lines"].append({**signed["order"]["lines"][1], "line_no": 3})
    with pytest.raises(SignatureInvalid):
        signing.verify(signed, trusted_for(key))


def test_an_order_signed_by_an_unknown_key_is_refused():
    """R-RC-6."""
    signed = signing.sign(make_order_body(), Ed25519PrivateKey.generate())
    with pytest.raises(SignatureInvalid, match="unknown key"):
        signing.verify(signed, trusted_for(Ed25519PrivateKey.generate()))


def test_an_order_signed_by_another_key_claiming_a_trusted_key_id_is_refused():
    """R-RC-6."""
    trusted_key, forger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    signed = signing.sign(make_order_body(), forger)
    signed["key_id"] = signing.key_id(trusted_key.public_key())
    with pytest.raises(SignatureInvalid, match="does not verify"):
        signing.verify(signed, trusted_for(trusted_key))


@pytest.mark.parametrize("signature", [None, ""])
def test_an_order_without_a_signature_is_refused(signature):
    """R-RC-6: no work on an unsigned order."""
    key = Ed25519PrivateKey.generate()
    signed = {**signing.sign(make_order_body(), key), "signature": signature}
    with pytest.raises(SignatureInvalid, match="not signed"):
        signing.verify(signed, trusted_for(key))


@pytest.mark.parametrize("signed", [None, "order", {"signature": "abc", "key_id": "x"}])
def test_something_that_is_not_a_signed_order_is_refused(signed):
    with pytest.raises(SignatureInvalid, match="not signed"):
        signing.verify(signed, {})


def test_a_signature_that_is_not_base64_is_refused():
    key = Ed25519PrivateKey.generate()
    signed = {**signing.sign(make_order_body(), key), "signature": "not base64!"}
    with pytest.raises(SignatureInvalid):
        signing.verify(signed, trusted_for(key))


def test_the_canonical_form_does_not_depend_on_key_order():
    """RFC 8785: members sorted, no whitespace."""
    assert signing.canonical({"b": 1, "a": {"d": "x", "c": "y"}}) == b'{"a":{"c":"y","d":"x"},"b":1}'
    assert signing.canonical({"a": {"c": "y", "d": "x"}, "b": 1}) == signing.canonical(
        {"b": 1, "a": {"d": "x", "c": "y"}}
    )


def test_an_order_re_serialised_with_its_keys_in_another_order_still_verifies():
    """RFC 8785: a consumer's dict order does not break the signature."""
    key = Ed25519PrivateKey.generate()
    body = make_order_body()
    signed = signing.sign(body, key)
    reordered = {**signed, "order": dict(reversed(list(body.items())))}
    assert list(reordered["order"]) != list(body)
    assert signing.verify(reordered, trusted_for(key)) == body


# --- keys on disk ------------------------------------------------------------------------------


def test_a_new_private_key_is_written_0600_with_a_public_key_that_is_trusted(tmp_path):
    key_dir = tmp_path / "keys"
    key = signing.load_or_create_private_key(key_dir)
    private_file = key_dir / signing.PRIVATE_KEY_FILE
    assert stat.S_IMODE(private_file.stat().st_mode) == 0o600
    assert (key_dir / signing.PUBLIC_KEY_FILE).exists()
    trusted = signing.load_trusted_keys(key_dir)
    assert list(trusted) == [signing.key_id(key.public_key())]
    signed = signing.sign(make_order_body(), key)
    assert signing.verify(signed, trusted) == signed["order"]


def test_the_private_key_is_reused_on_the_next_start(tmp_path):
    first = signing.load_or_create_private_key(tmp_path)
    second = signing.load_or_create_private_key(tmp_path)
    assert signing.key_id(first.public_key()) == signing.key_id(second.public_key())


def test_a_missing_key_directory_trusts_nobody(tmp_path):
    assert signing.load_trusted_keys(tmp_path / "absent") == {}


# --- the verifier every service uses -----------------------------------------------------------


def test_the_verifier_returns_the_loaded_body_with_decimal_money_and_utc_times(tmp_path):
    """R-WS-2: services read the signed order by contract."""
    key = signing.load_or_create_private_key(tmp_path)
    body = make_order_body(signed_at="2026-11-28T10:00:00+08:00")
    order = OrderVerifier(tmp_path).verify(signing.sign(body, key))
    assert order["order_id"] == body["order_id"]
    assert (order["subtotal"], order["vat"], order["total"]) == (
        Decimal("418.00"),
        Decimal("54.34"),
        Decimal("472.34"),
    )
    assert order["lines"][0]["quantity"] == Decimal("0.5")
    assert order["signed_at"] == datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # stored and compared in UTC


def test_the_verifier_refuses_a_tampered_order(tmp_path):
    """R-WS-2."""
    key = signing.load_or_create_private_key(tmp_path)
    signed = signing.sign(make_order_body(), key)
    signed["order"]["total"] = "0.01"
    with pytest.raises(SignatureInvalid):
        OrderVerifier(tmp_path).verify(signed)


def test_the_verifier_refuses_a_genuinely_signed_body_that_breaks_its_contract(tmp_path):
    key = signing.load_or_create_private_key(tmp_path)
    body = make_order_body()
    del body["total"]
    with pytest.raises(PermanentError, match="total") as exc:
        OrderVerifier(tmp_path).verify(signing.sign(body, key))
    assert not isinstance(exc.value, SignatureInvalid)


def test_the_verifier_reloads_its_keys_when_an_order_arrives_signed_by_a_new_key(tmp_path):
    """Key rotation: a new .pub in the key directory is trusted without a restart."""
    trusted_dir, reception_dir = tmp_path / "trusted", tmp_path / "reception"
    signing.load_or_create_private_key(trusted_dir)
    verifier = OrderVerifier(trusted_dir)
    new_key = signing.load_or_create_private_key(reception_dir)
    signed = signing.sign(make_order_body(), new_key)
    with pytest.raises(SignatureInvalid, match="unknown key"):
        verifier.verify(signed)
    shutil.copy(reception_dir / signing.PUBLIC_KEY_FILE, trusted_dir / "rotated-2026.pub")
    assert verifier.verify(signed)["total"] == Decimal("472.34")


def test_an_order_in_its_json_form_is_signed_as_its_loaded_form_is_and_checked_once(tmp_path):
    """OrderSigner.sign_json (reception): the same signed order as sign() of the loaded body; a body that breaks
    the contract is refused."""
    from contracts.events import OrderSchema
    from kit.orders import OrderSigner

    signer = OrderSigner(tmp_path / "keys")
    body = make_order_body()
    signed = signer.sign_json(body)
    assert signed["order"] == signer.sign(OrderSchema().load(body))["order"]  # each signature has its own salt
    assert OrderVerifier(tmp_path / "keys").verify(signed) == OrderSchema().load(body)
    with pytest.raises(ValueError, match="breaks its contract"):
        signer.sign_json({**body, "mileage_km": -1})
