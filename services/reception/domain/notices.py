"""What a progress notice 进度通报 says and to whom (R-PN-1): its texts by kind, in the customer's language,
and the customer's e-mail address as the channel. Plain Python."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from kit.errors import DomainError
from kit.i18n import N_, translate

NOTICE_LOCALE = "zh_CN"
TZ = ZoneInfo("Asia/Shanghai")

# kind -> (subject, body) as message ids; bodies are filled with the order's facts
TEXTS = {
    "work_started": (
        N_("Work on your car {plate} has started"),
        N_(
            "Dear {name}, work on your car {plate} has started. We expect it to be ready by {promised}. "
            "Your service advisor {advisor} will keep you informed."
        ),
    ),
    "consent_needed": (
        N_("Your car {plate}: additional work needs your consent"),
        N_(
            "Dear {name}, while working on your car {plate} we found more work: {reason}. It would add "
            "{amount} yuan (VAT included) and the car would be ready by {promised}. Nothing is done without "
            "your consent: please give your answer to your service advisor {advisor}."
        ),
    ),
    "delay": (
        N_("Your car {plate} will be later than promised"),
        N_(
            "Dear {name}, we are sorry: your car {plate} will not be ready by the promised time {promised}. "
            "Your service advisor {advisor} will call you with a new time."
        ),
    ),
    "qc_failed": (
        N_("Your car {plate}: one more check before it is ready"),
        N_(
            "Dear {name}, the final quality check of your car {plate} found something that our technician is "
            "putting right now. We still aim for {promised}; your service advisor {advisor} will tell you if the "
            "time changes."
        ),
    ),
    "ready": (
        N_("Your car {plate} is ready for pick-up"),
        N_(
            "Dear {name}, your car {plate} is ready for pick-up since {ready}. Your service advisor "
            "{advisor} will hand it over at the settlement desk."
        ),
    ),
}
KINDS = tuple(TEXTS)


def contact_of(customer: dict) -> tuple[str | None, str | None]:
    """(channel, recipient): the e-mail address when the customer gave one, else nobody to write to."""
    email = (customer or {}).get("email")
    return ("email", email) if email else (None, None)


def compose(kind: str, facts: dict, locale: str = NOTICE_LOCALE) -> tuple[str, str]:
    """The subject and body of one notice, in the customer's language."""
    subject, body = TEXTS[kind]
    return translate(subject, locale, **facts), translate(body, locale, **facts)


def local(value) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(TZ).strftime("%Y-%m-%d %H:%M") if value else "-"


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(email: str | None) -> str:
    """The address the customer gave at the desk, or "" for none (the advisor phones instead)."""
    email = (email or "").strip()
    if email and not EMAIL.match(email):
        raise DomainError("The e-mail address is not valid", field="email", code="email")
    return email
