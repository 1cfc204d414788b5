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
