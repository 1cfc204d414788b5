"""bind(): records in, audiobook files out.

1. Stream every ``spoken`` sentence into one mono FLAC of the whole book in
   ``WORKDIR/bind/`` (silence trimmed, pauses inserted, samples counted, so
   chapter marks are exact); sentence timings go to a cue file on disk.
2. Optionally normalise its loudness (EBU R128) with one gain for the whole
   book, so every chapter, part and chapter file gets the same level.
3. Plan the outputs: the single file, or parts of at most ``max_part_hours``
   cut at chapter boundaries, and/or one file per chapter.
4. For each, hand a :class:`BindJob` to the format plugin, which encodes with
   ffmpeg to a temporary name; verify (duration within 50 ms, clean decode);
   rename. Subtitles (.srt/.vtt) are written beside each audio file.

Memory stays flat: audio is streamed in blocks and per-sentence data lives on disk.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import soundfile as sf

from e2a_common import (BindJob, ChapterMark, E2AError, FormatError, InputError,
                        RecordError)
from e2a_common import ffmpeg
from e2a_common.console import Progress, log, warn
from e2a_common.plugins import formats, get_format
from e2a_common.workdir import BIND_DIR, atomic_path

from .assemble import BLOCK, Assembler, parse_pauses
from .subtitles import SUBTITLE_FORMATS, write_subtitles

DURATION_TOLERANCE_MS = 50


@dataclass
class BindResult:
    outputs: list[Path]              # every audio file written, the main one first
    format: str
    duration_ms: int                 # the whole book
    chapters: list[ChapterMark]      # the whole book's marks
    sentences: int
    metadata: dict[str, Any] = field(default_factory=dict)
    parts: list[Path] = field(default_factory=list)          # when split by --max-part-hours
    chapter_files: list[Path] = field(default_factory=list)  # --per-chapter
    subtitles: list[Path] = field(default_factory=list)
    loudness: dict[str, float] | None = None                 # measured / applied, if asked

    @property
    def output(self) -> Path:
        return self.outputs[0]


@dataclass
class Mark:
    index: int
    title: str
    start: int      # samples
    end: int


@dataclass
class Target:
    """One audio file to write: samples [start, end) of the book."""
    path: Path
    start: int
    end: int
    marks: list[Mark]
    metadata: dict[str, Any]
    kind: str                       # "book", "part" or "chapter"


# -------------------------------------------------------------- formats
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
    isbn = None
    if isinstance(ids, dict):
        isbn = next((str(v) for k, v in ids.items()
                     if str(k).lower().replace("-", "") in ("isbn", "isbn13", "isbn10")), None)
    date = str(book.get("date") or "")
    year = date[:4] if date[:4].isdigit() else None
    authors = [str(a) for a in (book.get("authors") or []) if a]
    title = str(book.get("title") or "").strip() or "Untitled"
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


# -------------------------------------------------------------- bind
def bind(records: Iterable[dict], output: str | Path, *, workdir: str | Path | None = None,
         fmt: str | None = None, pauses: dict[str, float] | None = None,
         trim_db: float | None = -50.0, bitrate: str | None = None,
         per_chapter: bool = False, single: bool = True,
         max_part_hours: float | None = None, subtitles: Iterable[str] = (),
         loudness: float | None = None, true_peak: float = -1.0,
         keep_intermediate: bool = False, verify: bool = True,
         options: dict[str, Any] | None = None) -> BindResult:
    """Consume the record stream and write the audiobook to ``output``.

    ``workdir`` overrides the one named by the ``audio`` record. ``pauses`` maps
    pause hints (none/sentence/paragraph/heading/chapter) to seconds.
    ``trim_db`` trims each sentence's leading and trailing audio quieter than
    this (None: no trimming). ``per_chapter`` also writes one file per chapter
    into a folder named after ``output`` (``single=False``: only those).
    ``max_part_hours`` splits the single file at chapter boundaries.
    ``subtitles`` is any of "srt", "vtt". ``loudness`` is a target in LUFS
    (EBU R128), applied as one gain to the whole book."""
    output = Path(output)
    plugin = format_for(output, fmt)
    chapter_folder = None
    if not output.suffix:   # "e2a-bind out --format mp3": out.mp3 and/or out/NN - Title.mp3
        chapter_folder = output
        output = output.with_name(f"{output.name}.{plugin.extension or plugin.name}")
    pauses = parse_pauses(pauses)
    subtitles = tuple(dict.fromkeys(s.lower().lstrip(".") for s in subtitles))
    for s in subtitles:
        if s not in SUBTITLE_FORMATS:
            raise InputError(f"unknown subtitle format {s!r} (known: srt, vtt)")
    if not single and not per_chapter:
        raise InputError("nothing to write: no single file and no per-chapter files")
    if max_part_hours is not None and not (max_part_hours > 0):
        raise InputError(f"--max-part-hours must be positive, not {max_part_hours}")
    if loudness is not None and not (-70.0 <= loudness <= -5.0):
        raise InputError(f"loudness target {loudness} LUFS is out of range (-70 to -5)")
    given_workdir = Path(workdir) if workdir is not None else None
    if single:
        check_writable(output)
    if per_chapter:
        check_writable(chapter_folder or output.with_suffix(""), folder=True)

    book: dict | None = None
    audio: dict | None = None
    titles: dict[int, str] = {}
    asm: Assembler | None = None
    base: Path | None = given_workdir
    base_resolved: Path | None = None
    scratch: Path | None = None          # our own temp folder inside the bind dir
    cue_fh = None
    progress = Progress(None, "bound")
    try:
        for rec in records:
            kind = rec.get("kind")
            validate_record(rec)
            if kind == "book":
                book = rec
            elif kind == "chapter":
                titles[rec["index"]] = str(rec.get("title") or "").strip()
            elif kind == "audio":
                audio = rec
                if given_workdir is None and rec.get("workdir"):
                    base = Path(rec["workdir"])
                    base_resolved = None
            elif kind == "spoken":
                if base is None:
                    raise InputError("no workdir: the input has no audio record before "
                                     "the first spoken record and no --workdir was given")
                if base_resolved is None:
                    base_resolved = base.resolve()
                path = inside_workdir(base, base_resolved, rec)
                if asm is None:
                    rate = _sample_rate(audio, rec, path)
                    parent = base / BIND_DIR
                    try:
                        parent.mkdir(parents=True, exist_ok=True)
                        scratch = Path(tempfile.mkdtemp(prefix=".e2a-bind.", dir=parent))
                        cue_fh = open(scratch / "cues.jsonl", "w", encoding="utf-8")
                    except OSError as exc:
                        raise InputError(f"cannot write bind's temporary files: "
                                         f"{_reason(exc)}", path=parent) from None
                    asm = Assembler(scratch / "book.flac", rate, pauses, trim_db=trim_db,
                                    cue_file=cue_fh)
                before = asm.samples
                asm.add(path, rec)
                progress.update(audio_s=(asm.samples - before) / asm.sample_rate)
        if asm is None:
            raise InputError("no spoken records in the input: nothing to bind "
                             "(run e2a-speak first)")
        asm.finish({})
        cue_fh.close()
        if asm.samples == 0:
            raise InputError("the spoken sentences contain no audio: nothing to bind")
        rate = asm.sample_rate
        marks = [Mark(i, titles.get(i) or f"Chapter {i + 1}", s, e) for i, s, e in asm.marks]
        metadata = book_metadata(book, audio)
        cover = _cover(book, scratch, base)
        opts = dict(options or {})
        if bitrate:
            opts["bitrate"] = bitrate
        book_flac = scratch / "book.flac"

        measured = None
        if loudness is not None:
            measured = normalize(book_flac, loudness, true_peak)

        targets = plan(output, plugin, marks, asm.samples, rate, metadata,
                       single=single, per_chapter=per_chapter, max_part_hours=max_part_hours,
                       chapter_folder=chapter_folder)
        written: list[Path] = []
        subs: list[Path] = []
        for n, target in enumerate(targets, start=1):
            if len(targets) > 1:
                log(f"writing {target.path.name} ({n}/{len(targets)})")
            _write_target(plugin, target, book_flac, asm.samples, rate, cover, opts,
                          verify, scratch)
            written.append(target.path)
        if subtitles:
            subs = write_subtitles(scratch / "cues.jsonl", targets, subtitles, rate)
        whole = [ChapterMark(m.index, m.title, to_ms(m.start, rate), to_ms(m.end, rate))
                 for m in marks]
        duration_ms = to_ms(asm.samples, rate)
        log(f"wrote {written[0]}" + (f" and {len(written) - 1} more" if len(written) > 1 else "")
            + f" ({plugin.name}, {len(marks)} chapter{'' if len(marks) == 1 else 's'}, {duration_ms / 3_600_000:.2f} h)")
        return BindResult(outputs=written, format=plugin.name, duration_ms=duration_ms,
                          chapters=whole, sentences=asm.sentences, metadata=metadata,
                          parts=[t.path for t in targets if t.kind == "part"],
                          chapter_files=[t.path for t in targets if t.kind == "chapter"],
                          subtitles=subs, loudness=measured)
    finally:
        progress.close()
        if cue_fh is not None:
            cue_fh.close()
        if asm is not None:
            asm.close()
        if scratch is not None:
            if keep_intermediate and (scratch / "book.flac").exists():
                kept = scratch.parent / f"{output.stem}.flac"
                try:
                    os.replace(scratch / "book.flac", kept)
                    log(f"kept the whole-book FLAC: {kept}")
                except OSError as exc:
                    warn(f"{kept}: cannot keep the whole-book FLAC: {_reason(exc)}")
            shutil.rmtree(scratch, ignore_errors=True)


def to_ms(samples: int, rate: int) -> int:
    return samples * 1000 // rate


# -------------------------------------------------------------- planning
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(title: str, limit: int = 80) -> str:
    name = _UNSAFE.sub(" ", title)
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:limit].rstrip(" .")


def plan(output: Path, plugin, marks: list[Mark], samples: int, rate: int,
         metadata: dict[str, Any], *, single: bool, per_chapter: bool,
         max_part_hours: float | None, chapter_folder: Path | None = None) -> list[Target]:
    targets: list[Target] = []
    if single:
        groups = [marks]
        if max_part_hours is not None:
            groups = split_parts(marks, int(max_part_hours * 3600 * rate))
        if len(groups) == 1:
            targets.append(Target(output, 0, samples, marks, dict(metadata), "book"))
        else:
            n = len(groups)
            width = len(str(n))
            for i, group in enumerate(groups, start=1):
                meta = dict(metadata, title=f"{metadata['title']} (Part {i} of {n})",
                            track=f"{i}/{n}", disc=f"{i}/{n}", part=i, parts=n)
                path = output.with_name(f"{output.stem}-part{i:0{width}d}{output.suffix}")
                targets.append(Target(path, group[0].start, group[-1].end, group, meta,
                                      "part"))
            longest = max((g[-1].end - g[0].start) for g in groups) / rate / 3600
            if longest > max_part_hours:
                warn(f"a chapter is longer than --max-part-hours ({longest:.2f} h): "
                     "parts are only cut between chapters")
    if per_chapter:
        folder = chapter_folder or output.with_suffix("")
        n = len(marks)
        width = max(2, len(str(n)))
        for i, m in enumerate(marks, start=1):
            if m.end <= m.start:
                warn(f"chapter {i} ({m.title}) has no audio: no file written for it")
                continue
            meta = dict(metadata, title=m.title, track=f"{i}/{n}")
            name = f"{i:0{width}d} - {safe_name(m.title) or f'Chapter {i}'}"
            targets.append(Target(folder / f"{name}.{plugin.extension or output.suffix.lstrip('.')}",
                                  m.start, m.end, [m], meta, "chapter"))
    return targets


def split_parts(marks: list[Mark], max_samples: int) -> list[list[Mark]]:
    """Greedy: fill each part with whole chapters while it stays under the limit."""
    groups: list[list[Mark]] = []
    for m in marks:
        if groups and m.end - groups[-1][0].start <= max_samples:
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


# -------------------------------------------------------------- writing
def _write_target(plugin, target: Target, book_flac: Path, total: int, rate: int,
                  cover: Path | None, opts: dict, verify: bool, scratch: Path) -> None:
    audio = book_flac
    if (target.start, target.end) != (0, total):
        audio = scratch / "segment.flac"
        cut(book_flac, audio, target.start, target.end)
    chapters = [ChapterMark(m.index, m.title, to_ms(m.start - target.start, rate),
                            to_ms(m.end - target.start, rate)) for m in target.marks]
    duration_ms = to_ms(target.end - target.start, rate)
    try:
        with atomic_path(target.path) as tmp:
            job = BindJob(audio=audio, sample_rate=rate, duration_ms=duration_ms,
                          chapters=chapters, metadata=target.metadata, cover=cover,
                          output=tmp, options=dict(opts, kind=target.kind))
            try:
                plugin.write(job)
                if verify:
                    verify_output(tmp, duration_ms, shown=target.path,
                                  source=getattr(plugin, "duration_from", "decoded"))
                    carries = getattr(plugin, "chapters_in_container", False)
                    if carries:   # True, or the most chapters the format holds
                        verify_chapters(tmp, chapters, shown=target.path,
                                        limit=None if carries is True else int(carries))
            except E2AError as exc:
                if exc.path == str(tmp):   # name the file the user asked for
                    exc.path = str(target.path)
                raise
    except OSError as exc:
        raise E2AError(f"cannot write the output: {_reason(exc)}",
                       path=target.path) from None
    finally:
        if audio != book_flac:
            audio.unlink(missing_ok=True)


def cut(src: Path, dst: Path, start: int, end: int) -> None:
    """Copy samples [start, end) of ``src`` into a new FLAC, in blocks."""
    with sf.SoundFile(str(src)) as fin, \
            sf.SoundFile(str(dst), "w", samplerate=fin.samplerate, channels=1,
                         format="FLAC", subtype="PCM_16") as fout:
        fin.seek(start)
        left = end - start
        while left > 0:
            block = fin.read(min(BLOCK * 4, left), dtype="int16")
            if not len(block):
                break
            fout.write(block)
            left -= len(block)


# -------------------------------------------------------------- loudness
_LOUD_I = re.compile(r"I:\s+(-?[\d.]+|-inf) LUFS")
_LOUD_TP = re.compile(r"Peak:\s+(-?[\d.]+|-inf) dBFS")


def measure_loudness(path: Path) -> tuple[float, float]:
    """(integrated loudness in LUFS, true peak in dBTP) by ffmpeg's ebur128."""
    cmd = [ffmpeg.require("ffmpeg"), "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
           "-filter_complex", "ebur128=peak=true:framelog=verbose", "-f", "null", "-"]
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, errors="replace")
    summary = proc.stderr.rsplit("Summary:", 1)[-1]
    mi, mp = _LOUD_I.search(summary), _LOUD_TP.search(summary)
    if proc.returncode != 0 or not mi or not mp:
        raise FormatError("ffmpeg could not measure the loudness", path=str(path))
    return float(mi.group(1)), float(mp.group(1))


