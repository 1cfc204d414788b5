"""Golden files: one passage per language (numbers, dates, times, currencies,
Roman numerals, abbreviations, a 600+ character sentence) and the sentences
e2a-split makes of it, reviewed line by line as a narrator would read them.

A change in output shows as a diff here. After reviewing a deliberate change,
regenerate with:  E2A_UPDATE_GOLDEN=1 pytest tests/test_split_golden.py
"""
from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from e2a_common.plugins import new_plugin_manager
from e2a_split import split

HERE = Path(__file__).parent / "golden" / "split"
LANGS = ["en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja"]
LIMIT = 400


def _run(lang: str) -> list[str]:
    recs = [json.loads(x) for x in (HERE / f"{lang}.in.jsonl").read_text(encoding="utf-8").splitlines()]
    out = split(iter(recs), max_chars=LIMIT, pm=new_plugin_manager(load_entrypoints=False))
    return [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in out]


@pytest.mark.parametrize("lang", LANGS)
def test_golden(lang):
    got = _run(lang)
    path = HERE / f"{lang}.out.jsonl"
    if os.environ.get("E2A_UPDATE_GOLDEN"):
        path.write_text("\n".join(got) + "\n", encoding="utf-8")
    want = path.read_text(encoding="utf-8").splitlines()
    if got != want:
        diff = "\n".join(difflib.unified_diff(want, got, "expected", "got", lineterm=""))
        pytest.fail(f"{lang}: output differs from {path.name}:\n{diff}")


@pytest.mark.parametrize("lang", LANGS)
def test_golden_passage_shape(lang):
    recs = [json.loads(x) for x in (HERE / f"{lang}.out.jsonl").read_text(encoding="utf-8").splitlines()]
    sents = [r for r in recs if r["kind"] == "sentence"]
    src = [json.loads(x) for x in (HERE / f"{lang}.in.jsonl").read_text(encoding="utf-8").splitlines()]
    long = [b["text"] for b in src if b["kind"] == "block"][-1]
    assert len(long) >= 600
    assert all(0 < len(s["text"]) <= LIMIT for s in sents)
    assert sum(1 for s in sents if s["pause"] == "none") >= 1  # the long sentence was cut
    assert sents[0]["pause"] == "heading" and sents[-1]["pause"] == "chapter"
    assert not any(ch.isdigit() for s in sents for ch in s["text"])  # every number spoken
