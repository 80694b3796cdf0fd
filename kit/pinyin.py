"""Pinyin of Chinese names (pypinyin) without its 47,000-phrase dictionary in memory.

pypinyin's phrase dictionary (the readings of words whose characters read otherwise alone: 空调 kongtiao, not
kongdiao) costs a process about 45 MB once loaded. Only the phrases whose toneless reading differs from their
characters' first readings change an answer, with the phrases that contain one (so words are cut as before):
3,500 of them, in `pinyin_phrases.json`, written from the installed pypinyin by `scripts/pinyin_phrases.py`.
pypinyin is loaded without its own phrases (its documented PYPINYIN_NO_PHRASES) and given these; the answers
are those of the full dictionary (tests/unit/test_pinyin.py), for about 13 MB.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

PHRASES = Path(__file__).with_name("pinyin_phrases.json")


@cache
def _pypinyin():
    """pypinyin's lazy_pinyin and Style, loaded at first use (a start would pay 0.4 s CPU), with our phrases."""
    before = os.environ.get("PYPINYIN_NO_PHRASES")
    os.environ["PYPINYIN_NO_PHRASES"] = "1"  # read at its import only; put back for child processes
    try:
        from pypinyin import Style, lazy_pinyin, load_phrases_dict
    finally:
        if before is None:
            del os.environ["PYPINYIN_NO_PHRASES"]
        else:
            os.environ["PYPINYIN_NO_PHRASES"] = before
    load_phrases_dict(json.loads(PHRASES.read_text(encoding="utf-8")))
    return lazy_pinyin, Style


def syllables(text: str) -> list[str]:
    """Toneless pinyin, one syllable per character (anything else kept as it is): 机油滤清器 -> ji you lv qing qi."""
    lazy_pinyin, _ = _pypinyin()
    return lazy_pinyin(text or "")


def first_letters(text: str) -> list[str]:
    """The first letter of each character's pinyin (anything else kept as it is): 张三 -> z s."""
    lazy_pinyin, style = _pypinyin()
    return lazy_pinyin(text or "", style=style.FIRST_LETTER)


def initials(text: str) -> str:
    """The first letter of each Chinese character's pinyin, other characters left out: 机油滤清器 -> jylqq."""
    lazy_pinyin, style = _pypinyin()  # nothing of pypinyin imported before: it reads the setting at its import
    return "".join(s[0] for s in lazy_pinyin(text or "", style=style.NORMAL, errors="ignore") if s).lower()