def normalize(path: Path, target: float, true_peak: float = -1.0) -> dict[str, float]:
    """Apply one gain to the whole book so it reaches ``target`` LUFS without
    its true peak passing ``true_peak`` dBTP. Rewrites ``path`` in blocks."""
    lufs, peak = measure_loudness(path)
    info = {"input_lufs": lufs, "input_true_peak": peak, "target_lufs": target}
    if lufs == float("-inf") or lufs < -70:
        warn("the book is silent: loudness left as it is")
        info["gain_db"] = 0.0
        return info
    gain = target - lufs
    if peak + gain > true_peak:
        capped = true_peak - peak
        warn(f"loudness target {target} LUFS needs {gain:+.1f} dB but the true peak allows "
             f"{capped:+.1f} dB; reaching {lufs + capped:.1f} LUFS")
        gain = capped
    info["gain_db"] = round(gain, 2)
    info["output_lufs"] = round(lufs + gain, 2)
    if abs(gain) < 0.05:
        return info
    factor = 10 ** (gain / 20.0)
    tmp = path.with_name(".gain." + path.name)
    with sf.SoundFile(str(path)) as fin, \
            sf.SoundFile(str(tmp), "w", samplerate=fin.samplerate, channels=1,
                         format="FLAC", subtype="PCM_16") as fout:
        while True:
            block = fin.read(BLOCK * 4, dtype="float32")
            if not len(block):
                break
            fout.write(np.clip(block * factor, -1.0, 32767 / 32768))
    os.replace(tmp, path)
    log(f"loudness {lufs:.1f} LUFS -> {lufs + gain:.1f} LUFS (gain {gain:+.1f} dB)")
    return info


