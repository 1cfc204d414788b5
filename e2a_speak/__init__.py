"""e2a-speak: ``sentence`` records in, one FLAC per sentence, ``spoken`` records out.

    for rec in speak(records, "work"):
        ...

Emits one ``audio`` record (workdir, engine, voice, sample rate) just before the
first ``spoken`` record (or at the end when there is no sentence), then one
``spoken`` record per sentence in input order; every other record passes
through in place. Each sentence's FLAC is named by a hash of the engine, the
voice identity, every audio-changing setting and the text, written under a
temporary name and renamed, and skipped on the next run when it decodes fully.
"""
from __future__ import annotations

import contextlib
import os
import queue
import sys
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Iterable, Iterator

from e2a_common import EngineError, RecordError
from e2a_common.audio import AudioInfo, as_mono_float32, resample, verify_flac, write_flac
from e2a_common.console import Progress, _fmt_duration, log, warn
from e2a_common.hashing import cache_key
from e2a_common.plugins import engines as all_engines
from e2a_common.plugins import get_engine
from e2a_common.records import AUDIO, SENTENCE, SPOKEN
from e2a_common.workdir import PART_SUFFIX, audio_relpath, ensure

__all__ = ["speak", "parse_shard", "Job", "SpeakPlan"]

DEFAULT_ENGINE = "piper"
FALLBACK_ENGINE = "espeak-ng"


def parse_shard(shard: str | tuple[int, int] | None) -> tuple[int, int] | None:
    """'I/N' (1-based, 1 <= I <= N) -> (I, N)."""
    if shard is None or shard == "":
        return None
    if isinstance(shard, tuple):
        i, n = shard
    else:
        try:
            a, b = str(shard).split("/")
            i, n = int(a), int(b)
        except ValueError:
            raise EngineError(f"--shard {shard!r}: expected I/N, e.g. 1/4") from None
    if not (n >= 1 and 1 <= i <= n):
        raise EngineError(f"--shard {i}/{n}: need 1 <= I <= N")
    return i, n


def in_shard(key: str, shard: tuple[int, int] | None) -> bool:
    if shard is None:
        return True
    i, n = shard
    return int(key[:12], 16) % n == i - 1


# ---------------------------------------------------------------- planning
class SpeakPlan:
    """The resolved engine and voice for one run, and how sentences map to files."""

    def __init__(self, engine_name: str, voice_spec: str | None, language: str | None,
                 gpu: bool, settings: dict | None, sample_rate: int | None):
        self.engine_name = engine_name
        self.voice_spec = voice_spec
        self.language = language
        self.gpu = gpu
        self.settings = dict(settings or {})
        self.engine = get_engine(engine_name)
        if gpu and not getattr(self.engine, "supports_gpu", False):
            raise EngineError(f"--gpu: engine {engine_name!r} cannot use a GPU")
        self.voice = self.engine.load_voice(voice_spec, language=language, gpu=gpu,
                                            settings=self.settings)
        self.voice_rate = int(self.voice.sample_rate)
        self.sample_rate = int(sample_rate or self.voice_rate)
        if not 8000 <= self.sample_rate <= 192000:
            raise EngineError(f"--sample-rate {self.sample_rate}: expected 8000..192000 Hz")
        self.key_settings = {**dict(self.voice.settings), "sample_rate": self.sample_rate}
        self.voice_name = getattr(self.voice, "name", None) or self.voice.identity.split("@")[0]
        # what a worker passes to load_voice to get exactly this voice
        self.voice_spec_resolved = getattr(self.voice, "spec", None) or voice_spec

    def key(self, text: str) -> str:
        return cache_key(engine=self.engine.name, voice=self.voice.identity,
                         settings=self.key_settings, text=text)

    def audio_record(self, workdir: str) -> dict:
        return {"kind": AUDIO, "workdir": workdir, "engine": self.engine.name,
                "voice": self.voice_name, "sample_rate": self.sample_rate}


class Job:
    __slots__ = ("text", "final")

    def __init__(self, text: str, final: Path):
        self.text = text
        self.final = final


