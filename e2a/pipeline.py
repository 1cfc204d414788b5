"""`e2a pipeline`: the four stages in one process, with a session workdir,
a checkpoint, a lock, resume and batch runs. The CLI and the web interface both
call ``convert()``; there is no second copy of this logic."""
from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from e2a_common import plugins
from e2a_common.console import Progress, log, warn
from e2a_common.errors import E2AError, InputError, LockedError
from e2a_common.hashing import cache_key, file_hash
from e2a_common.paths import input_stat
from e2a_common.interfaces import ExtractOptions
from e2a_common.jsonl import dumps, read_records
from e2a_common.workdir import ASSETS_DIR, atomic_path, atomic_write_text

from . import session as S
from .languages import normalize_language

Event = Callable[[dict], None]


@dataclass
class PipelineOptions:
    output: Path | None = None            # file to write; default: audiobooks_dir/<title>.<ext>
    output_format: str | None = None      # plugin name; default from output's extension, else m4b
    audiobooks_dir: Path | None = None    # default $E2A_HOME/audiobooks
    workdir: Path | None = None           # explicit workdir (overrides the session layout)
    session: str | None = None            # default: derived from the book's content hash
    language: str | None = None
    engine: str | None = None            # None: piper, or espeak-ng where piper has no voice
    voice: str | None = None
    gpu: bool = False
    workers: int | None = None
    batch_size: int | None = None         # sentences per synthesis call (None: 8 with gpu for Coqui VITS)
    force_restart: bool = False
    keep_workdir: bool = False
    progress: bool | None = None          # None: only on a terminal
    extract: dict[str, Any] = field(default_factory=dict)   # ExtractOptions fields
    split: dict[str, Any] = field(default_factory=dict)     # e2a_split.split() keywords
    speak: dict[str, Any] = field(default_factory=dict)     # e2a_speak.speak() keywords
    bind: dict[str, Any] = field(default_factory=dict)      # e2a_bind.bind() keywords


@dataclass
class PipelineResult:
    book: Path
    output: Path | None
    workdir: Path
    session: str
    sentences: int = 0
    synthesised: int = 0
    skipped: bool = False                 # already converted earlier
    seconds: float = 0.0
    audio_seconds: float = 0.0


def _key(**parts: Any) -> str:
    return cache_key(**{k: v for k, v in parts.items()})[:16]


def records_key(opts: PipelineOptions) -> str:
    """What decides the text: extract and split options, language."""
    return _key(extract=opts.extract, split=opts.split, language=opts.language)


def job_key(opts: PipelineOptions, fmt_name: str) -> str:
    """What decides the audiobook: the text, the voice, the format and bind options."""
    return _key(records=records_key(opts), engine=opts.engine, voice=opts.voice,
                speak=opts.speak, format=fmt_name, bind=opts.bind)


def _stamp_path(session: str, bhash: str) -> Path:
    """Where a finished conversion is remembered once its workdir is gone."""
    return S.sessions_root() / "done" / f"{session}-{bhash}.json"


def default_session(book_hash: str) -> str:
    return book_hash[:12]


def _safe_filename(text: str, fallback: str) -> str:
    name = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", " ", text or "").strip().strip(".")
    name = re.sub(r"\s+", " ", name)[:120]
    return name or fallback


def _selection_suffix(opts: PipelineOptions) -> str:
    """' (chapters 3-12)' for a chosen part of a book, so converting another part
    never overwrites it under the whole book's name."""
    parts = []
    if opts.extract.get("chapters"):
        parts.append(f"chapters {opts.extract['chapters']}")
    if opts.extract.get("skip_chapters"):
        parts.append(f"without {opts.extract['skip_chapters']}")
    return f" ({', '.join(parts)})" if parts else ""


def _format_for(opts: PipelineOptions):
    name = opts.output_format
    if not name and opts.output and Path(opts.output).suffix:
        ext = Path(opts.output).suffix.lstrip(".").lower()
        by_ext = {f.extension.lstrip("."): n for n, f in plugins.formats().items()}
        name = by_ext.get(ext, ext)
    return plugins.get_format(name or "m4b")


def check_writable(output: Path) -> None:
    """Fail before hours of speaking, not after, when the output cannot be written."""
    if output.is_dir():
        raise E2AError("is a directory, not an output file", path=output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=output.parent, prefix=".e2a-write-test."):
            pass
    except OSError as exc:
        raise E2AError(f"cannot write the output there ({exc.strerror or exc})", path=output) from None


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _emit(on_event: Event | None, **ev: Any) -> None:
    if on_event:
        try:
            on_event(ev)
        except Exception:  # a broken listener never stops a conversion
            pass


