"""Message contracts shared by all six services: one envelope, one schema per event."""

from . import names
from .envelope import Envelope
from .registry import (
    ContractError,
    all_json_schemas,
    build_message,
    json_schema,
    load_message,
    producer_of,
    subscribers_of,
)

__all__ = [
    "ContractError",
    "Envelope",
    "all_json_schemas",
    "build_message",
    "json_schema",
    "load_message",
    "names",
    "producer_of",
    "subscribers_of",
]
