"""e2a-extract as a library: an ebook in, book/chapter/block records out.

    from e2a_extract import extract
    for record in extract("book.epub"):
        ...

The extractor is chosen by content sniffing among the registered extractor
plugins (entry-point group ``e2a``); ``extractor="epub"`` forces one.
Errors are :class:`e2a_common.InputError` (one line, naming the file).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Iterator

from e2a_common import ExtractOptions, Extractor, InputError
from e2a_common.console import warn
from e2a_common.hashing import file_hash
from e2a_common.paths import input_stat
from e2a_common.plugins import extractors, get_extractor
from e2a_common.workdir import atomic_path

from .book import (BookModel, assign_indices, book_language, book_record, chapter_records,
                   parse_selection, plan_chapters, plan_rows)

__all__ = ["extract", "plan", "emit", "choose_extractor", "default_assets_dir", "ExtractOptions"]

SNIFF_BYTES = 4096


def default_assets_dir(book_hash: str) -> Path:
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(cache) / "e2a" / "assets" / book_hash


def _options(options: ExtractOptions | dict | None) -> ExtractOptions:
    if options is None:
        return ExtractOptions()
    if isinstance(options, dict):
        known = {k: v for k, v in options.items() if k in ExtractOptions.__dataclass_fields__}
        extra = {k: v for k, v in options.items() if k not in known}
        opts = ExtractOptions(**known)
        opts.extra.update(extra)
        return opts
    return options


def _check_file(path: Path) -> bytes:
    # missing, link loop, broken link, directory, device, FIFO: no size limit
    # could hold for a file whose size stat cannot tell
    input_stat(path, "ebook file", regular=True)
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", path=path) from None
    if not head:
        raise InputError("the file is empty (0 bytes)", path=path)
    return head


def choose_extractor(path: str | Path, name: str | None = None, pm=None) -> Any:
    """The extractor for ``path``: the named one, else the most confident sniffer."""
    path = Path(path)
    head = _check_file(path)
    if name:
        return get_extractor(name, pm)
    best, score = None, 0
    for ex in extractors(pm).values():
        try:
            s = int(ex.sniff(path, head) or 0)
        except Exception as exc:  # a broken plugin must not take extraction down
            warn(f"extractor {getattr(ex, 'name', ex)!r} failed to sniff {path}: {exc}")
            continue
        if s > score:
            best, score = ex, s
    if best is None:
        known = ", ".join(sorted({e for ex in extractors(pm).values()
                                  for e in getattr(ex, "extensions", ())})) or "none installed"
        raise InputError(f"unsupported or unrecognised file format (readable: {known})", path=path)
    return best


def extract(path: str | Path, options: ExtractOptions | dict | None = None, *,
            extractor: str | None = None, pm=None) -> Iterator[dict]:
    """Yield one ``book`` record, then each ``chapter`` record followed by its
    ``block`` records (docs/records.md). Raises InputError on bad input."""
    path = Path(path)
    opts = _options(options)
    ex = choose_extractor(path, extractor, pm)
    return ex.extract(path, opts)


def plan(path: str | Path, options: ExtractOptions | dict | None = None, *,
         extractor: str | None = None, pm=None) -> list[dict]:
    """The chapter plan (``--list``): every chapter with its index in the output
    (None when skipped), title, word count, type and role, without text."""
    path = Path(path)
    opts = _options(options)
    ex = choose_extractor(path, extractor, pm)
    if hasattr(ex, "read"):
        model = ex.read(path, opts)
        chapters = assign_indices(plan_chapters(model, opts), opts)
        return list(plan_rows(chapters))
    rows: list[dict] = []   # a third-party extractor: count words from its records
    for rec in ex.extract(path, opts):
        if rec.get("kind") == "chapter":
            rows.append({"kind": "plan", "index": rec.get("index"), "title": rec.get("title"),
                         "words": 0, "type": rec.get("type", "chapter"),
                         "role": rec.get("role", "body"), "read": True})
        elif rec.get("kind") == "block" and rows:
            rows[-1]["words"] += len(str(rec.get("text", "")).split())
    return rows


class BookExtractor(Extractor):
    """An extractor that reads a book into a BookModel (``read``); the records
    come from ``emit``. The built-in extractors are these."""

    def read(self, path: Path, options: ExtractOptions) -> BookModel:
        raise NotImplementedError

    def extract(self, path: Path, options: ExtractOptions) -> Iterator[dict]:
        return emit(self.read(path, options), options)


def emit(model: BookModel, options: ExtractOptions) -> Iterator[dict]:
    """Records for a BookModel: used by the built-in extractors. The checks
    (empty book, bad selection) run before the first record is yielded."""
    chapters = assign_indices(plan_chapters(model, options), options)
    readable = [ch for ch in chapters if ch.index is not None]
    if not readable:
        raise InputError("the book is empty: no readable text"
                         + (" outside front/back matter (try --keep-front-matter)"
                            if any(ch.blocks for ch in chapters) else ""), path=model.path)
    try:
        selection = _selection(options.extra.get("chapters"))
        skip = _selection(options.extra.get("skip_chapters"))
    except ValueError as exc:
        raise InputError(str(exc), path=model.path) from None
    if selection is not None and not any(ch.index in selection for ch in readable):
        raise InputError(f"no chapter matches --chapters {options.extra.get('chapters')} "
                         f"(chapters are 0-{readable[-1].index})", path=model.path)
    language = book_language(model, chapters)
    book_hash = file_hash(model.path)
    cover = None
    assets = Path(options.assets_dir) if options.assets_dir else default_assets_dir(book_hash)
    if model.cover is not None and not options.extra.get("no_cover"):
        cover = write_cover(model.cover[0], model.cover[1], assets, model.path)
    book = book_record(model, language, cover, book_hash)
    lexicons = write_lexicons(model.lexicons, assets, model.path)
    if lexicons:
        book["lexicons"] = lexicons
    return _stream(book, chapters, options, selection, skip)


def _stream(book: dict, chapters, options, selection, skip) -> Iterator[dict]:
    yield book
    yield from chapter_records(chapters, options, selection, skip, book.get("language", ""))


def write_lexicons(lexicons: list[tuple[str, bytes]], assets_dir: Path, source: Path) -> list[str]:
    """The book's own pronunciation lexicons (EPUB PLS files), written beside
    the cover for e2a-split; returns their absolute paths."""
    out = []
    for k, (name, data) in enumerate(lexicons):
        final = Path(assets_dir).expanduser().resolve() / f"lexicon-{k}.pls"
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            with atomic_path(final) as tmp:
                tmp.write_bytes(data)
                _readable(tmp)
        except OSError as exc:
            warn(f"{source}: cannot write the lexicon {name}: {exc.strerror or exc}")
            continue
        out.append(str(final))
    return out


def _selection(spec) -> set[int] | None:
    if spec is None:
        return None
    if isinstance(spec, (set, list, tuple, range)):
        return {int(x) for x in spec}
    return parse_selection(str(spec))


# ------------------------------------------------------------------ cover

def image_type(data: bytes) -> str | None:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:2048].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") or head.startswith(b"<!doctype svg")) \
            and b"<svg" in data[:4096].lower():
        return "svg"
    return None


def write_cover(data: bytes, ext_hint: str, assets_dir: Path, source: Path) -> str | None:
    """Write the cover as JPEG or PNG (the formats audiobook containers take);
    SVG, GIF and WebP covers are rasterised with ffmpeg. Returns the absolute
    path, or None (with a warning) when the image is unusable."""
    kind = image_type(data) or ext_hint.lower().replace("jpeg", "jpg")
    if kind not in ("jpg", "png", "gif", "webp", "svg"):
        warn(f"{source}: cover image is not a JPEG, PNG, GIF, WebP or SVG; no cover")
        return None
    assets_dir = Path(assets_dir).expanduser().resolve()
    try:
        assets_dir.mkdir(parents=True, exist_ok=True)
        if kind in ("jpg", "png"):
            final = assets_dir / f"cover.{kind}"
            with atomic_path(final) as tmp:
                tmp.write_bytes(data)
                _readable(tmp)
            return str(final)
        final = assets_dir / "cover.jpg"
        import hashlib
        stamp = assets_dir / ".cover.jpg.source"
        digest = hashlib.sha256(data).hexdigest()
        if final.exists() and stamp.exists() and stamp.read_text().strip() == digest:
            return str(final)     # already rasterised from this very image
        if _rasterise(data, kind, final):
            stamp.write_text(digest + "\n")
            return str(final)
        warn(f"{source}: could not convert the {kind.upper()} cover to JPEG "
             "(ffmpeg missing or failed); no cover")
        return None
    except OSError as exc:
        warn(f"{source}: cannot write the cover to {assets_dir}: {exc.strerror or exc}")
        return None


def _rasterise(data: bytes, kind: str, final: Path) -> bool:
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        return False
    with tempfile.TemporaryDirectory(prefix="e2a-cover-") as td:
        src = Path(td) / f"cover.{kind}"
        src.write_bytes(data)
        out = Path(td) / "cover.jpg"
        args = [ffmpeg, "-nostdin", "-v", "error", "-y"]
        if kind == "svg":
            # librsvg renders at the SVG's own size; cap it to a cover-sized image
            args += ["-i", str(src), "-vf", "scale='min(1400,iw)':-2"]
        else:
            args += ["-i", str(src)]
        args += ["-frames:v", "1", "-q:v", "3", str(out)]
        try:
            proc = subprocess.run(args, capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return False
        if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            return False
        with atomic_path(final) as tmp:
            tmp.write_bytes(out.read_bytes())
            _readable(tmp)
        return True


def _readable(path: Path) -> None:
    """atomic_path's temporary file is private (0600); a cover is not."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o644 & ~umask)