def prepare_records(book: Path, workdir: Path, opts: PipelineOptions) -> Path:
    """extract + split once into WORKDIR/sentences.jsonl (atomic). The cover path
    is stored relative to the workdir so a moved workdir still binds."""
    from e2a_extract import extract
    from e2a_split import split

    rec_path = workdir / S.RECORDS
    if rec_path.exists():
        return rec_path
    assets = workdir / ASSETS_DIR
    xopts = ExtractOptions(assets_dir=assets, **{k: v for k, v in opts.extract.items()
                                                 if k in ExtractOptions.__dataclass_fields__})
    extra = {k: v for k, v in opts.extract.items() if k not in ExtractOptions.__dataclass_fields__}
    xopts.extra.update(extra)
    records: Iterable[dict] = extract(book, xopts)
    sopts = dict(opts.split)
    sopts.setdefault("engine", opts.engine)
    if opts.language:
        sopts.setdefault("language", opts.language)
    records = split(records, **sopts)
    with atomic_path(rec_path) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        for rec in records:
            if rec.get("kind") == "book" and rec.get("cover"):
                cover = Path(rec["cover"])
                try:
                    rec["cover"] = str(cover.resolve().relative_to(workdir.resolve()))
                except ValueError:
                    pass
            fh.write(dumps(rec) + "\n")
    return rec_path


def _read_saved(rec_path: Path) -> Iterator[dict]:
    with open(rec_path, encoding="utf-8") as fh:
        yield from read_records(fh, source=str(rec_path))


def convert(book: str | Path, opts: PipelineOptions | None = None, *,
            on_event: Event | None = None) -> PipelineResult:
    """Convert one ebook. Resumes from the session's workdir when one exists."""
    opts = opts or PipelineOptions()
    t0 = time.monotonic()
    book = Path(book)
    input_stat(book, "ebook file", regular=True)
    bhash = file_hash(book)
    session = S.safe_session_name(opts.session) if opts.session else default_session(bhash)
    workdir = Path(opts.workdir) if opts.workdir else S.workdir_for(session, bhash)
    fmt = _format_for(opts)
    language = normalize_language(opts.language)
    if language:
        opts.language = language

    new_session = not (workdir / S.CHECKPOINT).exists()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        with S.SessionLock(workdir):
            res = _convert_locked(book, opts, workdir=workdir, session=session, bhash=bhash,
                                  fmt=fmt, on_event=on_event)
    except E2AError as exc:
        # a book refused before anything was kept (unreadable, hostile, empty)
        # leaves no phantom session behind; otherwise the checkpoint says why
        if new_session and not (workdir / S.RECORDS).exists() and not S.is_locked(workdir):
            S.remove_workdir(workdir)
        elif (workdir / S.CHECKPOINT).exists() and not isinstance(exc, LockedError):
            S.Checkpoint.load(workdir).update(error=str(exc))
        raise
    res.seconds = time.monotonic() - t0
    if not res.skipped:
        stamp = _stamp_path(session, bhash)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(stamp, json.dumps({"book": str(book), "output": str(res.output),
                                             "key": job_key(opts, fmt.name),
                                             "finished": S.now_iso()}) + "\n")
        if not opts.keep_workdir:
            S.remove_workdir(workdir)
        log(f"{book}: wrote {res.output} ({res.audio_seconds / 60:.1f} min of audio in {res.seconds:.1f} s)")
    elif not opts.keep_workdir:
        S.remove_workdir(workdir)
    return res


