"""What reception's pages and JSON views share: the one schema of a requested order line, the pre-inspection
bays setting, and reading a form's values (local times, integers) the way the JSON schemas read them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from marshmallow import Schema

from contracts.events import LINE_KINDS
from kit.bounds import SHORT, Amount, Choice, Text
from kit.config import Settings
from kit.errors import DomainError
from kit.i18n import N_, translate

from ..domain import pre_inspection


class RequestedLine(Schema):
    """A line asked for: an order's job, a write-up's job or finding, an amendment's change (R-RC-5, R-WS-3).
    Labour takes the standard hours from the price list; a part needs its quantity."""

    kind = Choice(LINE_KINDS, required=True)
    code = Text(SHORT, min_length=1, required=True)
    quantity = Amount(places=2, minimum=0, maximum=999, load_default=None)  # positive: the domain says so


def line_from_form(code: str, quantity: str | None) -> dict:
    """The tablet's picker gives "part:P-OIL-5W30" or "LAB-OIL" (labour) and a quantity (1 by default)."""
    kind = "part" if code.startswith("part:") else "labour"
    return {"kind": kind, "code": code.split(":", 1)[-1], "quantity": quantity or "1"}


def pre_inspection_bays() -> tuple[str, ...]:
    """R-RC-8: the pre-inspection bays, from the setting PRE_INSPECTION_BAYS ("P1,P2,P3" by default)."""
    return pre_inspection.bays_setting(Settings.value("PRE_INSPECTION_BAYS", None))  # the setting, not the rest


def dealer_tz() -> ZoneInfo:
    """The dealership's time zone, from the setting DEALER_TIMEZONE alone (not every setting read for one)."""
    return ZoneInfo(Settings.value("DEALER_TIMEZONE", Settings.dealer_timezone))  # one ZoneInfo instance per key


def local_datetime(text: str, field: str = "promised_at") -> datetime:
    """A `datetime-local` input in the dealership's time zone, as an aware time."""
    try:
        naive = datetime.fromisoformat(text)
    except ValueError:
        raise DomainError(N_("Not a valid datetime."), field=field) from None
    return naive.replace(tzinfo=dealer_tz()) if naive.tzinfo is None else naive


def integer(text, field: str) -> int | None:
    if text in (None, ""):
        return None
    try:
        return int(str(text).strip()[:20])
    except ValueError:
        raise DomainError(N_("Not a valid integer."), field=field) from None


def required(request) -> str:
    return translate("Missing data for required field.", request.locale)
