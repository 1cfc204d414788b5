"""bind(): records in, one audiobook file out.

1. Stream every ``spoken`` sentence into one mono FLAC of the whole book in
   ``WORKDIR/bind/`` (pauses inserted, samples counted, so chapter marks are exact).
2. Hand a :class:`BindJob` to the output format plugin, which encodes it with
   ffmpeg to a temporary name beside the output.
3. Verify the result (duration within 50 ms, decodes cleanly) and rename it.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from e2a_common import BindJob, ChapterMark, E2AError, FormatError, InputError, RecordError
from e2a_common import ffmpeg
from e2a_common.console import Progress, log, warn
from e2a_common.plugins import formats, get_format
from e2a_common.workdir import BIND_DIR, atomic_path

from .assemble import Assembler, parse_pauses

DURATION_TOLERANCE_MS = 50


@dataclass
class BindResult:
    outputs: list[Path]              # every file written (audio first)
    format: str
    duration_ms: int
    chapters: list[ChapterMark]
    sentences: int
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def output(self) -> Path:
        return self.outputs[0]


def format_for(output: Path, fmt: str | None):
    """The format plugin named ``fmt``, else the one whose extension ``output`` has."""
    if fmt:
        return get_format(fmt)
    ext = output.suffix.lower().lstrip(".")
    table = formats()
    for plugin in table.values():
        if ext and ext == getattr(plugin, "extension", "").lower():
            return plugin
    if ext in table:
        return table[ext]
    known = ", ".join(sorted(table)) or "none installed"
    raise FormatError(f"cannot tell the output format from the name "
                      f"{'(no extension)' if not ext else repr('.' + ext)}; "
                      f"use --format (available: {known})", path=str(output))


def book_metadata(book: dict | None, audio: dict | None) -> dict[str, Any]:
    book = book or {}
    ids = book.get("identifiers") or {}
    isbn = next((v for k, v in ids.items() if str(k).lower() in ("isbn", "isbn13", "isbn10")),
                None)
    date = str(book.get("date") or "")
    year = date[:4] if date[:4].isdigit() else None
    authors = [a for a in (book.get("authors") or []) if a]
    title = book.get("title") or "Untitled"
    return {
        "title": title,
        "album": title,
        "authors": authors,
        "artist": ", ".join(authors) or None,
        "narrator": (audio or {}).get("voice"),
        "year": year,
        "genre": "Audiobook",
        "description": book.get("description"),
        "language": book.get("language"),
        "isbn": isbn,
        "publisher": book.get("publisher"),
    }


def bind(records: Iterable[dict], output: str | Path, *, workdir: str | Path | None = None,
         fmt: str | None = None, pauses: dict[str, float] | None = None,
         trim_db: float | None = -50.0, bitrate: str | None = None,
         keep_intermediate: bool = False, verify: bool = True,
         options: dict[str, Any] | None = None) -> BindResult:
    """Consume the record stream and write the audiobook to ``output``.

    ``workdir`` overrides the one named by the ``audio`` record. ``pauses`` maps
    pause hints (none/sentence/paragraph/heading/chapter) to seconds.
    ``trim_db`` trims each sentence's leading and trailing audio quieter than
    this (None: no trimming)."""
    output = Path(output)
    plugin = format_for(output, fmt)
    pauses = parse_pauses(pauses)
    given_workdir = Path(workdir) if workdir is not None else None

    book: dict | None = None
    audio: dict | None = None
    titles: dict[int, str] = {}
    asm: Assembler | None = None
    base: Path | None = given_workdir
    bind_dir: Path | None = None
    intermediate: Path | None = None
    progress = Progress(None, "bound")
    try:
        for rec in records:
            kind = rec.get("kind")
            if kind == "book":
                book = rec
            elif kind == "chapter":
                if isinstance(rec.get("index"), int):
                    titles[rec["index"]] = str(rec.get("title") or "").strip()
            elif kind == "audio":
                audio = rec
                if given_workdir is None and rec.get("workdir"):
                    base = Path(rec["workdir"])
            elif kind == "spoken":
                rel = rec.get("audio")
                if not isinstance(rel, str) or not rel:
                    raise RecordError("spoken record has no \"audio\" path",
                                      line=rec.get("_line"))
                path = Path(rel)
                if not path.is_absolute():
                    if base is None:
                        raise InputError("no workdir: the input has no audio record before "
                                         "the first spoken record and no --workdir was given")
                    path = base / path
                if asm is None:
                    rate = _sample_rate(audio, rec, path)
                    bind_dir = (base or output.parent) / BIND_DIR
                    bind_dir.mkdir(parents=True, exist_ok=True)
                    fd, name = tempfile.mkstemp(prefix=".book.", suffix=".part.flac",
                                                dir=bind_dir)
                    os.close(fd)
                    intermediate = Path(name)
                    asm = Assembler(intermediate, rate, pauses, trim_db=trim_db)
                before = asm.samples
                asm.add(path, rec)
                progress.update(audio_s=(asm.samples - before) / asm.sample_rate)
        if asm is None:
            raise InputError("no spoken records in the input: nothing to bind "
                             "(run e2a-speak first)")
        chapters = asm.finish(titles)
        duration_ms = asm.to_ms(asm.samples)
        if asm.samples == 0:
            raise InputError("the spoken sentences contain no audio: nothing to bind")
        metadata = book_metadata(book, audio)
        cover = _cover(book)
        opts = dict(options or {})
        if bitrate:
            opts["bitrate"] = bitrate
        with atomic_path(output) as tmp:
            job = BindJob(audio=intermediate, sample_rate=asm.sample_rate,
                          duration_ms=duration_ms, chapters=chapters, metadata=metadata,
                          cover=cover, output=tmp, options=opts)
            try:
                plugin.write(job)
                if verify:
                    verify_output(tmp, duration_ms, shown=output)
            except E2AError as exc:
                if exc.path == str(tmp):   # name the file the user asked for
                    exc.path = str(output)
                raise
        log(f"wrote {output} ({plugin.name}, {len(chapters)} chapters, "
            f"{duration_ms / 3_600_000:.2f} h)")
        return BindResult(outputs=[output], format=plugin.name, duration_ms=duration_ms,
                          chapters=chapters, sentences=asm.sentences, metadata=metadata)
    finally:
        progress.close()
        if asm is not None:
            asm.close()
        if intermediate is not None and not keep_intermediate:
            with contextlib.suppress(FileNotFoundError):
                intermediate.unlink()


def _sample_rate(audio: dict | None, rec: dict, path: Path) -> int:
    for src in (audio or {}, rec):
        rate = src.get("sample_rate")
        if isinstance(rate, int) and 1000 <= rate <= 384000:
            return rate
    import soundfile as sf
    try:
        return sf.info(str(path)).samplerate
    except Exception:
        raise InputError("cannot read audio", path=path) from None


def _cover(book: dict | None) -> Path | None:
    cover = (book or {}).get("cover")
    if not cover:
        return None
    path = Path(cover)
    if not path.is_file():
        warn(f"{cover}: cover image not found; writing no cover")
        return None
    if ffmpeg.cover_codec(path, decode=True) is None:
        warn(f"{cover}: cover is not a readable image; writing no cover")
        return None
    return path


def verify_output(path: Path, expected_ms: int, *, shown: Path | None = None) -> None:
    """Duration within 50 ms of ``expected_ms`` and a clean full decode."""
    shown = shown or path
    info = ffmpeg.probe(path)
    try:
        got_ms = float(info["format"]["duration"]) * 1000.0
    except (KeyError, TypeError, ValueError):
        raise FormatError("verification failed: the output has no duration",
                          path=str(shown)) from None
    if abs(got_ms - expected_ms) > DURATION_TOLERANCE_MS:
        raise FormatError(f"verification failed: duration {got_ms / 1000:.3f} s, expected "
                          f"{expected_ms / 1000:.3f} s", path=str(shown))
    err = ffmpeg.decode_errors(path)
    if err:
        raise FormatError(f"verification failed: decoding reports "
                          f"{err.splitlines()[0]}", path=str(shown))
