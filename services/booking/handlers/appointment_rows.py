"""The rows a booking reads and writes, by statements built once (Core): its customer and car, the price book in
force, and the new appointment with its checklist and confirmation calls. Nothing here is needed as an ORM object
afterwards, so nothing is tracked: each row is written on the session's connection (taken once by the command and
passed in) in foreign-key order (customer, car, appointment, then what refers to it), and answered as a plain
namespace of what was written."""

from __future__ import annotations

import functools
import uuid
import weakref
from types import SimpleNamespace

import sqlalchemy as sa

from contracts.validators import check_mobile, check_vin
from kit import price_list

from ..domain.customers import check_privacy, name_key
from ..models import Appointment, ConfirmationTask, Customer, PreparationItem, PriceListCopy, Vehicle

_C, _V, _A = Customer.__table__, Vehicle.__table__, Appointment.__table__
_P = PriceListCopy.__table__
# the newest published version already in force (as price_list.current_price_book reads it)
_IN_FORCE_VERSION = (
    sa.select(_P.c.version)
    .where(_P.c.effective_from <= sa.bindparam("now", type_=_P.c.effective_from.type))
    .order_by(_P.c.effective_from.desc())
    .limit(1)
    .scalar_subquery()
)
# one row: the customer by mobile, the car by VIN (each or NULLs) and the version of the price book in force (or NULL)
_PARTIES_AND_PRICES = (
    sa.select(
        _C.c.customer_id,
        _C.c.name,
        _C.c.salutation,
        _C.c.email,
        _C.c.privacy,
        _C.c.pinyin,
        _V.c.vin,
        _V.c.plate,
        _V.c.model,
        _V.c.customer_id.label("owner_id"),
        _V.c.purchase_date,
        _P.c.version,
    )
    .select_from(sa.select(sa.literal(1).label("one")).subquery())
    .outerjoin(_C, _C.c.mobile == sa.bindparam("mobile"))
    .outerjoin(_V, _V.c.vin == sa.bindparam("vin"))
    .outerjoin(_P, _P.c.version == _IN_FORCE_VERSION)
)
# a published version's book, read once a database (versions are immutable: price_list.take never rewrites one)
_VERSION = sa.select(_P.c.version, _P.c.labour_rate, _P.c.vat_rate, _P.c.labour, _P.c.parts).where(
    _P.c.version == sa.bindparam("version")
)
_BOOKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> {version: PriceBook}
_INSERT_CUSTOMER = sa.insert(_C)
_UPDATE_CUSTOMER = (
    sa.update(_C)
    .where(_C.c.customer_id == sa.bindparam("id"))
    .values(
        name=sa.bindparam("name"),
        pinyin=sa.bindparam("pinyin"),
        salutation=sa.bindparam("salutation"),
        email=sa.bindparam("email"),
        privacy=sa.bindparam("privacy"),
    )
)
_INSERT_VEHICLE = sa.insert(_V)
_UPDATE_VEHICLE = (
    sa.update(_V)
    .where(_V.c.vin == sa.bindparam("id"))
    .values(
        plate=sa.bindparam("plate"),
        model=sa.bindparam("model"),
        purchase_date=sa.bindparam("purchase_date"),
        customer_id=sa.bindparam("customer_id"),
    )
)
_INSERT_APPOINTMENT = sa.insert(_A)
_INSERT_PREPARATION = sa.insert(PreparationItem.__table__)
_INSERT_CONFIRMATIONS = sa.insert(ConfirmationTask.__table__)


@functools.lru_cache(maxsize=256)
def _checked_mobile(value: str) -> str:
    return check_mobile(value)


@functools.lru_cache(maxsize=256)
def _checked_vin(value: str) -> str:
    return check_vin(value, field="vin")


def booking_keys(cmd: dict) -> tuple[str, str]:
    """The booking's mobile and VIN as contracts.validators checks them (refused naming the field), each value's
    answer kept: the desk checks them before holding capacity and the command again when it stores."""
    mobile, vin = cmd["customer"]["mobile"], cmd["vehicle"]["vin"]
    return (
        _checked_mobile(mobile) if isinstance(mobile, str) else check_mobile(mobile),
        _checked_vin(vin) if isinstance(vin, str) else check_vin(vin, field="vin"),
    )


def parties_and_prices(connection, mobile: str, vin: str, now):
    """(the row read, the price book in force or None). The book of a version is read and built once a database:
    a price list's labour operations and parts decoded and priced on every booking cost more than the booking."""
    row = connection.execute(_PARTIES_AND_PRICES, {"mobile": mobile, "vin": vin, "now": now}).one()
    return row, (None if row.version is None else _price_book(connection, row.version))


def _price_book(connection, version: str):
    books = _BOOKS.get(connection.engine)
    if books is None:
        books = _BOOKS.setdefault(connection.engine, {})
    book = books.get(version)
    if book is None:
        book = books[version] = price_list.book_of(connection.execute(_VERSION, {"version": version}).one())
    return book


def write_customer(connection, known, customer_in: dict, mobile: str, cmd: dict) -> SimpleNamespace:
    """The booking's customer: inserted with what the booking says, or the one on file updated (only when
    something changed, as the unit of work would)."""
    name = customer_in["name"]
    if known.customer_id is None:
        values = {
            "customer_id": str(uuid.uuid4()),
            "name": name,
            "mobile": mobile,
            "salutation": cmd.get("salutation") or "",
            "email": cmd.get("email") or None,
            "privacy": check_privacy(cmd.get("privacy") or "surname"),
            "pinyin": name_key(name),
        }
        connection.execute(_INSERT_CUSTOMER, values)
        return SimpleNamespace(**values)
    values = {
        "name": name,
        "pinyin": known.pinyin if name == known.name else name_key(name),
        "salutation": cmd.get("salutation") or known.salutation or "",
        "email": cmd.get("email") or known.email,
        "privacy": check_privacy(cmd.get("privacy") or known.privacy or "surname"),
    }
    if any(values[k] != getattr(known, k) for k in values):
        connection.execute(_UPDATE_CUSTOMER, {"id": known.customer_id, **values})
    return SimpleNamespace(customer_id=known.customer_id, mobile=mobile, **values)


def write_vehicle(connection, known, vin: str, vehicle_in: dict, customer_id: str, cmd: dict) -> SimpleNamespace:
    """The booking's car, on the customer: inserted, or the one on file updated when something changed."""
    values = {
        "plate": vehicle_in["plate"].strip().upper(),
        "model": vehicle_in.get("model", ""),
        "purchase_date": cmd.get("purchase_date") or known.purchase_date,
        "customer_id": customer_id,
    }
    if known.vin is None:
        connection.execute(_INSERT_VEHICLE, {"vin": vin, **values})
    elif (known.plate, known.model, known.purchase_date, known.owner_id) != tuple(values.values()):
        connection.execute(_UPDATE_VEHICLE, {"id": vin, **values})
    return SimpleNamespace(vin=vin, **values)


def write_appointment(connection, values: dict) -> SimpleNamespace:
    """The appointment row with the defaults a new one has (booked, parts pending)."""
    row = {
        "status": "booked",
        "cancelled_at": None,
        "cancel_reason": "",
        "parts_status": "pending",
        "parts_short": [],
        **values,
    }
    connection.execute(_INSERT_APPOINTMENT, row)
    return SimpleNamespace(**row)


def write_preparation(connection, items: list[dict]) -> None:
    connection.execute(_INSERT_PREPARATION, items)


def write_confirmations(connection, tasks: list[dict]) -> None:
    if tasks:
        connection.execute(_INSERT_CONFIRMATIONS, tasks)
