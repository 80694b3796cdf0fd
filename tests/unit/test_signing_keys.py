"""Issue 12, item 10: the key id in every signature, rotation (old orders still verify), revocation (a revoked key's
later signatures refused, what it signed before still verifies)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.events import OrderSchema
from kit import signing
from kit.orders import OrderSigner, OrderVerifier
from kit.signing import SignatureInvalid
from tests.support.factories import make_order_body

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def _signed(signer: OrderSigner, at: datetime) -> dict:
    return signer.sign(OrderSchema().load(make_order_body(signed_at=at.isoformat())))


def test_every_signature_names_its_key(tmp_path):
    signer = OrderSigner(tmp_path)
    signed = _signed(signer, T0)
    assert signed["key_id"] == signing.key_id(signer.private_key.public_key())


def test_after_a_rotation_old_orders_still_verify_and_new_ones_carry_the_new_key(tmp_path):
    old_signer = OrderSigner(tmp_path)
    old = _signed(old_signer, T0)
    new_id = signing.rotate_key(tmp_path)
    assert new_id != old["key_id"]
    new = _signed(OrderSigner(tmp_path), T0 + timedelta(hours=1))
    assert new["key_id"] == new_id
    verifier = OrderVerifier(tmp_path)
    assert verifier.verify(old)["order_id"] == old["order"]["order_id"]
    assert verifier.verify(new)["order_id"] == new["order"]["order_id"]
    assert (tmp_path / f"order-signing-{old['key_id']}.pub").exists()


def test_a_revoked_keys_later_signatures_are_refused_its_earlier_ones_still_verify(tmp_path):
    signer = OrderSigner(tmp_path)
    verifier = OrderVerifier(tmp_path)
    before, after = _signed(signer, T0), _signed(signer, T0 + timedelta(hours=2))
    assert verifier.verify(after)  # not revoked yet
    signing.revoke_key(tmp_path, before["key_id"], T0 + timedelta(hours=1))
    assert verifier.verify(before)["order_id"] == before["order"]["order_id"]  # read again without a restart
    with pytest.raises(SignatureInvalid, match="after its revocation"):
        verifier.verify(after)
    body = dict(after["order"])
    body.pop("signed_at")
    undated = signing.sign(body, signer.private_key)
    with pytest.raises(SignatureInvalid):
        verifier.verify(undated)  # no signing time: cannot be shown to predate the revocation


def test_the_command_line_rotates_and_revokes(tmp_path, capsys):
    first = OrderSigner(tmp_path)
    assert signing.main(["rotate", str(tmp_path)]) == 0
    assert signing.main(["revoke", str(tmp_path), signing.key_id(first.private_key.public_key())]) == 0
    assert list(signing.load_revoked(tmp_path)) == [signing.key_id(first.private_key.public_key())]
    assert signing.main([]) == 2
    assert "revoked" in capsys.readouterr().out


def test_a_verifier_reading_the_keys_while_reception_starts_reads_whole_keys_only(tmp_path):
    """Reception writes its public key at every start; parts, billing and the workshop may read the key directory
    at that moment (a bench start once failed with MalformedFraming: half a PEM file)."""
    import threading

    from kit.signing import load_or_create_private_key, load_trusted_keys

    key_id = signing.key_id(load_or_create_private_key(tmp_path).public_key())
    failures, done = [], threading.Event()

    def read_while_written():
        while not done.is_set():
            try:
                assert set(load_trusted_keys(tmp_path)) == {key_id}
            except Exception as exc:  # noqa: BLE001 - any failure to read a key counts
                failures.append(exc)
                return

    reader = threading.Thread(target=read_while_written)
    reader.start()
    try:
        for _ in range(300):
            load_or_create_private_key(tmp_path)  # a start of reception: its public halves written again
    finally:
        done.set()
        reader.join()
    assert failures == []
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "order-signing-" + key_id + ".pub",
        "order-signing.key",
        "order-signing.pub",
    ]