def render(voice, job: Job, voice_rate: int, out_rate: int) -> AudioInfo:
    """Synthesize one sentence and write its FLAC atomically."""
    text = job.text
    pcm16 = getattr(voice, "synthesize_pcm16", None)
    if text.strip() and pcm16 is not None and voice_rate == out_rate:
        # the engine's own 16-bit samples go to FLAC as they are: no float round trip
        return write_flac(job.final, pcm16(text), out_rate)
    if text.strip():
        samples = as_mono_float32(voice.synthesize(text))
    else:  # engines crash on empty text; a blank sentence is a moment of silence
        samples = as_mono_float32([])
    samples = resample(samples, voice_rate, out_rate)
    return write_flac(job.final, samples, out_rate)


# ---------------------------------------------------------------- reading
_END = object()


class _ReadAhead:
    """Reads the input in a thread so progress knows how many sentences are
    coming. Errors from the input are re-raised in the consumer, in order."""

    def __init__(self, records: Iterable[dict], limit: int = 200_000):
        self.q: queue.Queue = queue.Queue(maxsize=limit)
        self.sentences = 0
        self.finished = False
        self.tick = 0.2
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, args=(iter(records),), daemon=True,
                                   name="e2a-speak-reader")
        self._t.start()

    def _put(self, item) -> bool:
        while not self._stop.is_set():
            try:
                self.q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, it: Iterator[dict]) -> None:
        try:
            for rec in it:
                if isinstance(rec, dict) and rec.get("kind") == SENTENCE:
                    self.sentences += 1
                if not self._put(("rec", rec)):
                    return
        except BaseException as exc:  # handed to the consumer
            self._put(("err", exc))
            return
        self.finished = True
        self._put(("end", None))

    def __iter__(self) -> Iterator[dict | None]:
        """Records in order; None when nothing arrived for ``tick`` seconds (so the
        consumer can emit finished work while the input is slow)."""
        try:
            while True:
                try:
                    tag, val = self.q.get(timeout=self.tick)
                except queue.Empty:
                    yield None
                    continue
                if tag == "rec":
                    yield val
                elif tag == "err":
                    raise val
                else:
                    return
        finally:
            self._stop.set()


STALE_PART_S = 3600


def _remove_stale_parts(final: Path) -> None:
    """Temporary files a killed run left for this sentence. Only old ones: on a
    shared workdir another machine may be writing one right now."""
    try:
        now = time.time()
        for p in final.parent.glob(f".{final.stem}.*{PART_SUFFIX}{final.suffix}"):
            with contextlib.suppress(OSError):
                if now - p.stat().st_mtime > STALE_PART_S:
                    p.unlink()
    except OSError:
        pass


# ---------------------------------------------------------------- the stage
# ISO 639 codes that name no language: "undetermined", "no linguistic content",
# "multiple", "uncoded". They mean "unknown" here, never a voice to look for.
UNKNOWN_LANGUAGES = {"und", "zxx", "mul", "mis"}


def _normalize_language(code: str | None) -> str | None:
    """'fra' -> 'fr', 'fr_FR' -> 'fr-FR' (e2a.languages), so engines see one form."""
    if not code or code.split("-")[0].split("_")[0].lower() in UNKNOWN_LANGUAGES:
        return None
    try:
        from e2a.languages import normalize_language
    except ImportError:
        return code
    return normalize_language(code)


def _pick_engine(engine: str | None, voice: str | None, language: str | None) -> str:
    name = engine or DEFAULT_ENGINE
    if voice is None and language and name == DEFAULT_ENGINE:
        eng = all_engines().get(name)
        has = getattr(eng, "has_voice_for", None)
        if eng is not None and has is not None and not has(language):
            if FALLBACK_ENGINE in all_engines():
                warn(f"no {name} voice installed for language {language!r}; using "
                     f"{FALLBACK_ENGINE} (install a voice, or pass --voice PATH.onnx)")
                return FALLBACK_ENGINE
    return name


