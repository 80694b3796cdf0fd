"""Handwritten signatures captured on a tablet: stored once, addressed by their SHA-256.

The hash goes into the signed document (e.g. the order body reception signs with Ed25519), so the
image shown later can be checked against what was signed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .errors import DomainError
from .i18n import N_

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BYTES = 2_000_000


def decode_image(data: str | None, field: str = "signature") -> bytes:
    """A PNG from a data URL or base64 text; refuses an empty or unreadable signature."""
    if not data:
        raise DomainError(N_("The customer has not signed yet"), field=field, code="unsigned")
    if data.startswith("data:"):
        data = data.split(",", 1)[-1]
    try:
        image = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise DomainError(N_("The signature image cannot be read"), field=field, code="bad_signature") from None
    if not image.startswith(PNG_MAGIC) or len(image) > MAX_BYTES:
        raise DomainError(N_("The signature image cannot be read"), field=field, code="bad_signature")
    return image


def store(uow, data: str | None, field: str = "signature") -> str:
    """Keep the image (once) and return its SHA-256 hex digest."""
    image = decode_image(data, field)
    digest = hashlib.sha256(image).hexdigest()
    table = uow.session.info["metadata"].tables["signatures"]
    if uow.session.execute(sa.select(table.c.sha256).where(table.c.sha256 == digest)).first() is None:
        # the same image stored at the same moment by another request (two instances, two tablets) is no error
        dialect = uow.session.get_bind().dialect.name
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}.get(dialect)
        values = dict(
            sha256=digest, image=image, media_type="image/png", captured_by=uow.actor_id, captured_at=uow.clock()
        )
        if insert is None:
            uow.session.execute(table.insert().values(**values))
        else:
            uow.session.execute(insert(table).values(**values).on_conflict_do_nothing(index_elements=["sha256"]))
    return digest


def exists(session, digest: str) -> bool:
    table = session.info["metadata"].tables["signatures"]
    return session.execute(sa.select(table.c.sha256).where(table.c.sha256 == digest)).first() is not None


def image(session, digest: str) -> bytes | None:
    table = session.info["metadata"].tables["signatures"]
    row = session.execute(sa.select(table.c.image).where(table.c.sha256 == digest)).first()
    return row.image if row else None
