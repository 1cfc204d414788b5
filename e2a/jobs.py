"""Background conversion jobs for the web interface (and anything else that wants
them): a small job manager over ``e2a.pipeline.convert``.

* A job is one session: its options are saved as ``job.json`` next to the
  session's ``checkpoint.json`` (``$E2A_HOME/tmp/proc-{session}/{book_hash}/``),
  so a restarted server lists the same jobs and resumes the unfinished ones from
  their checkpoints. Nothing here knows how a book is converted: every job runs
  through ``convert()``, exactly as ``e2a pipeline`` does.
* At most ``max_jobs`` jobs run at once, each in a worker thread of the server
  process; closing a browser does not touch them.
* Cancel sets a flag that the pipeline's progress callback checks (between
  sentences); it stops the run the way Ctrl-C does, leaving a checkpoint that
  resumes.
* A finished job keeps its (small) ``checkpoint.json`` and ``job.json`` so it
  stays listed with its download; the sentence audio is removed to free disk.
"""
from __future__ import annotations

import collections
import json
import queue
import re
import shutil
import sys
import threading
import time
import traceback
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from e2a_common.errors import E2AError, InputError, LockedError
from e2a_common.hashing import file_hash, text_hash
from e2a_common.workdir import atomic_write_text

from . import session as S

JOB_FILE = "job.json"
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
ACTIVE = (QUEUED, RUNNING)
# what a job may set in PipelineOptions (everything else is the manager's business)
OPTION_KEYS = ("language", "engine", "voice", "output_format", "gpu", "workers", "extract")
# what a finished job keeps in its workdir
KEEP_AFTER_DONE = {JOB_FILE, S.CHECKPOINT, S.LOCK}
ETA_WINDOW_S = 60.0     # the ETA uses the speed over about this long


class JobCancelled(BaseException):
    """Raised from the progress callback to stop a run between sentences.

    A BaseException (like KeyboardInterrupt) on purpose: the pipeline treats a
    failing listener as harmless and carries on, and no stage may swallow a stop
    request in an ``except Exception`` clause. The run unwinds exactly as after
    Ctrl-C: atomic writes are rolled back, the checkpoint stays, the lock goes."""


class JobError(E2AError):
    """A request about a job that cannot be done (unknown job, still running...)."""