def speak(records: Iterable[dict], workdir: str | Path, *, engine: str | None = "piper",
          voice: str | None = None, language: str | None = None, gpu: bool = False,
          workers: int | None = None, shard: str | tuple[int, int] | None = None,
          progress: bool | None = None, settings: dict[str, Any] | None = None,
          sample_rate: int | None = None, batch_size: int | None = None) -> Iterator[dict]:
    """Turn ``sentence`` records into FLACs and ``spoken`` records (see module doc).

    ``engine`` None or "piper" with no ``voice`` falls back to espeak-ng for a
    language Piper has no voice for. ``language`` overrides the book's.
    ``workers``: parallel synthesis workers (None: the engine's measured best).
    ``shard`` "I/N": speak only the sentences whose key falls in shard I of N
    (only those are emitted). ``progress``: None = on a terminal only.
    ``settings``: engine settings (they go into the cache key).
    ``sample_rate``: resample everything to this rate (default: the voice's).
    ``batch_size``: sentences per ``Voice.synthesize_batch()`` call, in one
    process holding the model (None: the voice's ``batch_size`` with ``gpu``,
    else 1; ignored with a warning for a voice that cannot batch).
    """
    if engine is not None:
        get_engine(engine)        # an unknown name fails before any record is written
    shard_t = parse_shard(shard)
    check_batch_size(batch_size, workers)
    wd_str = str(workdir)
    wd = ensure(workdir)
    reader = _ReadAhead(records)
    it = iter(reader)
    book_lang: str | None = None
    plan: SpeakPlan | None = None
    prog: Progress | None = None
    pending: deque = deque()      # [tag, record, key/None, future/None]
    in_flight: dict = {}          # key -> future, so a repeated sentence is spoken once
    pool = None
    stats = {"made": 0, "skipped": 0, "audio": 0.0}
    started = time.monotonic()

    def make_plan(first: dict) -> SpeakPlan:
        given = language or book_lang or first.get("language") or None
        lang = _normalize_language(given)
        if lang is None and engine in (None, DEFAULT_ENGINE) and voice is None:
            warn(f"the book's language is unknown ({given or 'not given'}); speaking with the "
                 f"default voice; pass --language to choose")
        name = _pick_engine(engine, voice, lang)
        if gpu and name != (engine or DEFAULT_ENGINE):
            raise EngineError(f"--gpu: there is no {engine or DEFAULT_ENGINE} voice for language "
                              f"{lang!r}, and {name}, used instead, runs on the CPU only; pass "
                              f"--voice PATH.onnx (a Piper voice for that language), or drop --gpu")
        return SpeakPlan(name, voice, lang, gpu, settings, sample_rate)

    def spoken(rec: dict, key: str, info: AudioInfo, skipped: bool) -> dict:
        out = dict(rec)
        out["kind"] = SPOKEN
        out["audio"] = audio_relpath(key)
        out["duration"] = round(info.frames / info.sample_rate, 6)
        out["sample_rate"] = info.sample_rate
        if skipped:
            stats["skipped"] += 1
        else:
            stats["made"] += 1
        stats["audio"] += out["duration"]
        if prog is not None:
            prog.total = reader.sentences if shard_t is None else None
            prog.update(audio_s=out["duration"], skipped=skipped)
        return out

    try:
        for rec in it:
            if rec is None:           # input is slow: hand on what is finished
                while pending and (pending[0][0] != "job" or pending[0][3].done()):
                    yield from _emit_head(pending, spoken)
                continue
            kind = rec.get("kind")
            if kind == "book" and isinstance(rec.get("language"), str):
                book_lang = rec["language"]
            if kind != SENTENCE:
                if pending:
                    pending.append(["rec", rec, None, None])
                else:
                    yield rec
                continue
            text = rec.get("text")
            if not isinstance(text, str):
                raise RecordError("sentence record lacks a text string", line=rec.get("_line"))
            if not isinstance(rec.get("id"), str) or not rec["id"]:
                raise RecordError("sentence record has no id", line=rec.get("_line"))
            if not isinstance(rec.get("chapter"), int) or isinstance(rec.get("chapter"), bool):
                raise RecordError("sentence record has no chapter number", line=rec.get("_line"))
            if plan is None:
                plan = make_plan(rec)
                pool = _make_pool(plan, workers, batch_size)
                if progress is not False:
                    prog = Progress(reader.sentences, "speak", force=bool(progress))
                yield plan.audio_record(wd_str)
            key = plan.key(text)
            if not in_shard(key, shard_t):
                continue
            final = wd / audio_relpath(key)
            info = verify_flac(final)
            if info is not None and info.sample_rate != plan.sample_rate:
                info = None
            if info is None and final.exists():
                warn(f"{final}: damaged or unreadable audio; speaking it again")
            if info is not None:
                item = ["done", rec, key, info]
            elif key in in_flight and not in_flight[key].done():
                item = ["job", rec, key, in_flight[key]]     # same text again: one synthesis
            else:
                _remove_stale_parts(final)
                fut = pool.submit(Job(text, final))
                in_flight[key] = fut
                item = ["job", rec, key, fut]
            if len(in_flight) > 4 * pool.window:
                for k in [k for k, f in in_flight.items() if f.done()]:
                    del in_flight[k]
            pending.append(item)
            # emit everything finished at the head; keep at most pool.window in flight
            while pending and (pending[0][0] != "job" or pending[0][3].done()
                               or sum(1 for p in pending if p[0] == "job") > pool.window):
                yield from _emit_head(pending, spoken)
        if plan is None:  # no sentence at all: still say which audio this would be
            plan = make_plan({})
            yield plan.audio_record(wd_str)
        while pending:
            yield from _emit_head(pending, spoken)
    finally:
        if pool is not None:
            pool.close()
        if prog is not None:
            prog.close()
        if plan is not None and (stats["made"] or stats["skipped"]):
            took = time.monotonic() - started
            log(f"{stats['made']} sentence(s) spoken, {stats['skipped']} already done; "
                f"{_fmt_duration(stats['audio'])} of audio in {_fmt_duration(took)}")
        if plan is not None:
            plan.voice.close()


