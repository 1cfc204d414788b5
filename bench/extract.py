"""Extraction throughput per format, on the corpus (../shared/corpus or
$E2A_CORPUS), and Moby-Dick through extract (+ split when e2a_split exists).

    python bench/extract.py [--repeat N]

Prints a table: file, format, size, records, words, seconds, MB/s, words/s.
Timings are measurements, never test assertions."""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from e2a_common import E2AError, ExtractOptions  # noqa: E402
from e2a_extract import choose_extractor, extract  # noqa: E402


def run(path: Path, repeat: int, assets: Path) -> tuple[str, int, int, float]:
    best = None
    recs = words = 0
    fmt = choose_extractor(path).name
    for _ in range(repeat):
        t = time.perf_counter()
        recs = words = 0
        for r in extract(path, ExtractOptions(assets_dir=assets)):
            recs += 1
            if r["kind"] == "block":
                words += len(r["text"].split())
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return fmt, recs, words, best or 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--corpus", default=os.environ.get("E2A_CORPUS") or str(ROOT.parent / "shared" / "corpus"))
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        sys.exit(f"no corpus at {corpus} (set E2A_CORPUS)")
    assets = Path(os.environ.get("TMPDIR", "/tmp")) / "e2a-bench-assets"
    print(f"{'file':<58} {'fmt':<8} {'KB':>7} {'records':>8} {'words':>8} {'s':>7} {'MB/s':>6} {'kwords/s':>9}")
    per_fmt: dict[str, list[float]] = {}
    for p in sorted(corpus.iterdir()):
        if p.suffix in (".md", ".tsv") or not p.is_file():
            continue
        try:
            fmt, recs, words, dt = run(p, args.repeat, assets / p.stem)
        except E2AError as exc:
            print(f"{p.name[:58]:<58} {'-':<8} {p.stat().st_size // 1024:>7}  refused: {str(exc)[len(str(p)) + 2:][:60]}")
            continue
        mb = p.stat().st_size / 1e6
        per_fmt.setdefault(fmt, [0, 0, 0])
        per_fmt[fmt][0] += mb
        per_fmt[fmt][1] += words
        per_fmt[fmt][2] += dt
        print(f"{p.name[:58]:<58} {fmt:<8} {p.stat().st_size // 1024:>7} {recs:>8} {words:>8} {dt:>7.2f} "
              f"{mb / dt if dt else 0:>6.2f} {words / dt / 1000 if dt else 0:>9.1f}")
    print("\nper format:")
    for fmt, (mb, words, dt) in sorted(per_fmt.items()):
        print(f"  {fmt:<8} {mb:7.2f} MB  {words:>8} words  {dt:6.2f} s  {mb / dt:6.2f} MB/s  "
              f"{words / dt / 1000:7.1f} kwords/s")
    moby = corpus / "en_se_melville_moby-dick.epub"
    if moby.exists():
        try:
            from e2a_split import split  # type: ignore
        except ImportError:
            split = None
        for label, use_split in (("extract", False), ("extract + split", True)):
            if use_split and split is None:
                print("Moby-Dick extract + split: e2a_split.split not available")
                continue
            best = None
            for _ in range(max(1, args.repeat)):
                t, c = time.perf_counter(), time.process_time()
                stream = extract(moby, ExtractOptions(assets_dir=assets / "moby"))
                n = sum(1 for _ in (split(stream) if use_split else stream))
                run_ = (time.perf_counter() - t, time.process_time() - c)
                best = run_ if best is None or run_[0] < best[0] else best
            print(f"\nMoby-Dick {label}: {n} records in {best[0]:.2f} s wall, {best[1]:.2f} s CPU "
                  "(target: extract + split < 5 s)")
        print(f"(load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; wall time "
              "on a shared machine includes waiting for the CPU)")


if __name__ == "__main__":
    main()