# ---------------------------------------------------------------- file names
def sanitize_filename(name: str, *, max_len: int = 120) -> str:
    """A safe single path component from an uploaded file's name: no folders,
    no '..', no control characters, no leading dot; keeps letters of every
    script, digits, spaces and ``._-()``."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]          # basename, both separators
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[^\w.\-() ]+", "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = re.sub(r"\.{2,}", ".", name)
    if not name or set(name) <= {"_", "."}:
        name = "book"
    if len(name) > max_len:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: max_len - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:max_len]
    return name


def inside(path: Path, folder: Path) -> bool:
    """True when PATH (after resolving links and '..') lies within FOLDER."""
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except (ValueError, OSError):
        return False


def session_name(book: Path, book_hash: str, options: dict[str, Any]) -> str:
    """Readable and deterministic: the same book with the same options is the
    same session (so it resumes); other options make another session."""
    stem = re.sub(r"[^A-Za-z0-9]+", "-", unicodedata.normalize("NFKD", book.stem)
                  .encode("ascii", "ignore").decode()).strip("-").lower()[:32] or "book"
    digest = text_hash(json.dumps({"book": book_hash, "options": options}, sort_keys=True,
                                  ensure_ascii=False, default=str), 8)
    return f"{stem}-{digest}"


# ---------------------------------------------------------------------- jobs
@dataclass
class Job:
    id: str                      # the session name
    book: str
    book_hash: str
    workdir: str
    options: dict[str, Any]
    status: str = QUEUED
    title: str | None = None
    output: str | None = None
    error: str | None = None
    created: str = field(default_factory=S.now_iso)
    updated: str = field(default_factory=S.now_iso)
    finished: str | None = None
    # live, not saved
    progress: dict[str, Any] = field(default_factory=dict)
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)

    SAVED = ("id", "book", "book_hash", "workdir", "options", "status", "title", "output",
             "error", "created", "updated", "finished")

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.SAVED}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Job":
        return cls(**{k: data[k] for k in cls.SAVED if k in data})

    def save(self, **changes: Any) -> None:
        """Write job.json (with CHANGES applied), then apply CHANGES in memory:
        whoever sees the new status can rely on the file saying the same."""
        changes["updated"] = S.now_iso()
        data = {**self.to_json(), **{k: v for k, v in changes.items() if k in self.SAVED}}
        wd = Path(self.workdir)
        wd.mkdir(parents=True, exist_ok=True)
        atomic_write_text(wd / JOB_FILE, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        for k, v in changes.items():
            setattr(self, k, v)

    def checkpoint(self) -> dict[str, Any]:
        return S.Checkpoint.load(Path(self.workdir)).data


def _human_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class JobManager:
    """Queue, run, cancel, resume and delete conversion jobs.

    ``convert`` is ``e2a.pipeline.convert`` unless a test hands in another
    callable with the same signature."""

    def __init__(self, home: Path | None = None, *, max_jobs: int = 1,
                 audiobooks_dir: Path | None = None, convert=None):
        self.home = Path(home) if home else S.home()
        self.audiobooks_dir = Path(audiobooks_dir) if audiobooks_dir else self.home / "audiobooks"
        self.max_jobs = max(1, int(max_jobs))
        self._convert = convert
        self._jobs: dict[str, Job] = {}
        self._lock = threading.RLock()
        self._queue: "queue.Queue[str | None]" = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._started = False
        self._stopping = False

    # -------------------------------------------------------------- lifecycle
    def start(self, *, resume: bool = True) -> list[str]:
        """Load saved jobs, start the workers, and requeue the jobs that were
        queued or running when the server stopped. Returns the requeued ids."""
        self._stopping = False
        requeued = []
        for job in self._load_saved():
            with self._lock:
                self._jobs[job.id] = job
            if job.status in ACTIVE:
                if S.is_locked(Path(job.workdir)):
                    continue  # another process (a CLI run?) works on it right now
                if resume:
                    job.save(status=QUEUED)
                    self._queue.put(job.id)
                    requeued.append(job.id)
                else:
                    job.save(status=CANCELLED, error="server restarted (not resumed)")
        if not self._started:
            self._started = True
            for i in range(self.max_jobs):
                t = threading.Thread(target=self._worker, name=f"e2a-job-{i}", daemon=True)
                t.start()
                self._threads.append(t)
        return requeued

    def stop(self, timeout: float = 10.0) -> None:
        """Server shutdown: ask running jobs to stop and end the workers. The
        stopped jobs are saved as queued, so the next start resumes them."""
        self._stopping = True
        with self._lock:
            running = [j for j in self._jobs.values() if j.status == RUNNING]
        for job in running:
            job.cancel_event.set()
        for _ in self._threads:
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self._threads.clear()
        self._started = False

    def _load_saved(self) -> list[Job]:
        root = S.sessions_root(self.home)
        jobs = []
        for path in sorted(root.glob(f"proc-*/*/{JOB_FILE}")):
            try:
                job = Job.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                print(f"e2a gui: warning: {path}: unreadable job file, ignored", file=sys.stderr)
                continue
            job.workdir = str(path.parent)  # the folder may have been moved
            jobs.append(job)
        return jobs

    # ---------------------------------------------------------------- submit
    def submit(self, book: str | Path, options: dict[str, Any] | None = None, *,
               title: str | None = None) -> Job:
        """Queue a conversion of BOOK. The same book with the same options is the
        same job: submitting it again returns the existing job (requeued if it
        had stopped). The audiobook is named after TITLE (else the file name) in
        the audiobooks folder, with " (2)", " (3)"... when that name is taken, so
        two conversions of one book never overwrite or skip each other."""
        book = Path(book).resolve()
        if not book.is_file():
            raise InputError("no such file", path=book)
        opts = {k: v for k, v in (options or {}).items() if k in OPTION_KEYS and v not in (None, "", {})}
        bhash = file_hash(book)
        sid = session_name(book, bhash, opts)
        with self._lock:
            job = self._jobs.get(sid)
            if job is not None:
                if job.status in ACTIVE:
                    return job
                if job.status == DONE and job.output and Path(job.output).exists():
                    return job
                return self._requeue(job)
            job = Job(id=sid, book=str(book), book_hash=bhash,
                      workdir=str(S.workdir_for(sid, bhash, self.home)), options=opts, title=title)
            job.output = str(self._plan_output(title or book.stem, opts.get("output_format")))
            job.save()
            self._jobs[sid] = job
        self._queue.put(sid)
        return job

    def _plan_output(self, title: str, fmt_name: str | None) -> Path:
        from e2a_common import plugins

        from .pipeline import _safe_filename

        ext = plugins.get_format(fmt_name or "m4b").extension.lstrip(".")
        stem = _safe_filename(title, "audiobook")
        with self._lock:
            taken = {j.output for j in self._jobs.values() if j.output}
        for n in range(1, 1000):
            cand = self.audiobooks_dir / (f"{stem}.{ext}" if n == 1 else f"{stem} ({n}).{ext}")
            if str(cand) not in taken and not cand.exists():
                return cand
        raise JobError(f"{self.audiobooks_dir}: too many audiobooks named {stem!r}")

    def _requeue(self, job: Job) -> Job:
        job.progress = {}
        job.cancel_event = threading.Event()
        job.save(status=QUEUED, error=None)
        self._queue.put(job.id)
        return job

    # ------------------------------------------------------------- controls
    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            adopted = self._adopt(job_id)
            if adopted is None:
                raise JobError(f"no job or session named {job_id!r}")
            return adopted
        return job

    def cancel(self, job_id: str) -> Job:
        job = self.get(job_id)
        with self._lock:
            if job.status == QUEUED:
                job.save(status=CANCELLED)
            elif job.status == RUNNING:
                job.cancel_event.set()  # the worker marks it cancelled when the run stops
            else:
                raise JobError(f"{job_id}: not running ({job.status})")
        return job

    def resume(self, job_id: str) -> Job:
        job = self.get(job_id)
        with self._lock:
            if job.status in ACTIVE:
                return job
            if job.status == DONE and job.output and Path(job.output).exists():
                raise JobError(f"{job_id}: already finished")
            if S.is_locked(Path(job.workdir)):
                raise JobError(f"{job_id}: another e2a run is working on this session")
            if not Path(job.book).is_file():
                raise JobError(f"{job_id}: the ebook is gone: {job.book}")
            return self._requeue(job)

    def delete(self, job_id: str, *, output: bool = False) -> None:
        """Remove the session's workdir (and, with output=True, its audiobook
        when it lies in the audiobooks folder). Refuses while it runs."""
        job = self.get(job_id)
        with self._lock:
            if job.status == RUNNING or S.is_locked(Path(job.workdir)):
                raise JobError(f"{job_id}: running; cancel it first")
            if job.status == QUEUED:
                job.status = CANCELLED  # a worker that pops it skips it
            if output and job.output and inside(Path(job.output), self.audiobooks_dir):
                Path(job.output).unlink(missing_ok=True)
            S.remove_workdir(Path(job.workdir))
            self._jobs.pop(job_id, None)

    def download_path(self, job_id: str) -> Path:
        """The finished audiobook, only if it lies in the audiobooks folder."""
        job = self.get(job_id)
        if job.status != DONE or not job.output:
            raise JobError(f"{job_id}: not finished")
        out = Path(job.output)
        if not inside(out, self.audiobooks_dir):
            raise JobError(f"{job_id}: output {out} is outside the audiobooks folder")
        if not out.is_file():
            raise JobError(f"{job_id}: output file is gone: {out}")
        return out.resolve()

    def _adopt(self, job_id: str) -> Job | None:
        """A session started elsewhere (e.g. `e2a pipeline`) becomes a job the
        interface can resume, from what its checkpoint says."""
        for info in S.list_sessions(self.home):
            if info.name != job_id:
                continue
            cp = info.checkpoint
            book = cp.get("book")
            if not book:
                return None
            stage = cp.get("stage")
            job = Job(id=info.name, book=str(Path(book).resolve()), book_hash=cp.get("book_hash") or "",
                      workdir=str(info.workdir),
                      options={k: cp[k] for k in ("engine", "voice", "language") if cp.get(k)},
                      status=DONE if stage == "done" else (RUNNING if info.locked else FAILED),
                      title=cp.get("title"), output=cp.get("output"), error=cp.get("error"))
            if cp.get("format"):
                job.options["output_format"] = cp["format"]
            if job.status == FAILED and not job.error:
                job.error = "stopped (started outside the web interface)"
            with self._lock:
                self._jobs[job.id] = job
            if not info.locked:
                job.save()
            return job
        return None

    # ----------------------------------------------------------------- views
    def jobs(self) -> list[Job]:
        with self._lock:
            for job in list(self._jobs.values()):   # removed by `e2a sessions clean`?
                if job.status not in ACTIVE and not Path(job.workdir).exists():
                    del self._jobs[job.id]
            return sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)

    def rows(self) -> list[dict[str, Any]]:
        """One row per session: the manager's jobs and every other session
        under $E2A_HOME/tmp (for instance CLI runs), with checkpoint state."""
        rows = []
        seen = set()
        for job in self.jobs():
            seen.add(str(Path(job.workdir)))
            rows.append(self.describe(job))
        # not S.list_sessions(): it measures every workdir's size, too slow to do
        # every 2 s for books with tens of thousands of sentence files
        for wd in sorted(S.sessions_root(self.home).glob("proc-*/*/")):
            if str(wd) in seen or str(Path(wd)) in seen or not wd.is_dir():
                continue
            cp = S.Checkpoint.load(wd).data
            locked = S.is_locked(wd)
            rows.append({"session": wd.parent.name[len("proc-"):],
                         "title": cp.get("title") or Path(cp.get("book") or "?").name,
                         "status": RUNNING if locked else ("done" if cp.get("stage") == "done" else "stopped"),
                         "stage": cp.get("stage", "new"), "done": cp.get("sentences_spoken") or 0,
                         "total": cp.get("sentences_total"), "audio_seconds": cp.get("audio_seconds") or 0.0,
                         "chapter": None, "eta_seconds": None, "output": cp.get("output"),
                         "error": cp.get("error"), "updated": cp.get("updated"), "managed": False})
        return rows

    def describe(self, job: Job) -> dict[str, Any]:
        cp = job.checkpoint()
        p = job.progress
        total = p.get("total") or cp.get("sentences_total")
        done = p.get("done", cp.get("sentences_spoken") or 0)
        if job.status == DONE and total:
            done = total
        return {"session": job.id, "title": job.title or cp.get("title") or Path(job.book).name,
                "status": job.status, "stage": p.get("stage") or cp.get("stage", "new"),
                "done": done, "total": total,
                "audio_seconds": p.get("audio_seconds", cp.get("audio_seconds") or 0.0),
                "chapter": p.get("chapter_title"), "eta_seconds": p.get("eta_seconds"),
                "output": job.output, "error": job.error, "updated": cp.get("updated") or job.updated,
                "managed": True, "engine": job.options.get("engine") or cp.get("engine"),
                "voice": job.options.get("voice") or cp.get("voice")}

    # ---------------------------------------------------------------- worker
    def _worker(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None:
                return
            with self._lock:
                job = self._jobs.get(job_id)
                if job is None or job.status != QUEUED:
                    continue
                job.progress = {"stage": "starting"}
                job.save(status=RUNNING)
            try:
                self._run(job)
            except BaseException as exc:  # never let a worker thread die
                traceback.print_exc()
                job.save(status=FAILED, error=f"internal error: {exc!r}")

    def _options(self, job: Job):
        from .pipeline import PipelineOptions

        o = job.options
        return PipelineOptions(
            session=job.id, language=o.get("language"), engine=o.get("engine") or "piper",
            voice=o.get("voice"), output_format=o.get("output_format"), gpu=bool(o.get("gpu")),
            workers=o.get("workers"), audiobooks_dir=self.audiobooks_dir,
            output=Path(job.output) if job.output else None,
            keep_workdir=True,      # the job stays listed; _free_audio() frees the audio
            progress=False, extract=dict(o.get("extract") or {}))

    def _run(self, job: Job) -> None:
        convert = self._convert
        if convert is None:
            from .pipeline import convert
        opts = self._options(job)
        opts.workdir = Path(job.workdir)
        chapters: dict[Any, str] = {}
        samples: "collections.deque[tuple[float, int]]" = collections.deque()

        def on_event(ev: dict) -> None:
            if job.cancel_event.is_set() and ev.get("stage") != "done":
                raise JobCancelled()
            p = dict(job.progress)
            p["stage"] = ev.get("stage", p.get("stage"))
            if ev.get("stage") == "speak":
                done, total = int(ev.get("done") or 0), int(ev.get("total") or 0)
                now = time.monotonic()
                if not chapters:
                    chapters.update(_chapter_titles(Path(job.workdir)))
                p.update(done=done, total=total, audio_seconds=float(ev.get("audio_seconds") or 0.0),
                         chapter=ev.get("chapter"))
                p["chapter_title"] = chapters.get(ev.get("chapter"), ev.get("chapter"))
                # speed over the last minute or so: a resumed run first races through
                # the sentences spoken before, which says nothing about what is left
                samples.append((now, done))
                while len(samples) > 2 and now - samples[1][0] >= ETA_WINDOW_S:
                    samples.popleft()
                (t_old, d_old) = samples[0]
                if done > d_old and now > t_old:
                    p["eta_seconds"] = (total - done) * (now - t_old) / (done - d_old)
                if done >= total:
                    p["stage"], p["eta_seconds"] = "bind", None
            elif ev.get("stage") == "done":
                p["eta_seconds"] = None
            job.progress = p

        try:
            result = convert(job.book, opts, on_event=on_event)
        except JobCancelled:
            if self._stopping:   # the server is shutting down: resume at the next start
                job.progress = {**job.progress, "stage": "interrupted", "eta_seconds": None}
                job.save(status=QUEUED, error=None)
                return
            job.progress = {**job.progress, "stage": "cancelled", "eta_seconds": None}
            job.save(status=CANCELLED, error=None)
            return
        except LockedError as exc:
            job.save(status=FAILED, error=str(exc))
            return
        except E2AError as exc:
            _checkpoint_error(job, exc)
            job.save(status=FAILED, error=str(exc), title=job.title or job.checkpoint().get("title"))
            return
        except Exception as exc:  # an engine bug must not take the server down
            traceback.print_exc()
            _checkpoint_error(job, exc)
            job.save(status=FAILED, error=f"{type(exc).__name__}: {exc}",
                     title=job.title or job.checkpoint().get("title"))
            return
        title = job.title or job.checkpoint().get("title")
        _free_audio(Path(job.workdir))
        job.progress = {**job.progress, "stage": "done", "eta_seconds": None,
                        "done": result.sentences, "total": result.sentences,
                        "audio_seconds": result.audio_seconds}
        job.save(status=DONE, error=None, output=str(result.output) if result.output else None,
                 finished=S.now_iso(), title=title)

    def status_line(self, row: dict[str, Any]) -> str:
        return format_progress(row)


def format_progress(row: dict[str, Any]) -> str:
    """'123/456 sentences (27%) · 0:12:03 of audio · ETA 4:10' for humans."""
    total, done = row.get("total"), row.get("done") or 0
    parts = []
    if total:
        parts.append(f"{done}/{total} sentences ({100 * done // max(total, 1)}%)")
    if row.get("audio_seconds"):
        parts.append(f"{_human_duration(row['audio_seconds'])} of audio")
    if row.get("eta_seconds") is not None and row.get("status") == RUNNING:
        parts.append(f"ETA {_human_duration(row['eta_seconds'])}")
    return " · ".join(parts)


def _chapter_titles(workdir: Path) -> dict[Any, str]:
    titles: dict[Any, str] = {}
    try:
        with open(workdir / S.RECORDS, encoding="utf-8") as fh:
            for line in fh:
                if "chapter" not in line:
                    continue
                rec = json.loads(line)
                if rec.get("kind") == "chapter":
                    titles[rec.get("index")] = rec.get("title") or f"Chapter {rec.get('index')}"
    except (OSError, ValueError):
        pass
    return titles


def _checkpoint_error(job: Job, exc: BaseException) -> None:
    cp = S.Checkpoint.load(Path(job.workdir))
    if cp.exists:
        try:
            cp.update(error=str(exc))
        except OSError:
            pass


def _free_audio(workdir: Path) -> None:
    """After success: keep only job.json and checkpoint.json (the job stays
    listed and downloadable); the sentence audio and records go."""
    for child in workdir.iterdir():
        if child.name in KEEP_AFTER_DONE:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
