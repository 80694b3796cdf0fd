"""Chinese first, English on request: Babel message catalogs, never strings chosen in code.

Message ids are English; `kit/translations/zh_CN/LC_MESSAGES/messages.po` holds the Chinese.
The .po file is read at start-up (compiled in memory), so there is no build step to forget.
Refresh the catalog after adding strings: `make i18n` (extract, then update the .po).
"""

from __future__ import annotations

from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
LANG_COOKIE = "lang"
CATALOG_DIR = Path(__file__).parent / "translations"


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a message id for extraction; it is translated where it is shown."""
    return msgid


@cache
def translations(locale: str) -> NullTranslations:
    po = CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        # No `locale=`: the .po's own Language and Plural-Forms headers make the same .mo, and Babel does not load
        # its CLDR data (global.dat, about 2 MB kept for the life of the process) to parse the locale's name.
        catalog = read_po(fh)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def translate(msgid: str, locale: str = DEFAULT_LOCALE, **params) -> str:
    text = translations(locale).gettext(msgid)
    return text.format(**params) if params else text


def locale_of(request) -> str:
    """The staff member's choice (cookie), else Chinese."""
    chosen = request.cookies.get(LANG_COOKIE) if request is not None else None
    return chosen if chosen in LOCALES else DEFAULT_LOCALE
