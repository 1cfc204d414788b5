#!/usr/bin/env python3
"""e2a-split speed: sentences per second per language.

    python bench/split.py [--chars N]

Rows "golden": the golden passage of each language (tests/golden/split),
repeated to about N characters (default 60,000), through the whole stage
(segmentation, normalisation, chunking to 400 characters). Rows "book": real
book text from the corpus (../shared/corpus or $E2A_CORPUS) when present.
One process, one core; timings vary with machine load.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from e2a_common.plugins import new_plugin_manager  # noqa: E402
from e2a_split import split  # noqa: E402

GOLDEN = ROOT / "tests" / "golden" / "split"
LANGS = ["en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja"]


def golden_blocks(lang: str, chars: int) -> list[str]:
    recs = [json.loads(x) for x in (GOLDEN / f"{lang}.in.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r["text"] for r in recs if r["kind"] == "block"]
    out, n = [], 0
    while n < chars:
        for t in texts:
            out.append(t)
            n += len(t)
    return out


def corpus_books(chars: int) -> list[tuple[str, str, list[str]]]:
    env = os.environ.get("E2A_CORPUS")
    for base in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "corpus",
                                                 Path("/work/shared/corpus")]:
        if base.is_dir():
            break
    else:
        return []
    books = []
    for path in sorted(base.glob("*.txt")):
        raw = path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
        paras, n = [], 0
        for p in re.split(r"\n\s*\n", raw):
            p = " ".join(p.split())
            if p:
                paras.append(p)
                n += len(p)
            if n >= chars:
                break
        books.append((path.name[:2], path.name, paras))
    return books


def run(lang: str, blocks: list[str]) -> tuple[int, float]:
    recs = [{"kind": "book", "language": lang}, {"kind": "chapter", "index": 0, "title": "b"}]
    recs += [{"kind": "block", "chapter": 0, "index": i, "type": "paragraph", "text": t}
             for i, t in enumerate(blocks)]
    pm = new_plugin_manager(load_entrypoints=False)
    t0 = time.perf_counter()
    n = sum(1 for r in split(iter(recs), max_chars=400, pm=pm) if r["kind"] == "sentence")
    return n, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=60_000)
    a = ap.parse_args()
    print(f"{'source':<44} {'lang':<4} {'blocks':>6} {'kchars':>7} {'sentences':>9} "
          f"{'seconds':>8} {'sent/s':>8} {'kchar/s':>8}")
    rows = [("golden passage", lang, golden_blocks(lang, a.chars)) for lang in LANGS]
    rows += [(name, lang, paras) for lang, name, paras in corpus_books(a.chars)]
    for source, lang, blocks in rows:
        chars = sum(map(len, blocks))
        n, dt = run(lang, blocks)
        print(f"{source[:44]:<44} {lang:<4} {len(blocks):>6} {chars / 1000:>7.1f} {n:>9} "
              f"{dt:>8.2f} {n / dt:>8.0f} {chars / dt / 1000:>8.1f}")


if __name__ == "__main__":
    main()