# -------------------------------------------------------------- inputs
def _sample_rate(audio: dict | None, rec: dict, path: Path) -> int:
    for src in (audio or {}, rec):
        rate = src.get("sample_rate")
        if isinstance(rate, int) and 1000 <= rate <= 384000:
            return rate
    try:
        return sf.info(str(path)).samplerate
    except Exception:
        raise InputError("cannot read audio", path=path) from None


def _cover(book: dict | None, scratch: Path, workdir: Path | None = None) -> Path | None:
    """The book's cover as JPEG or PNG (others are converted), or None. The
    path is absolute, or relative to the workdir (as `e2a pipeline` stores it,
    so a moved workdir keeps its cover)."""
    cover = (book or {}).get("cover")
    if not cover:
        return None
    path = Path(cover)
    if not path.is_absolute() and workdir is not None and (Path(workdir) / path).is_file():
        path = Path(workdir) / path
    if not path.is_file():
        warn(f"{cover}: cover image not found; writing no cover")
        return None
    codec = ffmpeg.cover_codec(path, decode=True)
    if codec is None:
        warn(f"{cover}: cover is not a readable image; writing no cover")
        return None
    if codec in ("mjpeg", "png"):
        return path
    png = scratch / "cover.png"
    try:
        ffmpeg.run(["-i", str(path), "-frames:v", "1", "-c:v", "png", "-f", "image2",
                    str(png)], what="converting the cover", output=path)
    except FormatError as exc:
        warn(f"{exc}; writing no cover")
        return None
    return png


