"""SubRip (.srt) and WebVTT (.vtt) subtitles from sentence timings.

The cue file written while assembling holds one JSON array per sentence:
``[chapter, start_sample, end_sample, text]``, in book order. It is read once,
streaming, and each cue goes to the subtitle file(s) of the audio file(s) that
contain it, with times relative to that file. Files are written under a
temporary name and renamed, like the audio.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import IO, Iterable

from e2a_common import E2AError

SUBTITLE_FORMATS = ("srt", "vtt")


def _stamp(ms: int, sep: str) -> str:
    h, rem = divmod(max(0, ms), 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, milli = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{milli:03d}"


def _vtt_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Writer:
    def __init__(self, final: Path, kind: str):
        self.final = final
        self.kind = kind
        fd, name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=f".part.{kind}",
                                    dir=final.parent)
        self.tmp = Path(name)
        self.fh: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        self.n = 0
        if kind == "vtt":
            self.fh.write("WEBVTT\n\n")

    def cue(self, start_ms: int, end_ms: int, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        self.n += 1
        if self.kind == "srt":
            self.fh.write(f"{self.n}\n{_stamp(start_ms, ',')} --> {_stamp(end_ms, ',')}\n"
                          f"{text}\n\n")
        else:
            self.fh.write(f"{_stamp(start_ms, '.')} --> {_stamp(end_ms, '.')}\n"
                          f"{_vtt_text(text)}\n\n")

    def commit(self) -> Path:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        os.replace(self.tmp, self.final)
        return self.final

    def abort(self) -> None:
        self.fh.close()
        self.tmp.unlink(missing_ok=True)


def write_subtitles(cue_path: Path, targets: Iterable, kinds: tuple[str, ...],
                    rate: int) -> list[Path]:
    """Write ``kinds`` subtitles beside every target audio file."""
    targets = list(targets)
    # targets of one kind ("book"/"part" vs "chapter") never overlap: walk each
    # series alongside the cues.
    series: dict[str, list] = {}
    for t in targets:
        series.setdefault("chapter" if t.kind == "chapter" else "main", []).append(t)
    cursors = {name: 0 for name in series}
    open_writers: dict[str, list[_Writer]] = {}
    done: list[Path] = []
    all_writers: list[_Writer] = []

    def writers_for(name: str, target) -> list[_Writer]:
        ws = open_writers.get(name)
        if ws is None or ws[0].final.stem != target.path.stem \
                or ws[0].final.parent != target.path.parent:
            if ws:
                done.extend(w.commit() for w in ws)
            ws = [_Writer(target.path.with_suffix("." + k), k) for k in kinds]
            all_writers.extend(ws)
            open_writers[name] = ws
        return ws

    try:
        # every target gets a subtitle file, even one whose cues are all silent
        with open(cue_path, encoding="utf-8") as fh:
            for line in fh:
                _, start, end, text = json.loads(line)
                for name, ts in series.items():
                    i = cursors[name]
                    while i < len(ts) and start >= ts[i].end:
                        writers_for(name, ts[i])
                        i += 1
                    cursors[name] = i
                    if i < len(ts) and start >= ts[i].start:
                        t = ts[i]
                        for w in writers_for(name, t):
                            w.cue((start - t.start) * 1000 // rate,
                                  (min(end, t.end) - t.start) * 1000 // rate, text)
        for name, ts in series.items():
            for t in ts[cursors[name]:]:
                writers_for(name, t)
            ws = open_writers.pop(name, None)
            if ws:
                done.extend(w.commit() for w in ws)
    except BaseException as exc:
        for w in all_writers:   # committed ones have no temp file left
            w.abort()
        if isinstance(exc, OSError):   # name the file the user asked for, not a temp one
            names = {exc.filename, exc.filename2}
            final = next((w.final for w in all_writers if str(w.tmp) in names
                          or str(w.final) in names), exc.filename)
            raise E2AError(f"cannot write the subtitles: {exc.strerror or exc}",
                           path=final) from None
        raise
    return done