def _emit_head(pending: deque, spoken) -> Iterator[dict]:
    tag, rec, key, val = pending.popleft()
    if tag == "rec":
        yield rec
    elif tag == "done":
        yield spoken(rec, key, val, True)
    else:
        try:
            info = val.result()
        except EngineError as exc:
            where = f"sentence {rec.get('id', '?')}"
            if str(exc).startswith(where):
                raise
            raise EngineError(f"{where}: {exc}") from exc
        except Exception as exc:
            raise EngineError(f"sentence {rec.get('id', '?')}: synthesis failed: "
                              f"{type(exc).__name__}: {exc}") from exc
        yield spoken(rec, key, info, False)


# ---------------------------------------------------------------- workers
def cpu_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS
        return max(1, os.cpu_count() or 1)


def default_workers(engine, cores: int | None = None) -> int:
    """The worker count bench/speak measured best for this engine and core count
    (an engine may say so itself with ``default_workers(cores)``)."""
    cores = cores or cpu_count()
    fn = getattr(engine, "default_workers", None)
    if callable(fn):
        return max(1, int(fn(cores)))
    return cores


class _Done:
    """A finished 'future' for inline synthesis."""

    def __init__(self, fn, *a):
        try:
            self._r, self._e = fn(*a), None
        except Exception as exc:
            self._r, self._e = None, exc

    def done(self) -> bool:
        return True

    def result(self):
        if self._e is not None:
            raise self._e
        return self._r


class _InlinePool:
    """Synthesis in this process, one sentence at a time."""

    window = 1

    def __init__(self, plan: SpeakPlan, threads: int | None):
        self.plan = plan
        _set_threads(plan.voice, threads)

    def submit(self, job: Job) -> _Done:
        return _Done(render, self.plan.voice, job, self.plan.voice_rate, self.plan.sample_rate)

    def close(self) -> None:
        pass


