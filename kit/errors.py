"""Errors the kit knows how to route."""

from __future__ import annotations

from .i18n import DEFAULT_LOCALE, translate


class PermanentError(Exception):
    """Handling this message can never succeed: dead-letter it at once with this reason, no retries."""


class DomainError(Exception):
    """A business rule refused a command. `field` names the offending input for the UI.

    `msgid` is an English message id from the catalog (`kit/translations`), with `{name}`
    placeholders filled from `params`; `message` is its Chinese text, `message_in(locale)` any other.
    `code` is stable for programs.
    """

    status = 422

    def __init__(self, msgid: str, *, field: str | None = None, code: str = "refused", **params):
        self.msgid = msgid
        self.params = params
        self.field = field
        self.code = code
        self.details: dict = {}  # anything more a client can act on (e.g. alternative times)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.message_in(DEFAULT_LOCALE)

    def message_in(self, locale: str) -> str:
        return translate(self.msgid, locale, **self.params)


class NotFound(DomainError):
    status = 404

    def __init__(self, msgid: str, *, field: str | None = None, **params):
        super().__init__(msgid, field=field, code="not_found", **params)
