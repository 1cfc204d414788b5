"""Synthetic spoken books for tests and benchmarks (no TTS engine needed).

``espeak_book`` speaks real sentences with espeak-ng; ``tone_book`` makes a
book of any length cheaply: a few distinct tone FLACs, referenced by many
``spoken`` records (the same file may back many sentences).
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import numpy as np
import soundfile as sf

from e2a_common.workdir import audio_relpath, ensure


def _write_flac(path: Path, data: np.ndarray, rate: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), data, rate, format="FLAC", subtype="PCM_16")


def tone(seconds: float, rate: int, freq: float = 440.0, lead: float = 0.0,
         tail: float = 0.0, amp: float = 0.3) -> np.ndarray:
    """A tone with ``lead``/``tail`` seconds of exact digital silence around it."""
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    body = (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.concatenate([np.zeros(int(round(lead * rate)), np.float32), body,
                           np.zeros(int(round(tail * rate)), np.float32)])


def book_records(title: str = "Synthetic Book", authors=("A. Writer",), language: str = "en",
                 cover: str | None = None, **extra) -> dict:
    return {"kind": "book", "title": title, "authors": list(authors), "language": language,
            "cover": cover, "identifiers": extra.pop("identifiers", {}),
            "source": "synthetic", "book_hash": "0" * 16, **extra}


def tone_book(workdir: Path, *, chapters: int, sentences_per_chapter: int,
              sentence_s: float = 3.0, rate: int = 22050, variants: int = 4,
              lead: float = 0.0, tail: float = 0.0, voice: str = "tone") -> Iterator[dict]:
    """Yield the records of a book of ``chapters`` x ``sentences_per_chapter``
    tones. Only ``variants`` FLACs are written; records reuse them."""
    workdir = ensure(workdir)
    rels = []
    for v in range(variants):
        rel = audio_relpath(f"{v:02d}tone{rate}{sentence_s}{lead}{tail}".replace(".", "_"))
        path = workdir / rel
        if not path.exists():
            _write_flac(path, tone(sentence_s, rate, 220.0 * (v + 1), lead, tail), rate)
        rels.append(rel)
    yield book_records()
    for c in range(chapters):
        yield {"kind": "chapter", "index": c, "title": f"Chapter {c + 1}", "role": "body"}
    yield {"kind": "audio", "workdir": str(workdir), "engine": "synthetic", "voice": voice,
           "sample_rate": rate}
    for c in range(chapters):
        for s in range(sentences_per_chapter):
            last = s == sentences_per_chapter - 1
            pause = "chapter" if last else ("paragraph" if s % 5 == 4 else "sentence")
            yield {"kind": "spoken", "id": f"c{c:04d}-s{s:05d}", "chapter": c, "position": s,
                   "text": f"Sentence {s}.", "original": f"Sentence {s}.", "pause": pause,
                   "language": "en", "audio": rels[(c + s) % variants],
                   "duration": sentence_s + lead + tail, "sample_rate": rate}


def espeak_flac(workdir: Path, text: str, *, voice: str = "en", key: str | None = None) -> str:
    """Speak ``text`` with espeak-ng into a FLAC in the workdir; return its relpath."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed")
    from e2a_common.hashing import cache_key
    key = key or cache_key(engine="espeak-ng", voice=voice, text=text)
    rel = audio_relpath(key)
    path = Path(workdir) / rel
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        wav = path.with_suffix(".wav")
        subprocess.run([exe, "-v", voice, "-w", str(wav), text], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        data, rate = sf.read(str(wav), dtype="int16")
        _write_flac(path, data, rate)
        wav.unlink()
    return rel


LONG_LENGTHS = (59.9003, 47.3331, 31.1119)   # sentence lengths (s), not whole samples or ms


def long_book(workdir: Path, *, hours: float, rate: int = 22050, chapters: int = 40,
              lengths=LONG_LENGTHS) -> Iterator[dict]:
    """A book of ``hours`` hours for memory and drift checks, cheap to make:
    three sentence FLACs, each a 50 ms tone burst, digital silence, and another
    burst, referenced over and over. Chapter starts can be found in the output
    as the first non-zero sample after the chapter pause."""
    workdir = ensure(workdir)
    rels = []
    burst = int(0.05 * rate)
    for i, secs in enumerate(lengths):
        rel = audio_relpath(f"long{i}-{rate}-{secs}".replace(".", "_"))
        path = workdir / rel
        if not path.exists():
            x = np.zeros(int(secs * rate), np.float32)
            x[:burst] = tone(burst / rate, rate, 440.0 + 110 * i)
            x[-burst:] = tone(burst / rate, rate, 660.0)
            _write_flac(path, x, rate)
        rels.append((rel, sf.info(str(path)).frames))
    mean = sum(lengths) / len(lengths) + 0.35
    per = max(1, int(round(hours * 3600 / mean / chapters)))
    yield book_records(title=f"Long Book ({hours:g} h)")
    for c in range(chapters):
        yield {"kind": "chapter", "index": c, "title": f"Chapter {c + 1}", "role": "body"}
    yield {"kind": "audio", "workdir": str(workdir), "engine": "synthetic", "voice": "bursts",
           "sample_rate": rate}
    n = 0
    for c in range(chapters):
        for s in range(per):
            rel, frames = rels[n % len(rels)]
            n += 1
            yield {"kind": "spoken", "id": f"c{c:04d}-s{s:05d}", "chapter": c, "position": s,
                   "text": f"Sentence {n}.", "original": f"Sentence {n}.",
                   "pause": "chapter" if s == per - 1 else "sentence", "language": "en",
                   "audio": rel, "duration": round(frames / rate, 2), "sample_rate": rate}


SPEECH = (
    "A Wolf, meeting with a Lamb astray from the fold, resolved not to lay violent hands on him.",
    "The Lamb in a most mournful tone of voice said, Sir, I was not then born.",
    "A Fox one day fell into a deep well and could find no means of escape.",
    "A Goat, overcome with thirst, came to the same well.",
    "The Hare laughed at the Tortoise and said that he would easily win.",
    "Slow but steady wins the race.",
    "Un corbeau, perché sur un arbre, tenait en son bec un fromage.",
    "Le renard, par l'odeur alléché, lui tint à peu près ce langage.",
    "A Crow, half dead with thirst, came upon a Pitcher which had once been full of water.",
    "Little by little, the water rose, and at last he quenched his thirst.",
)


def speech_book(workdir: Path, *, hours: float, chapters: int = 40) -> Iterator[dict]:
    """A book of ``hours`` hours of real speech (espeak-ng, 22,050 Hz): ten
    spoken sentences referenced over and over, for realistic encoder speed."""
    workdir = ensure(workdir)
    rels = []
    for text in SPEECH:
        rel = espeak_flac(workdir, text, voice="fr" if "renard" in text or "corbeau" in text
                          else "en")
        rels.append((rel, sf.info(str(workdir / rel)).frames, text))
    rate = sf.info(str(workdir / rels[0][0])).samplerate
    mean = sum(f for _, f, _ in rels) / len(rels) / rate + 0.45
    per = max(1, int(round(hours * 3600 / mean / chapters)))
    yield book_records(title=f"Speech Book ({hours:g} h)")
    for c in range(chapters):
        yield {"kind": "chapter", "index": c, "title": f"Chapter {c + 1}", "role": "body"}
    yield {"kind": "audio", "workdir": str(workdir), "engine": "espeak-ng", "voice": "en",
           "sample_rate": rate}
    n = 0
    for c in range(chapters):
        for s in range(per):
            rel, frames, text = rels[n % len(rels)]
            n += 1
            pause = "chapter" if s == per - 1 else ("paragraph" if n % 4 == 0 else "sentence")
            yield {"kind": "spoken", "id": f"c{c:04d}-s{s:05d}", "chapter": c, "position": s,
                   "text": text, "original": text, "pause": pause, "language": "en",
                   "audio": rel, "duration": round(frames / rate, 2), "sample_rate": rate}


def _main(argv=None) -> None:
    """python -m e2a_bind.synth OUT --hours H [--rate R] [--workdir W] [--format F]:
    bind a long synthetic book in this process; print one JSON line with the
    wall time, audio hours and peak memory (this process, and ffmpeg)."""
    import argparse
    import json
    import resource
    import time

    from e2a_bind import bind

    ap = argparse.ArgumentParser(prog="python -m e2a_bind.synth")
    ap.add_argument("out")
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--rate", type=int, default=22050)
    ap.add_argument("--chapters", type=int, default=40)
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--format", default=None)
    ap.add_argument("--no-verify", action="store_true")
    ap.add_argument("--speech", action="store_true", help="real speech (espeak-ng) instead "
                    "of tone bursts and silence")
    a = ap.parse_args(argv)
    out = Path(a.out)
    workdir = Path(a.workdir) if a.workdir else out.parent / "work"
    t0 = time.monotonic()
    records = (speech_book(workdir, hours=a.hours, chapters=a.chapters) if a.speech else
               long_book(workdir, hours=a.hours, rate=a.rate, chapters=a.chapters))
    r = bind(records, out, fmt=a.format, verify=not a.no_verify)
    wall = time.monotonic() - t0
    print(json.dumps({
        "format": r.format, "audio_hours": r.duration_ms / 3.6e6, "wall_s": round(wall, 2),
        "sentences": r.sentences, "chapters": [[c.start_ms, c.end_ms] for c in r.chapters],
        "rate": None if a.speech else a.rate, "bytes": out.stat().st_size,
        "peak_rss_mb": _peak_rss_mb(),
        "peak_ffmpeg_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))


def _peak_rss_mb() -> float:
    """This process's own peak RSS. getrusage's ru_maxrss survives exec, so a
    process started from a big parent (pytest after many tests) would report the
    parent's size; VmHWM belongs to the process's own address space."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    _main()