# -------------------------------------------------------------- verification
def verify_output(path: Path, expected_ms: int, *, shown: Path | None = None,
                  source: str = "decoded") -> None:
    """Decode the whole file: no errors, and its duration (as decoded, or as the
    container states for formats whose decoders keep encoder padding) within
    50 ms of ``expected_ms``."""
    shown = shown or path
    decoded, err = ffmpeg.decode(path)
    if err:
        raise FormatError(f"verification failed: decoding reports {err.splitlines()[0]}",
                          path=str(shown))
    if source == "container":
        info = ffmpeg.probe(path)
        try:
            got = float(info["format"]["duration"])
        except (KeyError, TypeError, ValueError):
            got = None
    else:
        got = decoded
    if got is None:
        raise FormatError("verification failed: the output has no duration", path=str(shown))
    if abs(got * 1000 - expected_ms) > DURATION_TOLERANCE_MS:
        raise FormatError(f"verification failed: duration {got:.3f} s, expected "
                          f"{expected_ms / 1000:.3f} s", path=str(shown))


def verify_chapters(path: Path, expected: list[ChapterMark], *, shown: Path | None = None,
                    limit: int | None = None) -> None:
    """The chapters ffprobe reads back from ``path``: as many as ``expected``
    (at most ``limit``, for formats that hold no more), with the same titles
    (as FFMETADATA carries them), so a chapter lost on the way can never pass
    silently."""
    shown = shown or path
    if limit is not None:
        expected = expected[:limit]
    got = ffmpeg.probe(path).get("chapters") or []
    if len(got) != len(expected):
        raise FormatError(f"verification failed: the output has {len(got)} chapter(s), "
                          f"expected {len(expected)}", path=str(shown))
    for n, (g, e) in enumerate(zip(got, expected), start=1):
        title = (g.get("tags") or {}).get("title", "")
        want = ffmpeg.metadata_text(e.title)
        if title != want:
            raise FormatError(f"verification failed: chapter {n} is titled {title!r}, "
                              f"expected {want!r}", path=str(shown))


