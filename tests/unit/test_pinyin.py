"""kit.pinyin answers as pypinyin with its full phrase dictionary does, for a fraction of the memory."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kit import pinyin

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "机油滤清器", "空调滤芯", "空调压缩机", "调节器", "调整垫片", "长效防冻液", "行车记录仪", "差速器",
    "传动轴", "转向机", "刹车片", "节气门", "重庆银行长沙分行", "一朝天子一朝臣", "银行", "大灯总成", "张三",
    "曾小明", "单田芳", "John 李", "长城 H6",
]  # fmt: skip


def _with_the_full_dictionary(script: str) -> str:
    """Runs `script` in a process of its own, where pypinyin loads all of its phrases."""
    env = {k: v for k, v in __import__("os").environ.items() if k != "PYPINYIN_NO_PHRASES"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    return done.stdout


def test_initials_and_syllables_are_those_of_the_full_phrase_dictionary():
    full = json.loads(
        _with_the_full_dictionary(
            "import json, sys\n"
            "from pypinyin import Style, lazy_pinyin\n"
            f"names = {NAMES!r}\n"
            "print(json.dumps([[''.join(s[0] for s in lazy_pinyin(n, style=Style.NORMAL, errors='ignore') if s),"
            " lazy_pinyin(n), lazy_pinyin(n, style=Style.FIRST_LETTER)] for n in names]))"
        )
    )
    assert [[pinyin.initials(n), pinyin.syllables(n), pinyin.first_letters(n)] for n in NAMES] == full
    assert pinyin.initials("空调滤芯") == "ktlx"  # a phrase's reading, not its characters' first ones (kdlx)


def test_the_phrase_file_is_the_one_the_installed_pypinyin_gives():
    """After a pypinyin upgrade: .venv/bin/python scripts/pinyin_phrases.py."""
    written = _with_the_full_dictionary("from scripts.pinyin_phrases import render; print(render(), end='')")
    assert written == pinyin.PHRASES.read_text(encoding="utf-8")


def test_pypinyin_s_own_phrase_dictionary_is_never_loaded():
    loaded = _with_the_full_dictionary(
        "import sys\nfrom kit import pinyin\npinyin.initials('空调滤芯'); pinyin.syllables('重庆')\n"
        "print('pypinyin.phrases_dict' in sys.modules)"
    )
    assert loaded.strip() == "False"
