"""Small helpers around the real ffmpeg/ffprobe binaries for output formats.

Format plugins build an ffmpeg command line (a list, never a shell string) and
call :func:`run`; failures become a one-line :class:`FormatError`.
"""
from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Iterable

from .errors import FormatError
from .interfaces import BindJob, ChapterMark

# ISO 639-1 -> ISO 639-2/T (mp4 and ID3 want three letters).
_ISO639_2 = {
    "af": "afr", "am": "amh", "ar": "ara", "az": "aze", "be": "bel", "bg": "bul", "bn": "ben",
    "bs": "bos", "ca": "cat", "cs": "ces", "cy": "cym", "da": "dan", "de": "deu", "el": "ell",
    "en": "eng", "eo": "epo", "es": "spa", "et": "est", "eu": "eus", "fa": "fas", "fi": "fin",
    "fr": "fra", "ga": "gle", "gl": "glg", "gu": "guj", "he": "heb", "hi": "hin", "hr": "hrv",
    "hu": "hun", "hy": "hye", "id": "ind", "is": "isl", "it": "ita", "ja": "jpn", "ka": "kat",
    "kk": "kaz", "ko": "kor", "la": "lat", "lb": "ltz", "lt": "lit", "lv": "lav", "mk": "mkd",
    "ml": "mal", "mr": "mar", "ms": "msa", "mt": "mlt", "nb": "nob", "ne": "nep", "nl": "nld",
    "nn": "nno", "no": "nor", "pa": "pan", "pl": "pol", "pt": "por", "ro": "ron", "ru": "rus",
    "sk": "slk", "sl": "slv", "sq": "sqi", "sr": "srp", "sv": "swe", "sw": "swa", "ta": "tam",
    "te": "tel", "th": "tha", "tr": "tur", "uk": "ukr", "ur": "urd", "uz": "uzb", "vi": "vie",
    "zh": "zho", "zu": "zul",
}


def iso639_2(language: str | None) -> str | None:
    """'fr-FR' -> 'fra', 'en' -> 'eng', 'deu' -> 'deu'; None when unknown."""
    if not language:
        return None
    base = language.strip().replace("_", "-").split("-")[0].lower()
    if len(base) == 3 and base.isalpha():
        return base
    return _ISO639_2.get(base)


def require(tool: str = "ffmpeg") -> str:
    path = shutil.which(tool)
    if path is None:
        raise FormatError(f"{tool} is not installed (install ffmpeg, e.g. apt-get install ffmpeg)")
    return path


def run(args: list[str], *, what: str, output: Path | None = None) -> None:
    """Run ``ffmpeg`` with ``args`` (without the program name). A failure
    becomes a FormatError with the last line ffmpeg printed."""
    cmd = [require("ffmpeg"), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args]
    try:
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, errors="replace")
    except OSError as exc:
        raise FormatError(f"cannot run ffmpeg: {exc}") from None
    if proc.returncode != 0:
        lines = [ln.strip() for ln in proc.stderr.splitlines() if ln.strip()]
        reason = lines[-1] if lines else f"exit status {proc.returncode}"
        raise FormatError(f"ffmpeg failed while {what}: {reason}",
                          path=str(output) if output else None)


