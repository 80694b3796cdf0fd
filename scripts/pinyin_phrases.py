"""Writes kit/pinyin_phrases.json from the installed pypinyin: the phrases whose toneless reading differs from
their characters' first readings, and every phrase that contains one (see kit/pinyin.py).

    .venv/bin/python scripts/pinyin_phrases.py            # after upgrading pypinyin
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "kit" / "pinyin_phrases.json"


def phrases() -> dict[str, list[list[str]]]:
    from pypinyin import Style
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
    from pypinyin.style import convert

    def toneless(reading: str) -> str:
        return convert(reading, Style.NORMAL, strict=True)

    def alone(char: str) -> str:
        first = PINYIN_DICT.get(ord(char), "").split(",")[0]
        return toneless(first) if first else ""

    kept = {
        phrase: [[r[0]] for r in readings]
        for phrase, readings in PHRASES_DICT.items()
        if [toneless(r[0]) for r in readings] != [alone(c) for c in phrase]
    }
    special = set(kept)
    for phrase, readings in PHRASES_DICT.items():  # a word holding one of them, so words are cut as before
        if phrase not in kept and any(
            phrase[i:j] in special for i in range(len(phrase)) for j in range(i + 2, len(phrase) + 1)
        ):
            kept[phrase] = [[r[0]] for r in readings]
    return dict(sorted(kept.items()))


def render() -> str:
    return json.dumps(phrases(), ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


if __name__ == "__main__":
    if "PYPINYIN_NO_PHRASES" in __import__("os").environ:
        sys.exit("unset PYPINYIN_NO_PHRASES: this reads pypinyin's full phrase dictionary")
    OUT.write_text(render(), encoding="utf-8")
    print(f"{OUT}: {len(json.loads(OUT.read_text(encoding='utf-8')))} phrases")
