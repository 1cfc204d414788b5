"""Join sentence FLACs into one mono FLAC of the whole book, counting samples.

Everything is streamed: one sentence is in memory at a time (sentences longer
than ``WHOLE_LIMIT_S`` are copied in blocks), silence is written in blocks, and
sentence timings go to a small cue file on disk instead of a list in memory.
Chapter marks are computed from exact sample counts, so they cannot drift.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
import soundfile as sf

from e2a_common import ChapterMark, InputError, RecordError

BLOCK = 1 << 16                # frames per read/write block
WHOLE_LIMIT_S = 300.0          # sentences up to this long are read whole
TRIM_GUARD_S = 0.005           # keep this much around the voiced part when trimming

DEFAULT_PAUSES = {
    "none": 0.0,
    "sentence": 0.35,
    "paragraph": 0.75,
    "heading": 1.0,
    "chapter": 2.0,
}


@dataclass
class Cue:
    """One sentence's place in the book (for subtitles)."""
    chapter: int
    start: int      # samples
    end: int
    text: str


def parse_pauses(spec: dict | None) -> dict[str, float]:
    """Merge user pauses (seconds) over the defaults; reject unknown hints."""
    pauses = dict(DEFAULT_PAUSES)
    for key, value in (spec or {}).items():
        if key not in DEFAULT_PAUSES:
            raise InputError(f"unknown pause {key!r} (known: {', '.join(DEFAULT_PAUSES)})")
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            raise InputError(f"pause {key}={value!r} is not a number of seconds") from None
        if not (0.0 <= seconds <= 60.0) or math.isnan(seconds):
            raise InputError(f"pause {key}={value!r} must be between 0 and 60 seconds")
        pauses[key] = seconds
    return pauses


