"""Errors the kit knows how to route.

`DomainError` (a refusal, with an English message id) is defined in contracts, so that the value checks
there (contracts.validators) raise the very error every service catches; the kit translates it with its
catalog.
"""

from __future__ import annotations

from contracts.errors import DomainError, use_translator

from .i18n import DEFAULT_LOCALE, translate

use_translator(translate, DEFAULT_LOCALE)

__all__ = ["DomainError", "NotFound", "PermanentError"]


class PermanentError(Exception):
    """Handling this message can never succeed: dead-letter it at once with this reason, no retries."""


class NotFound(DomainError):
    status = 404

    def __init__(self, msgid: str, *, field: str | None = None, **params):
        super().__init__(msgid, field=field, code="not_found", **params)
