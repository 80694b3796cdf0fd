"""The refusal every service and UI shares: a business rule (or a value check in `contracts.validators`)
refused a command.

Said with an English message id; the dealership's catalog translates it. Contracts import nothing of
the project, so the kit plugs its catalog in (`use_translator`, called by kit.errors); without it a
message reads in English.
"""

from __future__ import annotations

from collections.abc import Callable


def _english(msgid: str, locale: str, **params) -> str:
    return msgid.format(**params) if params else msgid


class DomainError(Exception):
    """A business rule refused a command. `field` names the offending input for the UI.

    `msgid` is an English message id from the catalog (`kit/translations`), with `{name}`
    placeholders filled from `params`; `message` is its Chinese text, `message_in(locale)` any other.
    `code` is stable for programs.
    """

    status = 422
    _translate: Callable[..., str] = staticmethod(_english)
    _default_locale = "en"

    def __init__(self, msgid: str, *, field: str | None = None, code: str = "refused", **params):
        self.msgid = msgid
        self.params = params
        self.field = field
        self.code = code
        self.details: dict = {}  # anything more a client can act on (e.g. alternative times)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """In the catalog's default language (Chinese)."""
        return self.message_in(DomainError._default_locale)

    def message_in(self, locale: str) -> str:
        return DomainError._translate(self.msgid, locale, **self.params)


def use_translator(translate: Callable[..., str], default_locale: str) -> None:
    """`translate(msgid, locale, **params)` for every refusal's message (the kit's catalog)."""
    DomainError._translate = staticmethod(translate)
    DomainError._default_locale = default_locale