@dataclass
class Assembler:
    """Write sentences and pauses into ``path`` (mono PCM_16 FLAC).

    Call :meth:`add` for each spoken sentence in stream order, then
    :meth:`finish`, which returns the chapter marks."""

    path: Path
    sample_rate: int
    pauses: dict[str, float]
    cue_file: IO[str] | None = None
    trim_db: float | None = -50.0
    samples: int = 0
    sentences: int = 0
    _writer: sf.SoundFile | None = None
    _pending_pause: str | None = None
    _chapter: int | None = None
    _chapter_start: int = 0
    _position: int | None = None
    _seen_chapters: set = field(default_factory=set)
    _marks: list = field(default_factory=list)  # (index, start, end) in samples

    def __post_init__(self) -> None:
        self._writer = sf.SoundFile(str(self.path), "w", samplerate=self.sample_rate,
                                    channels=1, format="FLAC", subtype="PCM_16")
        self._silence = np.zeros(min(BLOCK, self.sample_rate), dtype=np.int16)
        self._threshold = (None if self.trim_db is None
                           else max(1, int(32767 * 10 ** (self.trim_db / 20.0))))

    # ------------------------------------------------------------ writing
    def _write(self, data: np.ndarray) -> None:
        if len(data):
            self._writer.write(data)
            self.samples += len(data)

    def _write_silence(self, seconds: float) -> None:
        n = int(round(seconds * self.sample_rate))
        while n > 0:
            k = min(n, len(self._silence))
            self._write(self._silence[:k])
            n -= k

    def _flush_pause(self, minimum: str | None = None) -> None:
        hint = self._pending_pause
        seconds = self.pauses.get(hint, self.pauses["sentence"]) if hint else 0.0
        if minimum is not None:
            seconds = max(seconds, self.pauses[minimum])
        self._write_silence(seconds)
        self._pending_pause = None

    # ---------------------------------------------------------- sentences
    def add(self, path: Path, record: dict) -> None:
        chapter = record.get("chapter")
        if not isinstance(chapter, int):
            raise RecordError("spoken record has no integer \"chapter\" field",
                              line=record.get("_line"))
        position = record.get("position")
        if chapter != self._chapter:
            if chapter in self._seen_chapters:
                raise RecordError(f"spoken records of chapter {chapter} resume after chapter "
                                  f"{self._chapter}: records are out of order",
                                  line=record.get("_line"))
            if self._chapter is not None:
                self._flush_pause(minimum="chapter")
                self._marks.append((self._chapter, self._chapter_start, self.samples))
            self._seen_chapters.add(chapter)
            self._chapter = chapter
            self._chapter_start = self.samples
            self._position = None
        else:
            self._flush_pause()
        if isinstance(position, int):
            if self._position is not None and position <= self._position:
                raise RecordError(f"spoken record at position {position} of chapter {chapter} "
                                  f"comes after position {self._position}: records are out "
                                  "of order or repeated", line=record.get("_line"))
            self._position = position

        start = self.samples
        self._copy_sentence(path, record)
        end = self.samples
        self.sentences += 1
        if self.cue_file is not None:
            text = record.get("original") or record.get("text") or ""
            self.cue_file.write(json.dumps([chapter, start, end, text], ensure_ascii=False) + "\n")
        pause = record.get("pause", "sentence")
        self._pending_pause = pause if pause in self.pauses else "sentence"

    def _copy_sentence(self, path: Path, record: dict) -> None:
        where = f" (spoken record {record.get('id', '?')}" + (
            f", line {record['_line']})" if record.get("_line") else ")")
        if not path.is_file():
            raise InputError(f"audio file is missing{where}", path=path)
        try:
            src = sf.SoundFile(str(path))
        except (sf.LibsndfileError, RuntimeError, OSError) as exc:
            raise InputError(f"cannot read audio{where}: {_sf_reason(exc)}", path=path) from None
        with src:
            frames = src.frames
            if src.samplerate != self.sample_rate:
                if frames > WHOLE_LIMIT_S * src.samplerate:
                    raise InputError(f"sample rate {src.samplerate} Hz differs from the book's "
                                     f"{self.sample_rate} Hz and the file is too long to "
                                     f"resample{where}", path=path)
                data = self._read(src, path, where)
                data = _resample(data, src.samplerate, self.sample_rate)
                self._write(self._trim(data))
            elif frames <= WHOLE_LIMIT_S * src.samplerate:
                self._write(self._trim(self._read(src, path, where)))
            else:
                self._copy_blocks(src, path, where)

    def _read(self, src: sf.SoundFile, path: Path, where: str, frames: int = -1) -> np.ndarray:
        try:
            data = src.read(frames, dtype="int16", always_2d=True)
        except (sf.LibsndfileError, RuntimeError) as exc:
            raise InputError(f"cannot decode audio{where}: {_sf_reason(exc)}",
                             path=path) from None
        if data.shape[1] == 1:
            return data[:, 0]
        return data.mean(axis=1).astype(np.int16)  # downmix

    def _voiced(self, data: np.ndarray) -> tuple[int, int] | None:
        """First and one-past-last voiced sample, or None when all silent."""
        if self._threshold is None:
            return (0, len(data))
        loud = np.flatnonzero(np.abs(data.astype(np.int32)) >= self._threshold)
        if not len(loud):
            return None
        return int(loud[0]), int(loud[-1]) + 1

    def _trim(self, data: np.ndarray) -> np.ndarray:
        if self._threshold is None:
            return data
        span = self._voiced(data)
        if span is None:
            return data[:0]
        guard = int(TRIM_GUARD_S * self.sample_rate)
        return data[max(0, span[0] - guard):min(len(data), span[1] + guard)]

    def _copy_blocks(self, src: sf.SoundFile, path: Path, where: str) -> None:
        """A long file: find the voiced span in a first pass, copy it in a second."""
        first, last = None, None
        offset = 0
        while True:
            block = self._read(src, path, where, BLOCK)
            if not len(block):
                break
            span = self._voiced(block)
            if span is not None:
                if first is None:
                    first = offset + span[0]
                last = offset + span[1]
            offset += len(block)
        if first is None:
            return
        guard = int(TRIM_GUARD_S * self.sample_rate)
        first, last = max(0, first - guard), min(offset, last + guard)
        src.seek(first)
        left = last - first
        while left > 0:
            block = self._read(src, path, where, min(BLOCK, left))
            if not len(block):
                break
            self._write(block)
            left -= len(block)

    # ------------------------------------------------------------ closing
    def finish(self, titles: dict[int, str]) -> list[ChapterMark]:
        """Close the file (the last pause is dropped) and return chapter marks."""
        if self._chapter is not None:
            self._marks.append((self._chapter, self._chapter_start, self.samples))
        self.close()
        marks = []
        for index, start, end in self._marks:
            title = titles.get(index) or f"Chapter {index + 1}"
            marks.append(ChapterMark(index=index, title=title,
                                     start_ms=self.to_ms(start), end_ms=self.to_ms(end)))
        return marks

    @property
    def marks(self) -> list[tuple[int, int, int]]:
        """(chapter index, start sample, end sample) of each chapter, after finish()."""
        return list(self._marks)

    def to_ms(self, samples: int) -> int:
        return samples * 1000 // self.sample_rate if samples >= 0 else 0

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def _sf_reason(exc: Exception) -> str:
    msg = str(exc)
    # libsndfile messages repeat the path; keep the reason only
    if ": " in msg and msg.startswith("Error opening"):
        msg = msg.rsplit(": ", 1)[-1]
    return msg.strip() or type(exc).__name__


def _resample(data: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    from math import gcd

    try:
        from scipy.signal import resample_poly
    except ImportError:  # scipy is optional: plain interpolation
        n = int(round(len(data) * dst_rate / src_rate))
        out = np.interp(np.arange(n) * (src_rate / dst_rate), np.arange(len(data)),
                        data.astype(np.float32))
    else:
        g = gcd(src_rate, dst_rate)
        out = resample_poly(data.astype(np.float32), dst_rate // g, src_rate // g)
    return np.clip(np.round(out), -32768, 32767).astype(np.int16)
