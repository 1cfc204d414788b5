#!/usr/bin/env python3
"""Score sentence segmenters on hand-checked gold splits (bench/split_gold/,
12 languages) and time them on real book text from the corpus when present.

    python bench/split_segmenters.py          # table: boundary F1 per language, speed

F1 counts sentence boundaries (exact position, whitespace ignored). "raw" is
the segmenter alone; "e2a" is e2a_split.segment.sentences() with it (the
corrections for closing quotes, lower-case starts, titles, CJK).
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from e2a_split.segment import raw_segments, sentences  # noqa: E402

GOLD = ROOT / "bench" / "split_gold"
LANGS = ["en", "fr", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja"]


def bounds(sents):
    b, n = set(), 0
    for s in sents:
        n += len(re.sub(r"\s", "", s))
        b.add(n)
    b.discard(n)
    return b


def f1(seg, lang):
    tp = fp = fn = 0
    for line in (GOLD / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        g, p = bounds(item["sentences"]), bounds([s for s in seg(item["text"], lang) if s.strip()])
        tp, fp, fn = tp + len(g & p), fp + len(p - g), fn + len(g - p)
    pr = tp / (tp + fp) if tp + fp else 1
    rc = tp / (tp + fn) if tp + fn else 1
    return 2 * pr * rc / (pr + rc) if pr + rc else 0


def corpus_text():
    import os
    base = Path(os.environ.get("E2A_CORPUS") or ROOT.parent / "shared" / "corpus")
    if not base.is_dir():
        base = Path("/work/shared/corpus")
    paras = []
    for path in sorted(base.glob("*.txt"))[:4]:
        raw = path.read_text(encoding="utf-8-sig", errors="replace")
        for p in re.split(r"\n\s*\n", raw)[:400]:
            p = " ".join(p.split())
            if len(p) > 1:
                paras.append((path.name[:2], p))
    return paras


def main():
    paras = corpus_text()
    print(f"{'segmenter':16}" + "".join(f"{l:>6}" for l in LANGS) + f"{'mean':>7}{'kchar/s':>9}")
    for which in ("pysbd", "sentencex"):
        for mode in ("raw", "e2a"):
            if mode == "raw":
                seg = lambda t, l, w=which: raw_segments(t, l, w)  # noqa: E731
            else:
                seg = lambda t, l, w=which: sentences(t, l, which=w)  # noqa: E731
            scores = [f1(seg, l) for l in LANGS]
            speed = ""
            if paras:
                t0 = time.perf_counter()
                n = 0
                for lang, p in paras:
                    seg(p, lang)
                    n += len(p)
                speed = f"{n / (time.perf_counter() - t0) / 1000:9.0f}"
            print(f"{which + ' ' + mode:16}" + "".join(f"{s:6.2f}" for s in scores)
                  + f"{sum(scores) / len(scores):7.3f}{speed}")


if __name__ == "__main__":
    main()
