"""Bounded input fields for the services' command schemas, and the check that none is left unbounded.

Every field a person or a program can send has a bound (issue 12, item 2): text its length and no NUL
character, counts an integer range (no 1.5, no 10**30), amounts their precision and range (741.284 refused,
never rounded; 1e308 refused), times and dates a window around the kit clock's now (no 1900, no 2999),
lists a number of items.

    class RecordMileage(Schema):
        mileage_km = Count(maximum=MAX_MILEAGE_KM, required=True)
        read_on = Day(past_years=30, future_days=0, load_default=None, allow_none=True)
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from contracts.events.common import CustomerSchema

from . import clock
from .i18n import DEFAULT_LOCALE, N_, translate

MAX_MILEAGE_KM = 2_000_000  # no car on the road has more; a cap the canonical JSON of an order can carry
SHORT = 40  # ids, codes, tags
NAME = 80
NOTE = 500  # a note, a reason
WORDS = 2000  # a complaint or a diagnosis in the customer's or advisor's words
MAX_ITEMS = 50
# an appointment's time: the booking rules say which are free; this only keeps 1900 and 2999 out (their refusal,
# "earlier than now" or "not a reception slot", is the rule's, in words the desk understands)
APPOINTMENT_WINDOW = {"past": timedelta(days=3660), "future": timedelta(days=1830)}
SIGNATURE_CHARS = 1_000_000  # a signature pad's PNG as a data URL (a few dozen KB in practice)

# marshmallow's own messages, as message ids of the catalog
N_("Missing data for required field.")
N_("Not a valid string.")
N_("Not a valid integer.")
N_("Not a valid number.")
N_("Not a valid datetime.")
N_("Not a valid date.")
N_("Not a valid list.")
N_("Not a valid mapping type.")
N_("Not a valid boolean.")
N_("Unknown field.")
N_("Field may not be null.")
N_("Not a valid aware datetime.")
N_("Shorter than minimum length 1.")
N_("Must be one of: {choices}.")
N_("Not a valid email address.")


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def no_nul(value: str) -> None:
    if "\x00" in value:
        raise ValidationError("Contains a NUL character.")


def Text(max_length: int = NAME, *, min_length: int = 0, **kwargs) -> fields.String:  # noqa: N802
    """A string of at most `max_length` characters, without NUL."""
    checks = [validate.Length(min=min_length or None, max=max_length), no_nul, *_as_list(kwargs.pop("validate", None))]
    return fields.String(validate=checks, **kwargs)


def Choice(choices, **kwargs) -> fields.String:  # noqa: N802
    return fields.String(validate=validate.OneOf(choices), **kwargs)


def Email(**kwargs) -> fields.Email:  # noqa: N802
    return fields.Email(validate=[validate.Length(max=254), no_nul], **kwargs)


def Count(*, minimum: int = 0, maximum: int, **kwargs) -> fields.Integer:  # noqa: N802
    """A whole number within [minimum, maximum]: 1.5 and "1.5" refused."""
    return fields.Integer(strict=True, validate=validate.Range(min=minimum, max=maximum), **kwargs)


class Amount(fields.Field):
    """An exact decimal ("4.5", 2, "268.00") with at most `places` decimals, within [minimum, maximum]:
    more decimals are refused (never rounded silently), floats are read through their text, NaN and
    infinities refused."""

    def __init__(self, *, places: int = 2, minimum: Decimal | int = 0, maximum: Decimal | int, **kwargs):
        super().__init__(**kwargs)
        self.places, self.minimum, self.maximum = places, Decimal(minimum), Decimal(maximum)

    def _deserialize(self, value, attr, data, **kwargs) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValidationError("Not a valid number.")
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            raise ValidationError("Not a valid number.") from None
        if not number.is_finite():
            raise ValidationError("Not a valid number.")
        if not self.minimum <= number <= self.maximum:
            raise ValidationError(f"Must be between {_plain(self.minimum)} and {_plain(self.maximum)}.")
        if -number.as_tuple().exponent > self.places:
            raise ValidationError(f"At most {self.places} decimal places.")
        return number

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else _plain(Decimal(value))


def _plain(number: Decimal) -> str:
    return format(number, "f")


class Moment(fields.AwareDateTime):
    """An aware time within a window around the kit clock's now: `past` before, `future` after."""

    def __init__(self, *, past: timedelta = timedelta(days=366), future: timedelta = timedelta(days=366), **kwargs):
        super().__init__(format="iso", **kwargs)
        self.past, self.future = past, future

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        now = clock.now()
        low, high = now - self.past, now + self.future
        if not low <= moment <= high:
            raise ValidationError(f"Must be between {low.date().isoformat()} and {high.date().isoformat()}.")
        return moment


