#!/usr/bin/env python3
"""bench/speak_coqui: Coqui VITS throughput by batch size (the GPU speed path).

    python bench/speak_coqui.py                         # a tiny random VITS, CPU
    python bench/speak_coqui.py --size full             # a full-size (36 M) random VITS
    python bench/speak_coqui.py --model path/to/vits/   # a real model folder
    python bench/speak_coqui.py --gpu --batch-sizes 1,4,8,16,32

For each batch size B the same sentences are spoken by the loaded voice in
calls of B texts (``CoquiVoice.synthesize_batch``; B=1 is ``synthesize``, the
one-at-a-time path), after one warm-up call; the figure is seconds of audio
per wall-clock second, best of ``--repeat`` interleaved rounds (the machine is
shared); every measurement runs in a fresh process (see ``child``). ``--speak`` adds e2a-speak rows (``speak(..., batch_size=B)``: model
load, resampling and FLAC writing included, a fresh workdir each time).

Random weights speak noise, but their durations and therefore the amount of
work per sentence are those of a real model of the same shape. Without a GPU
this measures the CPU, where one text already keeps the cores busy; the
batching is for GPUs, where one text leaves most of the chip idle.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _bench_sentences(n: int) -> list[str]:
    spec = importlib.util.spec_from_file_location("bench_speak", ROOT / "bench" / "speak.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.sentences(n)


def build_random_vits(folder: Path, size: str) -> Path:
    """A randomly initialised VITS (tests/vits.py): ``tiny`` 0.4 M parameters (the
    tests' model), ``full`` Coqui's default VITS shape (~36 M)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from vits import build_random_vits as build
    return build(folder, size)


def run_voice(voice, texts: list[str], batch: int) -> tuple[float, float]:
    """(audio seconds, wall seconds) for speaking ``texts`` in calls of ``batch``."""
    start = time.perf_counter()
    frames = 0
    for i in range(0, len(texts), batch):
        chunk = texts[i:i + batch]
        if batch == 1:
            frames += len(voice.synthesize(chunk[0]))
        else:
            frames += sum(len(a) for a in voice.synthesize_batch(chunk))
    if voice.gpu:
        import torch
        torch.cuda.synchronize()
    return frames / voice.sample_rate, time.perf_counter() - start


def run_speak(model: str, texts: list[str], batch: int, gpu: bool) -> tuple[float, float]:
    from e2a_speak import speak

    recs = [{"kind": "book", "title": "bench", "language": "en"}] + [
        {"kind": "sentence", "id": f"s{i}", "chapter": 0, "position": i, "text": t,
         "original": t, "pause": "sentence", "language": "en"} for i, t in enumerate(texts)]
    with tempfile.TemporaryDirectory(prefix="e2a-bench-coqui-") as wd:
        start = time.perf_counter()
        audio = sum(r["duration"] for r in speak(recs, wd, engine="coqui", voice=model, gpu=gpu,
                                                  batch_size=batch, progress=False)
                    if r["kind"] == "spoken")
        return audio, time.perf_counter() - start


def child(a) -> None:
    """One measurement in a fresh process: torch's CPU kernels (oneDNN) are built
    per input shape and cached per process, so a row run after another would
    profit from shapes the earlier row compiled; in a book, sentence lengths
    keep changing."""
    import plugins.coqui as coqui

    coqui.import_tts()
    import torch

    if a.threads:
        torch.set_num_threads(a.threads)
    texts = _bench_sentences(a.sentences)
    if a.child_speak:
        audio, wall = run_speak(a.model, texts, a.child, a.gpu)
    else:
        voice = coqui.CoquiEngine().load_voice(a.model, gpu=a.gpu)
        voice.set_threads(a.threads)
        voice.synthesize("Warm up.")                   # load the model
        audio, wall = run_voice(voice, texts, a.child)
    print(json.dumps({"audio": audio, "wall": wall}))


def measure(a, model: str, batch: int, speak_row: bool) -> tuple[float, float]:
    cmd = [sys.executable, __file__, "--model", model, "--sentences", str(a.sentences),
           "--child", str(batch)]
    cmd += ["--gpu"] if a.gpu else []
    cmd += ["--threads", str(a.threads)] if a.threads else []
    cmd += ["--child-speak"] if speak_row else []
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if res.returncode:
        sys.exit(f"bench/speak_coqui: batch {batch} failed:\n{res.stderr[-2000:]}")
    out = json.loads(res.stdout.strip().splitlines()[-1])
    return out["audio"], out["wall"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="a Coqui model folder (default: a random VITS built here)")
    ap.add_argument("--size", choices=("tiny", "full"), default="tiny",
                    help="shape of the random VITS when no --model is given")
    ap.add_argument("--sentences", type=int, default=32)
    ap.add_argument("--batch-sizes", default="1,2,4,8")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--gpu", action="store_true", help="run on CUDA (an error without a GPU)")
    ap.add_argument("--speak", action="store_true", help="also time e2a-speak --batch-size B")
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--child-speak", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        return child(a)

    import plugins.coqui as coqui
    from e2a_common.errors import E2AError

    coqui.import_tts()
    import torch

    sizes = [int(x) for x in a.batch_sizes.split(",")]
    texts = _bench_sentences(a.sentences)
    with tempfile.TemporaryDirectory(prefix="e2a-bench-vits-") as tmp:
        model = a.model or str(build_random_vits(Path(tmp) / f"random-{a.size}-vits", a.size))
        try:
            voice = coqui.CoquiEngine().load_voice(model, gpu=a.gpu)
            voice.synthesize("Warm up.")
        except E2AError as exc:
            sys.exit(f"bench/speak_coqui: {exc}")
        params = sum(p.numel() for p in voice._tts.synthesizer.tts_model.parameters())
        batchable = voice.batch_model() is not None
        voice.close()
        if a.gpu:
            where = f"GPU {torch.cuda.get_device_name(0)}"
        else:
            threads = a.threads or torch.get_num_threads()
            where = (f"CPU, {threads} torch threads; no CUDA GPU here"
                     if not torch.cuda.is_available() else "CPU (a GPU is present: try --gpu)")
        print(f"# {Path(model).name}: {params / 1e6:.1f} M parameters, batchable={batchable}; "
              f"{len(texts)} sentences, {sum(map(len, texts))} characters; "
              f"torch {torch.__version__}; {where}", flush=True)
        if not a.gpu:
            print("# no GPU: these are CPU figures; batching is meant for a GPU, where one "
                  "sentence leaves most of the chip idle", flush=True)
        rows: dict[str, list[tuple[float, float]]] = {}
        for _ in range(max(1, a.repeat)):
            for b in sizes:
                rows.setdefault(f"voice, batch {b}", []).append(measure(a, model, b, False))
            if a.speak:
                for b in sizes:
                    rows.setdefault(f"e2a-speak --batch-size {b}", []).append(
                        measure(a, model, b, True))
    print(f"{'run':32} {'audio s':>8} {'wall s':>8} {'audio s/s':>10} {'vs batch 1':>11}")
    base: dict[str, float] = {}
    for name, results in rows.items():
        audio, wall = min(results, key=lambda r: r[1])
        rate = audio / wall
        kind = name.split(",")[0].split(" --")[0]
        base.setdefault(kind, rate)
        print(f"{name:32} {audio:8.1f} {wall:8.2f} {rate:10.1f} {rate / base[kind]:10.2f}x")


if __name__ == "__main__":
    main()