def check_batch_size(batch_size: int | None, workers: int | None) -> None:
    """--batch-size is 1 or more, and batching runs in one process."""
    if batch_size is None:
        return
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise EngineError(f"--batch-size {batch_size!r}: expected a whole number, 1 or more")
    if batch_size > 1 and workers is not None and workers > 1:
        raise EngineError(f"--batch-size {batch_size} with --workers {workers}: batches are "
                          "spoken by one process holding the model; give only one of them above 1")


def pick_batch_size(plan: SpeakPlan, workers: int | None, batch_size: int | None) -> int:
    """Sentences per synthesize_batch() call: the one asked for; else, with
    --gpu and no --workers, the voice's preferred batch_size; else 1. A voice
    that cannot batch (batch_size 1) speaks one at a time."""
    preferred = int(getattr(plan.voice, "batch_size", 1) or 1)
    if batch_size is None:
        return preferred if plan.gpu and not (workers and workers > 1) else 1
    if batch_size > 1 and preferred <= 1:
        warn(f"--batch-size {batch_size}: {plan.engine.name} voice {plan.voice_name} speaks "
             "one sentence at a time (it cannot batch); ignoring --batch-size")
        return 1
    return batch_size


class _Given:
    """A 'voice' that returns audio already made, so render() writes a batch
    member exactly as it writes a sentence spoken alone."""

    def __init__(self, samples):
        self.samples = samples

    def synthesize(self, text: str):
        return self.samples


class _BatchFuture:
    """Resolved when its batch is spoken: result() speaks a partial batch at
    once; done() does after MAX_WAIT_S (the input is slow)."""

    __slots__ = ("_pool", "_res")

    def __init__(self, pool: "_BatchPool"):
        self._pool = pool
        self._res: _Done | None = None

    def done(self) -> bool:
        if self._res is None:
            self._pool.flush_if_waiting()
        return self._res is not None

    def result(self):
        if self._res is None:
            self._pool.flush()
        return self._res.result()


class _BatchPool:
    """Synthesis in this process (one model; with --gpu on one GPU), up to
    ``window`` sentences per Voice.synthesize_batch() call. Each FLAC is then
    written by render(), as for a sentence spoken alone. A batch that fails is
    spoken again one sentence at a time, so an error names its sentence and
    the others are kept."""

    MAX_WAIT_S = 0.5

    def __init__(self, plan: SpeakPlan, batch_size: int, threads: int | None):
        self.plan = plan
        self.window = batch_size
        self._queue: list[tuple[Job, _BatchFuture]] = []
        self._since = 0.0
        self._warned = False
        self.batches: list[int] = []      # sizes of the synthesize_batch() calls made
        _set_threads(plan.voice, threads)

    def submit(self, job: Job) -> _BatchFuture:
        fut = _BatchFuture(self)
        if not self._queue:
            self._since = time.monotonic()
        self._queue.append((job, fut))
        if len(self._queue) >= self.window:
            self.flush()
        return fut

    def flush_if_waiting(self) -> None:
        if self._queue and time.monotonic() - self._since >= self.MAX_WAIT_S:
            self.flush()

    def flush(self) -> None:
        batch, self._queue = self._queue, []
        if not batch:
            return
        p = self.plan
        spoken = [i for i, (job, _) in enumerate(batch) if job.text.strip()]
        audio: dict[int, Any] = {}
        if len(spoken) > 1:
            try:
                got = list(p.voice.synthesize_batch([batch[i][0].text for i in spoken]))
                if len(got) != len(spoken):
                    raise EngineError(f"synthesize_batch returned {len(got)} arrays "
                                      f"for {len(spoken)} texts")
                audio = dict(zip(spoken, got))
                self.batches.append(len(spoken))
            except Exception as exc:
                if not self._warned:
                    warn(f"batch synthesis failed ({type(exc).__name__}: {exc}); "
                         "speaking that batch one sentence at a time")
                    self._warned = True
        for i, (job, fut) in enumerate(batch):
            voice = _Given(audio[i]) if i in audio else p.voice
            fut._res = _Done(render, voice, job, p.voice_rate, p.sample_rate)

    def close(self) -> None:
        self._queue = []