class Day(fields.Date):
    """A date within a window around the kit clock's today: `past_years` back, `future_days` ahead."""

    def __init__(self, *, past_years: int = 30, future_days: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.past_years, self.future_days = past_years, future_days

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        day = super()._deserialize(value, attr, data, **kwargs)
        today = clock.now().date()
        low = today.replace(year=today.year - self.past_years, day=min(today.day, 28))
        high = today + timedelta(days=self.future_days)
        if not low <= day <= high:
            raise ValidationError(f"Must be between {low.isoformat()} and {high.isoformat()}.")
        return day


def Items(inner: fields.Field, *, max_items: int = MAX_ITEMS, min_items: int = 0, **kwargs) -> fields.List:  # noqa: N802
    checks = [validate.Length(min=min_items or None, max=max_items), *_as_list(kwargs.pop("validate", None))]
    return fields.List(inner, validate=checks, **kwargs)


class CustomerInput(CustomerSchema):
    """The event contract's customer, as a command reads it: the e-mail address bounded too."""

    name = Text(NAME, min_length=1, required=True)
    mobile = Text(20, min_length=5, required=True)
    email = Email(allow_none=True)


# --- the check that every field is bounded ------------------------------------------------------------------


def unbounded_fields(schema: Schema | type[Schema], prefix: str = "") -> list[str]:
    """The fields of `schema` (nested ones included) that accept unbounded input; [] when all are bounded."""
    schema = schema() if isinstance(schema, type) else schema
    out: list[str] = []
    for name, field in schema.fields.items():
        out.extend(_unbounded(field, f"{prefix}{name}"))
    return out


def _unbounded(field: fields.Field, path: str) -> list[str]:
    kinds = [type(v) for v in field.validators]
    if isinstance(field, fields.Nested):
        return unbounded_fields(field.schema, f"{path}.")
    if isinstance(field, fields.List):
        inner = _unbounded(field.inner, f"{path}[]")
        return inner + ([] if _has_max_length(field) else [path])
    if isinstance(field, fields.Dict):
        own = [] if _has_max_length(field) else [path]
        keys = _unbounded(field.key_field, f"{path}{{key}}") if field.key_field else [f"{path}{{key}}"]
        values = _unbounded(field.value_field, f"{path}{{}}") if field.value_field else [f"{path}{{}}"]
        return own + keys + values
    if isinstance(field, fields.Boolean | Amount | Moment | Day):
        return []
    if isinstance(field, fields.String):
        return [] if validate.OneOf in kinds or (_has_max_length(field) and no_nul in field.validators) else [path]
    if isinstance(field, fields.Integer):
        ranged = any(
            isinstance(v, validate.Range) and v.min is not None and v.max is not None for v in field.validators
        )
        return [] if field.strict and ranged else [path]
    return [path]


def _has_max_length(field: fields.Field) -> bool:
    return any(isinstance(v, validate.Length) and (v.max is not None or v.equal is not None) for v in field.validators)


# --- marshmallow's and these fields' messages, in the staff member's language --------------------------------

_KNOWN = (
    (re.compile(r"^Longer than maximum length (?P<max>\d+)\.$"), N_("At most {max} characters")),
    (re.compile(r"^Shorter than minimum length (?P<min>\d+)\.$"), N_("At least {min} characters")),
    (re.compile(r"^Length must be between (?P<min>\d+) and (?P<max>\d+)\.$"), N_("Between {min} and {max} characters")),
    (re.compile(r"^Length must be (?P<equal>\d+)\.$"), N_("Exactly {equal} characters")),
    (re.compile(r"^Must be greater than or equal to (?P<min>\S+) and less than or equal to (?P<max>\S+)\.$"),
     N_("Must be between {min} and {max}")),
    (re.compile(r"^Must be between (?P<min>\S+) and (?P<max>\S+)\.$"), N_("Must be between {min} and {max}")),
    (re.compile(r"^Must be greater than or equal to (?P<min>\S+)\.$"), N_("Must be at least {min}")),
    (re.compile(r"^Must be less than or equal to (?P<max>\S+)\.$"), N_("Must be at most {max}")),
    (re.compile(r"^At most (?P<places>\d+) decimal places\.$"), N_("At most {places} decimal places")),
    (re.compile(r"^Contains a NUL character\.$"), N_("Contains a character that is not allowed (NUL)")),
)  # fmt: skip


def known_message(message: str, locale: str) -> str | None:
    """A bound's refusal in `locale`, or None when it is not one of these."""
    for pattern, msgid in _KNOWN:
        match = pattern.match(message)
        if match:
            return translate(msgid, locale, **match.groupdict())
    return None


def field_errors(messages: Any, locale: str = DEFAULT_LOCALE, prefix: str = "") -> dict[str, list[str]]:
    """Flatten marshmallow's nested errors to {"vehicle.vin": ["必填项"]}, in the staff member's language."""
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            out.update(field_errors(value, locale, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_"] = [_validation_message(m, locale) for m in messages]
    elif isinstance(messages, list):
        for i, value in enumerate(messages):
            out.update(field_errors(value, locale, f"{prefix}[{i}]"))
    else:
        out[prefix or "_"] = [_validation_message(str(messages), locale)]
    return out


def _validation_message(message: str, locale: str) -> str:
    translated = translate(message, locale)
    if translated != message or locale == "en":
        return translated
    if known := known_message(message, locale):
        return known
    for start, msgid in (
        ("Length must be", N_("Length is not allowed: {detail}")),
        ("Must be greater than", N_("Value is too small: {detail}")),
        ("Must be one of", N_("Not one of the allowed values: {detail}")),
    ):
        if message.startswith(start):
            return translate(msgid, locale, detail=message)
    return message
