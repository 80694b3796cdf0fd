"""The customer file's rules (R-BK-1, R-BK-9, R-CR-3..5): names searched by pinyin, mileage readings, the welcome
board's privacy choice."""

from __future__ import annotations

import functools
import re
from datetime import date

from kit import pinyin
from kit.errors import DomainError
from kit.i18n import N_

PRIVACY_CHOICES = ("full", "surname", "plate")


@functools.lru_cache(maxsize=1024)
def name_key(name: str) -> str:
    """What the customer search matches a name against: full pinyin and initials ("zhangsan zs" for 张三).

    Kept for the last names asked (a name's key never changes): many customers share a name, and pypinyin
    costs about 300 calls a name."""
    syllables = [s for s in pinyin.syllables(name or "") if s.strip()]  # kit.pinyin: the same answers, 45 MB less
    initials = [s for s in pinyin.first_letters(name or "") if s.strip()]
    return re.sub(r"\s+", " ", f"{''.join(syllables)} {''.join(initials)}".lower()).strip()


def check_mileage_reading(mileage_km: int, read_on: date, today: date, earlier: int | None) -> int:
    """A reading may not lie in the future, nor be lower than an earlier reading of the same car."""
    if read_on > today:
        raise DomainError(N_("The reading date cannot be in the future"), field="read_on", code="reading_in_future")
    if mileage_km < 0:
        raise DomainError(N_("The mileage cannot be negative"), field="mileage_km", code="mileage_negative")
    if earlier is not None and mileage_km < earlier:
        raise DomainError(
            N_("Mileage cannot be lower than an earlier reading of {km} km"),
            field="mileage_km",
            code="mileage_lower",
            km=earlier,
        )
    return mileage_km


def check_privacy(choice: str) -> str:
    if choice not in PRIVACY_CHOICES:
        raise DomainError(N_("Choose how the welcome board shows the customer"), field="privacy", code="privacy")
    return choice


def welcome_name(name: str, salutation: str, privacy: str) -> str:
    """R-BK-9: the welcome board shows the full name, the surname only (王先生/王女士), or nothing but the plate."""
    if privacy == "full":
        return name
    if privacy == "surname":
        return name[:1] + (salutation or "")
    return ""