# -------------------------------------------------------------- checks
def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_writable(path: str | Path, *, folder: bool = False) -> None:
    """Fail early, before any audio is read, when ``path`` cannot be written:
    its folder cannot be created or a temporary file cannot be made there
    (``folder``: ``path`` is the folder that will hold the files). Creates
    the missing folders, as writing would."""
    path = Path(path)
    for up in ([path] if folder else []) + list(path.parents):
        if up.exists() or up.is_symlink():
            if not up.is_dir():
                raise InputError(f"cannot write the output here: {up} is not a folder",
                                 path=path)
            break
    try:
        # a chapter folder that does not exist yet is made only when writing,
        # so a failed bind leaves no empty folder: test its parent instead
        where = path if folder and path.is_dir() else path.parent
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part.check", dir=where)
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise InputError(f"cannot write the output here: {_reason(exc)}",
                         path=path) from None


# field -> (accepted types, what to call them); bool is never an int here
_FIELDS: dict[str, dict[str, tuple[tuple[type, ...], str]]] = {
    "book": {"title": ((str,), "a string"), "authors": ((list,), "a list of strings"),
             "cover": ((str,), "a string"), "identifiers": ((dict,), "an object"),
             "date": ((str, int), "a string"), "language": ((str,), "a string"),
             "description": ((str,), "a string"), "publisher": ((str,), "a string")},
    "chapter": {"index": ((int,), "an integer"), "title": ((str,), "a string")},
    "audio": {"workdir": ((str,), "a string"), "voice": ((str,), "a string"),
              "sample_rate": ((int,), "an integer")},
    "spoken": {"audio": ((str,), "a string"), "chapter": ((int,), "an integer"),
               "position": ((int,), "an integer"), "pause": ((str,), "a string"),
               "duration": ((int, float), "a number"), "sample_rate": ((int,), "an integer"),
               "text": ((str,), "a string"), "original": ((str,), "a string"),
               "id": ((str,), "a string")},
}
_REQUIRED = {"chapter": ("index",), "spoken": ("audio", "chapter")}