def _convert_locked(book: Path, opts: PipelineOptions, *, workdir: Path, session: str, bhash: str,
                    fmt: Any, on_event: Event | None) -> PipelineResult:
    from e2a_bind import bind
    from e2a_speak import speak

    cp = S.Checkpoint.load(workdir)
    stamp = _stamp_path(session, bhash)
    if opts.force_restart and stamp.exists():
        stamp.unlink()
    if opts.force_restart and (cp.exists or (workdir / S.RECORDS).exists()):
        log(f"{book}: --force-restart: discarding session {session} ({workdir})")
        for child in workdir.iterdir():
            if child.name != S.LOCK:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        cp = S.Checkpoint.load(workdir)
    elif cp.exists and cp.data.get("stage") != "new":
        spoken = S.count_audio(workdir)
        log(f"{book}: found session {session}: stage {cp.data.get('stage')}, "
            f"{cp.data.get('sentences_spoken', 0)}/{cp.data.get('sentences_total', '?')} sentences spoken "
            f"({spoken} audio files), last activity {cp.data.get('updated')}; resuming")
        asked = cp.data.get("requested") or {}
        if asked and (asked.get("engine"), asked.get("voice")) != (opts.engine, opts.voice) \
                and cp.data.get("engine"):
            log(f"{book}: engine/voice changed from {cp.data.get('engine')}/{cp.data.get('voice')} "
                "(as used before): audio of the old voice is not reused")
        if cp.data.get("records_key") not in (None, records_key(opts)) and (workdir / S.RECORDS).exists():
            log(f"{book}: chapter selection or text options changed: extracting again "
                "(sentences already spoken are reused)")
            (workdir / S.RECORDS).unlink()
    cp.update(book=str(book), book_hash=bhash, session=session, language=opts.language,
              requested={"engine": opts.engine, "voice": opts.voice},
              records_key=records_key(opts), stage=cp.data.get("stage", "new"),
              error=None, started=S.now_iso())

    # 1-2. extract + split (once; saved in the workdir)
    _emit(on_event, stage="extract", book=str(book))
    if not (workdir / S.RECORDS).exists():
        cp.update(stage="extract")
        log(f"{book}: extracting and splitting")
    rec_path = prepare_records(book, workdir, opts)
    meta = next((r for r in _read_saved(rec_path) if r.get("kind") == "book"), {})
    total = sum(1 for r in _read_saved(rec_path) if r.get("kind") == "sentence")
    chapters = sum(1 for r in _read_saved(rec_path) if r.get("kind") == "chapter")
    if total == 0:
        raise InputError("no speakable text found", path=book)
    title = meta.get("title") or book.stem

    if opts.output:
        output = Path(opts.output)
    else:
        out_dir = Path(opts.audiobooks_dir) if opts.audiobooks_dir else S.home() / "audiobooks"
        output = out_dir / f"{_safe_filename(title + _selection_suffix(opts), book.stem)}" \
                           f".{fmt.extension.lstrip('.')}"
    check_writable(output)
    done = _read_json(stamp)
    if (output.exists() and not opts.force_restart and done.get("key") == job_key(opts, fmt.name)
            and done.get("output") == str(output)):
        log(f"{book}: {output} already converted with these options; nothing to do (--force-restart converts again)")
        return PipelineResult(book=book, output=output, workdir=workdir, session=session,
                              sentences=total, skipped=True)
    cp.update(stage="speak", title=title, sentences_total=total, chapters=chapters,
              output=str(output), format=fmt.name)
    log(f"{book}: {chapters} chapter{'' if chapters == 1 else 's'}, "
        f"{total} sentence{'' if total == 1 else 's'} -> {output}")

    # 3. speak (skips every sentence whose FLAC exists)
    progress = Progress(total, "speaking", force=opts.progress)
    state = {"done": 0, "audio": 0.0, "last": 0.0, "made": 0}

    def watch(records: Iterable[dict]) -> Iterator[dict]:
        for rec in records:
            if rec.get("kind") == "audio":
                cp.update(engine=rec.get("engine"), voice=rec.get("voice"))
            if rec.get("kind") == "spoken":
                state["done"] += 1
                dur = float(rec.get("duration") or 0.0)
                state["audio"] += dur
                progress.update(audio_s=dur)
                now = time.monotonic()
                if now - state["last"] > 2.0 or state["done"] == total:
                    state["last"] = now
                    cp.update(sentences_spoken=state["done"], audio_seconds=round(state["audio"], 3))
                    _emit(on_event, stage="speak", done=state["done"], total=total,
                          audio_seconds=state["audio"], chapter=rec.get("chapter"))
            yield rec

    sp_opts = dict(opts.speak)
    spoken = speak(_read_saved(rec_path), workdir, engine=opts.engine, voice=opts.voice,
                   language=opts.language, gpu=opts.gpu, workers=opts.workers,
                   batch_size=opts.batch_size, **sp_opts)

    # 4. bind (streams as sentences are spoken; writes the output atomically)
    def bind_stage(records: Iterable[dict]) -> Any:
        cp.update(stage="speak")
        return bind(records, output, workdir=workdir, fmt=fmt.name, **opts.bind)

    bound = bind_stage(watch(spoken))
    if getattr(bound, "duration_ms", None):
        state["audio"] = bound.duration_ms / 1000  # with the pauses: the audiobook's length
    progress.close()
    cp.update(stage="done", sentences_spoken=state["done"], audio_seconds=round(state["audio"], 3),
              output=str(output), finished=S.now_iso())
    _emit(on_event, stage="done", output=str(output), total=total)
    return PipelineResult(book=book, output=output, workdir=workdir, session=session,
                          sentences=total, audio_seconds=state["audio"])


def record_failure(book: Path, opts: PipelineOptions, error: BaseException) -> None:
    """Write the error into the session's checkpoint, when there is one."""
    try:
        bhash = file_hash(book)
    except OSError:
        return
    session = S.safe_session_name(opts.session) if opts.session else default_session(bhash)
    workdir = Path(opts.workdir) if opts.workdir else S.workdir_for(session, bhash)
    if (workdir / S.CHECKPOINT).exists():
        try:
            S.Checkpoint.load(workdir).update(error=str(error))
        except OSError:
            pass


def convert_many(books: list[Path], opts: PipelineOptions, *, on_event: Event | None = None
                 ) -> list[tuple[Path, PipelineResult | None, str | None]]:
    """Each book its own session; a failing book does not stop the rest."""
    results = []
    for i, book in enumerate(books, 1):
        if len(books) > 1:
            log(f"[{i}/{len(books)}] {book}")
        bopts = PipelineOptions(**{**opts.__dict__})
        if len(books) > 1:
            bopts.output = None  # one output per book, named from its title
            if opts.session:
                bopts.session = f"{opts.session}-{Path(book).stem}"
        try:
            results.append((book, convert(book, bopts, on_event=on_event), None))
        except E2AError as exc:
            warn(str(exc))
            record_failure(Path(book), bopts, exc)
            results.append((book, None, str(exc)))
    return results
