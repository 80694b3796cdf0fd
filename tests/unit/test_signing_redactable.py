"""Issue 14, item 5: signed orders verify at HQ although the copy that leaves the store carries no customer.

Three envelopes verify with `kit.signing.verify`: old ones (no scheme, a signature over the plain order), new
full ones (scheme ed25519-redactable-1, the customer and its salt) and new redacted ones (the customer as its
salted digest, no salt). Tampering is refused in each (R-RC-6, R-WS-2)."""

from __future__ import annotations

import copy

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kit import signing
from kit.signing import SignatureInvalid
from tests.support.factories import make_order_body


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture
def trusted(key):
    return {signing.key_id(key.public_key()): key.public_key()}


def test_reception_signs_with_the_redactable_scheme_and_a_fresh_salt(key, trusted):
    body = make_order_body()
    first, second = signing.sign(body, key), signing.sign(body, key)
    assert first["scheme"] == signing.REDACTABLE
    assert len(first["customer_salt"]) == 32 and first["customer_salt"] != second["customer_salt"]
    assert first["order"] == body  # the store's services keep the full order
    assert signing.verify(first, trusted) == body


def test_the_signature_covers_the_order_with_the_customer_as_its_salted_digest(key):
    body = make_order_body()
    signed = signing.sign(body, key, salt=bytes(16))
    digest = signing.customer_digest(body["customer"], "00" * 16)
    covered = signing.canonical({**body, "customer": {"digest": digest}})
    key.public_key().verify(signing.base64.b64decode(signed["signature"]), covered)  # raises if not


def test_an_old_envelope_without_a_scheme_still_verifies(key, trusted):
    body = make_order_body()
    old = signing.sign_plain(body, key)
    assert "scheme" not in old
    assert signing.verify(old, trusted) == body


def test_a_redacted_envelope_verifies_without_the_customer_or_its_salt(key, trusted):
    body = make_order_body()
    redacted = signing.redact(signing.sign(body, key))
    assert "customer_salt" not in redacted
    assert set(redacted["order"]["customer"]) == {"digest"}
    assert body["customer"]["mobile"] not in str(redacted) and body["customer"]["name"] not in str(redacted)
    assert signing.verify(redacted, trusted)["order_id"] == body["order_id"]
    assert signing.redact(redacted) == redacted  # redacting twice changes nothing


def test_the_digest_does_not_reveal_the_customer_without_the_salt(key):
    """The same customer on two orders gives two unrelated digests (each order its own salt)."""
    customer = {"name": "王先生", "mobile": "13800138000"}
    a = signing.redact(signing.sign(make_order_body(customer=customer), key))
    b = signing.redact(signing.sign(make_order_body(customer=customer), key))
    assert a["order"]["customer"]["digest"] != b["order"]["customer"]["digest"]


def _tamper_total(signed):
    signed["order"]["total"] = "1.00"


def _tamper_customer(signed):
    if "digest" in signed["order"]["customer"]:
        signed["order"]["customer"]["digest"] = "0" * 64
    else:
        signed["order"]["customer"]["mobile"] = "13900000000"


def _tamper_line(signed):
    signed["order"]["lines"].append({**signed["order"]["lines"][1], "line_no": 3})


def _envelope(kind, key):
    body = make_order_body()
    if kind == "old":
        return signing.sign_plain(body, key)
    signed = signing.sign(body, key)
    return signing.redact(signed) if kind == "redacted" else signed


@pytest.mark.parametrize("kind", ["old", "full", "redacted"])
@pytest.mark.parametrize("tamper", [_tamper_total, _tamper_customer, _tamper_line])
def test_tampering_is_refused_in_every_kind_of_envelope(key, trusted, kind, tamper):
    """R-WS-2: a tampered order is refused, whichever scheme signed it and whether or not it was redacted."""
    signed = _envelope(kind, key)
    tamper(signed)
    with pytest.raises(SignatureInvalid):
        signing.verify(signed, trusted)


def test_a_changed_salt_is_refused(key, trusted):
    signed = signing.sign(make_order_body(), key)
    signed["customer_salt"] = "11" * 16
    with pytest.raises(SignatureInvalid, match="altered"):
        signing.verify(signed, trusted)


@pytest.mark.parametrize("salt", [None, "not hex at all, thirty-two chars"])
def test_a_full_envelope_without_a_usable_salt_is_refused(key, trusted, salt):
    signed = signing.sign(make_order_body(), key)
    signed["customer_salt"] = salt
    with pytest.raises(SignatureInvalid):
        signing.verify(signed, trusted)


def test_stripping_the_scheme_to_pass_for_an_old_envelope_is_refused(key, trusted):
    signed = signing.sign(make_order_body(), key)
    del signed["scheme"]
    with pytest.raises(SignatureInvalid, match="altered"):
        signing.verify(signed, trusted)


def test_an_unknown_scheme_is_refused(key, trusted):
    signed = {**signing.sign(make_order_body(), key), "scheme": "ed25519-redactable-9"}
    with pytest.raises(SignatureInvalid, match="unknown scheme"):
        signing.verify(signed, trusted)


def test_an_old_envelope_cannot_be_redacted(key):
    with pytest.raises(ValueError):
        signing.redact(signing.sign_plain(make_order_body(), key))


def test_redacting_does_not_change_the_store_s_envelope(key):
    signed = signing.sign(make_order_body(), key)
    before = copy.deepcopy(signed)
    signing.redact(signed)
    assert signed == before