def _set_threads(voice, threads: int | None) -> None:
    fn = getattr(voice, "set_threads", None)
    if callable(fn):
        fn(threads)


class _ThreadPool:
    """N threads, each with its own voice: for engines that leave the GIL while
    they work (a subprocess, or a native library that releases it)."""

    def __init__(self, plan: SpeakPlan, workers: int, threads: int | None):
        from concurrent.futures import ThreadPoolExecutor

        self.plan = plan
        self.window = workers * 2
        self._local = threading.local()
        self._voices: list = []
        self._lock = threading.Lock()
        self._threads = threads
        self._ex = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="e2a-speak")

    def _voice(self):
        v = getattr(self._local, "voice", None)
        if v is None:
            p = self.plan
            with self._lock:
                v = p.voice if not self._voices else p.engine.load_voice(
                    p.voice_spec_resolved, language=p.language, gpu=p.gpu, settings=p.settings)
                self._voices.append(v)
            _set_threads(v, self._threads)
            self._local.voice = v
        return v

    def _run(self, job: Job) -> AudioInfo:
        return render(self._voice(), job, self.plan.voice_rate, self.plan.sample_rate)

    def submit(self, job: Job):
        return self._ex.submit(self._run, job)

    def close(self) -> None:
        self._ex.shutdown(wait=True, cancel_futures=True)
        for v in self._voices[1:]:
            v.close()


_worker_state: dict = {}


def _die_with_parent(parent: int) -> None:
    """Linux: a worker dies with its parent, so killing e2a-speak (SIGKILL, OOM
    killer, docker stop) stops its workers too instead of leaving them running."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        PR_SET_PDEATHSIG = 1
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:     # the parent is already gone
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _worker_init(parent, engine_name, voice_spec, language, gpu, settings, threads, identity,
                 voice_rate, out_rate) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)   # the parent handles Ctrl-C
    _die_with_parent(parent)
    eng = get_engine(engine_name)
    voice = eng.load_voice(voice_spec, language=language, gpu=gpu, settings=settings)
    if voice.identity != identity:
        raise EngineError(f"worker loaded voice {voice.identity}, expected {identity}")
    _set_threads(voice, threads)
    _worker_state.update(voice=voice, voice_rate=voice_rate, out_rate=out_rate)


def _worker_render(job: Job) -> AudioInfo:
    st = _worker_state
    return render(st["voice"], job, st["voice_rate"], st["out_rate"])


class _ProcessPool:
    """N worker processes (spawned: no fork of a threaded parent), each loading
    the voice once. Workers write the FLACs themselves; only paths and frame
    counts cross the process boundary."""

    def __init__(self, plan: SpeakPlan, workers: int, threads: int | None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.window = workers * 2
        self._ex = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_init,
            initargs=(os.getpid(), plan.engine_name, plan.voice_spec_resolved, plan.language, plan.gpu,
                      plan.settings, threads, plan.voice.identity, plan.voice_rate,
                      plan.sample_rate))

    def submit(self, job: Job):
        return self._ex.submit(_worker_render, job)

    def close(self) -> None:
        self._ex.shutdown(wait=True, cancel_futures=True)


def _make_pool(plan: SpeakPlan, workers: int | None, batch_size: int | None = None):
    batch = pick_batch_size(plan, workers, batch_size)
    if batch > 1:
        log(f"{plan.engine.name}: {batch} sentences per batch, one model"
            f"{' on the GPU' if plan.gpu else ''}")
        return _BatchPool(plan, batch, None)
    cores = cpu_count()
    n = workers or default_workers(plan.engine, cores)
    if plan.gpu:
        n = workers or 1          # one GPU: one model, the GPU does the parallel work
    threads = max(1, cores // n)
    if n == 1:
        return _InlinePool(plan, None if workers is None else threads)
    mode = getattr(plan.engine, "parallel", "process")
    if mode == "thread":
        return _ThreadPool(plan, n, threads)
    return _ProcessPool(plan, n, threads)