def validate_record(rec: dict) -> None:
    """Refuse a record whose fields that bind reads have the wrong type (null
    is accepted for optional fields): a RecordError naming the line."""
    kind = rec.get("kind")
    fields = _FIELDS.get(kind) if isinstance(kind, str) else None
    if fields is None:
        return
    line = rec.get("_line")
    for name in _REQUIRED.get(kind, ()):
        if rec.get(name) is None or rec.get(name) == "":
            raise RecordError(f"{kind} record has no {name!r} field", line=line)
    for name, (types, what) in fields.items():
        value = rec.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, types):
            raise RecordError(f"{kind} record field {name!r} must be {what}, not "
                              f"{type(value).__name__} {_short(value)}", line=line)
    if kind == "book" and not all(isinstance(a, str) for a in rec.get("authors") or []):
        raise RecordError("book record field 'authors' must be a list of strings", line=line)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def inside_workdir(base: Path, base_resolved: Path, rec: dict) -> Path:
    """The spoken record's audio file: a relative path that stays inside the
    workdir once resolved (symlinks included), else a RecordError."""
    rel = rec["audio"]
    line = rec.get("_line")
    if "\0" in rel:
        raise RecordError("spoken record field 'audio' contains a NUL character", line=line)
    p = Path(rel)
    if p.is_absolute() or p.drive:
        raise RecordError(f"spoken record audio path {_short(rel)} is absolute: it must be "
                          "relative to the workdir", line=line)
    path = base / p
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:   # a symlink loop
        raise RecordError(f"spoken record audio path {_short(rel)} cannot be resolved: "
                          f"{exc}", line=line) from None
    if not resolved.is_relative_to(base_resolved):
        raise RecordError(f"spoken record audio path {_short(rel)} leads outside the workdir "
                          f"{base}: refused", line=line)
    return path
