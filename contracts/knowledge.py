"""The symptom knowledge base (R-KB-1) as a value: match the customer's words, price the suggestion.

Shared reference data like the price list value (`contracts.pricing`), read by booking (inbound calls,
R-BK-2) and reception (diagnosis at write-up, R-RC-4). The data is `contracts/symptoms.yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

import yaml

from .pricing import PriceBook

SYMPTOMS_FILE = Path(__file__).with_name("symptoms.yaml")
CENT = Decimal("0.01")


def _fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)  # half up, as a Chinese invoice rounds


@dataclass(frozen=True)
class Symptom:
    code: str
    name: dict[str, str]  # locale -> text ("zh_CN", "en")
    match: tuple[tuple[str, ...], ...]
    causes: dict[str, tuple[str, ...]]
    advice: dict[str, str]
    jobs: tuple[str, ...]  # labour operation codes of the price list
    parts: dict[str, Decimal]  # part_no -> quantity

    def matches(self, words: str) -> bool:
        text = words.lower()
        return any(all(key.lower() in text for key in group) for group in self.match)


@dataclass(frozen=True)
class Estimate:
    """A suggestion priced from one published price list version (before VAT and with it)."""

    price_list_version: str
    hours: Decimal
    labour: Decimal
    parts: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal
    unpriced: tuple[str, ...]  # codes the price list does not (yet) have


def _symptom(raw: dict) -> Symptom:
    return Symptom(
        code=raw["code"],
        name={"zh_CN": raw["name_zh"], "en": raw["name_en"]},
        match=tuple(tuple(group) for group in raw["match"]),
        causes={"zh_CN": tuple(raw["causes_zh"]), "en": tuple(raw["causes_en"])},
        advice={"zh_CN": raw["advice_zh"], "en": raw["advice_en"]},
        jobs=tuple(raw.get("jobs") or ()),
        parts={part_no: Decimal(str(qty)) for part_no, qty in (raw.get("parts") or {}).items()},
    )


@cache
def symptoms(path: Path = SYMPTOMS_FILE) -> tuple[Symptom, ...]:
    with path.open(encoding="utf-8") as fh:
        return tuple(_symptom(raw) for raw in yaml.safe_load(fh)["symptoms"])


def suggest(words: str, base: tuple[Symptom, ...] | None = None) -> list[Symptom]:
    """The known symptoms the customer's words describe, in the knowledge base's order."""
    return [s for s in (symptoms() if base is None else base) if s.matches(words or "")]


def estimate(symptom: Symptom, book: PriceBook) -> Estimate:
    """Standard hours x labour rate plus parts at their published prices; VAT at the book's rate."""
    hours = Decimal(0)
    parts = Decimal(0)
    unpriced = []
    for code in symptom.jobs:
        if code in book.labour:
            hours += book.labour[code][1]
        else:
            unpriced.append(code)
    for part_no, qty in symptom.parts.items():
        if part_no in book.parts:
            parts += book.parts[part_no][1] * qty
        else:
            unpriced.append(part_no)
    labour = _fen(hours * book.labour_rate)
    parts = _fen(parts)
    net = labour + parts
    vat = _fen(net * book.vat_rate)
    return Estimate(book.version, hours, labour, parts, net, vat, net + vat, tuple(unpriced))