def probe(path: Path) -> dict[str, Any]:
    """ffprobe's JSON view of a file: format, streams, chapters."""
    cmd = [require("ffprobe"), "-v", "error", "-show_format", "-show_streams",
           "-show_chapters", "-of", "json", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        reason = (proc.stderr.strip().splitlines() or ["unreadable"])[-1]
        raise FormatError(f"ffprobe cannot read the output: {reason}", path=str(path))
    return json.loads(proc.stdout or "{}")


def decode(path: Path, *, stream: str = "a:0") -> tuple[float | None, str]:
    """Decode ``path`` fully. Return (decoded duration in seconds or None,
    ffmpeg's error output, '' when clean)."""
    cmd = [require("ffmpeg"), "-nostdin", "-hide_banner", "-v", "error", "-i", str(path),
           "-map", f"0:{stream}", "-f", "null", "-progress", "pipe:1", "-"]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    err = proc.stderr.strip()
    if proc.returncode != 0 and not err:
        err = f"exit status {proc.returncode}"
    seconds = None
    for line in proc.stdout.splitlines():
        if line.startswith("out_time_us="):
            with contextlib.suppress(ValueError):
                seconds = int(line.split("=", 1)[1]) / 1e6
    return seconds, err


def decode_errors(path: Path, *, stream: str = "a:0") -> str:
    """Decode ``path`` fully; return ffmpeg's error output ('' when clean)."""
    return decode(path, stream=stream)[1]


def cover_codec(path: Path, *, decode: bool = False) -> str | None:
    """The codec of an image file ('mjpeg', 'png', ...), or None if it is not a
    readable image (``decode``: also decode it, which catches corrupt data)."""
    cmd = [require("ffprobe"), "-v", "error", "-select_streams", "v:0", "-show_entries",
           "stream=codec_name", "-of", "json", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if proc.returncode != 0:
        return None
    try:
        streams = json.loads(proc.stdout or "{}").get("streams") or []
    except ValueError:
        return None
    codec = streams[0].get("codec_name") if streams else None
    if codec and decode:
        dec = subprocess.run([require("ffmpeg"), "-nostdin", "-v", "error", "-i", str(path),
                              "-frames:v", "1", "-f", "null", "-"],
                             capture_output=True, text=True, errors="replace")
        if dec.returncode != 0 or dec.stderr.strip():
            return None
    return codec


def metadata_text(value: Any) -> str:
    """``value`` as an FFMETADATA file can carry it through ffmpeg 5.1: NUL
    characters dropped, and no trailing backslash (Lavf 59 reads an escaped
    backslash at the end of a line as a line continuation, which swallows the
    next line: a chapter or a tag would be lost). What a tag or chapter title
    reads back as, after :func:`ffmetadata`."""
    return str(value).replace("\0", "").rstrip("\\")


def _escape(value: Any) -> str:
    text = metadata_text(value)
    for ch in ("\\", "=", ";", "#", "\n", "\r"):
        text = text.replace(ch, "\\" + ch)
    return text


def ffmetadata(tags: dict[str, Any], chapters: Iterable[ChapterMark] = ()) -> str:
    """An FFMETADATA1 document: global tags, then one [CHAPTER] per mark (ms)."""
    lines = [";FFMETADATA1"]
    for key, value in tags.items():
        if value is None or metadata_text(value) == "":
            continue
        lines.append(f"{_escape(key)}={_escape(value)}")
    for ch in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={ch.start_ms}", f"END={ch.end_ms}",
                  f"title={_escape(ch.title)}"]
    return "\n".join(lines) + "\n"


def common_tags(job: BindJob) -> dict[str, Any]:
    """The metadata every container gets, under ffmpeg's generic tag names."""
    m = job.metadata
    artist = m.get("artist") or ", ".join(m.get("authors") or [])
    tags = {
        "title": m.get("title"),
        "album": m.get("album") or m.get("title"),
        "artist": artist,
        "album_artist": m.get("album_artist") or artist,
        "composer": m.get("narrator"),
        "genre": m.get("genre", "Audiobook"),
        "date": m.get("year"),
        "comment": m.get("comment"),
        "description": m.get("description"),
        "publisher": m.get("publisher"),
        "language": iso639_2(m.get("language")),
        "track": m.get("track"),
        "disc": m.get("disc"),
    }
    return {k: v for k, v in tags.items() if v not in (None, "")}


def vorbis_comments(job) -> dict:
    """Tags for formats that carry Vorbis comments (ogg, opus, flac): the common
    tags with NARRATOR, ISBN, DESCRIPTION, LANGUAGE in upper case, then the
    chapters as CHAPTERnnn comments."""
    tags = common_tags(job)
    m = job.metadata
    for key, value in (("NARRATOR", m.get("narrator")), ("ISBN", m.get("isbn")),
                       ("DESCRIPTION", m.get("description")),
                       ("LANGUAGE", m.get("language"))):
        if value:
            tags[key] = value
    tags.pop("language", None)
    tags.pop("description", None)
    tags.update(chapter_comments(job.chapters))
    return tags


def chapter_comments(chapters: Iterable[ChapterMark]) -> dict[str, str]:
    """Vorbis-comment chapters (CHAPTER001=HH:MM:SS.mmm, CHAPTER001NAME=title),
    for Ogg and FLAC, whose ffmpeg muxers do not write chapters themselves.
    The convention has three digits: at most 999 chapters."""
    tags: dict[str, str] = {}
    for n, ch in enumerate(chapters, start=1):
        if n > 999:
            break
        ms = ch.start_ms
        h, rem = divmod(ms, 3_600_000)
        m, rem = divmod(rem, 60_000)
        sec, milli = divmod(rem, 1000)
        tags[f"CHAPTER{n:03d}"] = f"{h:02d}:{m:02d}:{sec:02d}.{milli:03d}"
        tags[f"CHAPTER{n:03d}NAME"] = ch.title
    return tags


def image_size(path: Path) -> tuple[int, int]:
    cmd = [require("ffprobe"), "-v", "error", "-select_streams", "v:0", "-show_entries",
           "stream=width,height", "-of", "json", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    try:
        st = json.loads(proc.stdout)["streams"][0]
        return int(st["width"]), int(st["height"])
    except (ValueError, KeyError, IndexError, TypeError):
        return 0, 0


def picture_block(path: Path) -> str:
    """A base64 FLAC PICTURE block (front cover): the METADATA_BLOCK_PICTURE
    comment that Ogg Vorbis and Opus players read as the cover."""
    data = Path(path).read_bytes()
    mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    width, height = image_size(path)
    desc = b"Cover (front)"
    block = (struct.pack(">I", 3) + struct.pack(">I", len(mime)) + mime.encode()
             + struct.pack(">I", len(desc)) + desc
             + struct.pack(">IIII", width, height, 24, 0)
             + struct.pack(">I", len(data)) + data)
    return base64.b64encode(block).decode("ascii")


def encode(job: BindJob, *, codec_args: list[str], muxer: str, tags: dict[str, Any],
           chapters: bool = True, cover: bool = True, stream_tags: dict[str, Any] | None = None,
           output_args: list[str] | None = None, what: str = "encoding") -> None:
    """The one ffmpeg run most formats need: the book FLAC as input 0, an
    FFMETADATA file (tags and, if ``chapters``, chapter marks) as input 1, the
    cover (already JPEG or PNG) as input 2 attached as a picture when
    ``cover``; write ``job.output`` with ``muxer``."""
    fd, name = tempfile.mkstemp(prefix=".meta.", suffix=".txt", dir=Path(job.audio).parent)
    os.close(fd)
    meta = Path(name)
    try:
        meta.write_text(ffmetadata(tags, job.chapters if chapters else ()), encoding="utf-8")
        args = ["-i", str(job.audio), "-f", "ffmetadata", "-i", str(meta)]
        maps = ["-map", "0:a:0", "-map_metadata", "1",
                "-map_chapters", "1" if chapters else "-1"]
        if cover and job.cover is not None:
            args += ["-i", str(job.cover)]
            maps += ["-map", "2:v:0", "-c:v", "copy", "-disposition:v:0", "attached_pic",
                     "-metadata:s:v:0", "title=Cover", "-metadata:s:v:0", "comment=Cover (front)"]
        for key, value in (stream_tags or {}).items():
            if value not in (None, ""):
                maps += ["-metadata:s:a:0", f"{key}={value}"]
        run([*args, *maps, *codec_args, *(output_args or []), "-f", muxer, str(job.output)],
            what=what, output=job.output)
    finally:
        meta.unlink(missing_ok=True)
