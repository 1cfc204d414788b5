"""e2a-speak with espeak-ng (fast, deterministic) and Piper voices given by path or
name: engine choice, shards, resampling, workers, progress, GPU refusal, and
resume after SIGKILL at random points."""
from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import plugins.espeak as espeak_plugin
import plugins.piper as piper_plugin
from e2a_common.audio import verify_flac
from e2a_common.errors import E2AError, EngineError
from e2a_common.plugins import new_plugin_manager, set_plugin_manager
from e2a_common.workdir import is_partial
from e2a_speak import speak

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "E2A_PLUGINS": "piper,espeak-ng"}

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None,
                                reason="espeak-ng is not installed")


@pytest.fixture(autouse=True)
def builtin_engines():
    pm = new_plugin_manager(load_entrypoints=False)
    pm.register(piper_plugin, name="piper")
    pm.register(espeak_plugin, name="espeak-ng")
    set_plugin_manager(pm)
    try:
        yield pm
    finally:
        set_plugin_manager(None)


def book(texts, language="en") -> list[dict]:
    recs = [{"kind": "book", "title": "T", "authors": ["A"], "language": language}]
    chapter = -1
    for i, t in enumerate(texts):
        if i % 5 == 0:
            chapter += 1
            recs.append({"kind": "chapter", "index": chapter, "title": f"C{chapter}",
                         "role": "body"})
        recs.append({"kind": "sentence", "id": f"c{chapter:04d}-s{i:05d}", "chapter": chapter,
                     "position": i % 5, "text": t, "original": t, "pause": "sentence",
                     "language": language})
    return recs


FRENCH = ["Le corbeau, sur un arbre perché, tenait en son bec un fromage.",
          "Maître renard, par l'odeur alléché, lui tint à peu près ce langage.",
          "« Hé ! bonjour, Monsieur du Corbeau. »"]
ENGLISH = [f"The fox ran through the field number {n}." for n in range(1, 31)]


def spoken(recs):
    return [r for r in recs if r["kind"] == "spoken"]


def test_french_book_falls_back_to_espeak(tmp_path, capsys):
    out = list(speak(book(FRENCH, "fr"), tmp_path, progress=False))
    audio = [r for r in out if r["kind"] == "audio"]
    assert audio == [{"kind": "audio", "workdir": str(tmp_path), "engine": "espeak-ng",
                      "voice": "fr-fr", "sample_rate": 22050}]
    assert "no piper voice installed for language 'fr'; using espeak-ng" in capsys.readouterr().err
    for r in spoken(out):
        assert verify_flac(tmp_path / r["audio"]).duration == pytest.approx(r["duration"])
        assert r["duration"] > 1.0


def test_language_option_overrides_book(tmp_path):
    out = list(speak(book(ENGLISH[:1], "en"), tmp_path, engine="espeak-ng", language="de",
                     progress=False))
    assert [r["voice"] for r in out if r["kind"] == "audio"] == ["de"]


def test_records_keep_order_and_place_with_workers(tmp_path):
    recs = book(ENGLISH[:12])
    out = list(speak(recs, tmp_path, engine="espeak-ng", workers=3, progress=False))
    # every non-sentence record in place, the audio record just before the first spoken
    expect = []
    for r in recs:
        if r["kind"] == "sentence":
            if not any(k == "audio" for k in expect):
                expect.append("audio")
            expect.append("spoken")
        else:
            expect.append(r["kind"])
    assert [r["kind"] for r in out] == expect
    assert [r["id"] for r in spoken(out)] == [r["id"] for r in recs if r["kind"] == "sentence"]
    serial = list(speak(recs, tmp_path / "serial", engine="espeak-ng", workers=1,
                        progress=False))
    assert [r["audio"] for r in spoken(serial)] == [r["audio"] for r in spoken(out)]
    for a, b in zip(spoken(serial), spoken(out)):
        assert np.array_equal(sf.read(tmp_path / "serial" / a["audio"])[0],
                              sf.read(tmp_path / b["audio"])[0])


def test_shards_split_the_work_and_a_final_run_skips_all(tmp_path):
    recs = book(ENGLISH[:20])
    parts = [spoken(speak(recs, tmp_path, engine="espeak-ng", shard=f"{i}/3", progress=False))
             for i in (1, 2, 3)]
    ids = [[r["id"] for r in p] for p in parts]
    assert all(ids), "each shard got some sentences"
    flat = sorted(sum(ids, []))
    assert flat == sorted(r["id"] for r in recs if r["kind"] == "sentence")   # disjoint, complete
    calls = []
    real = espeak_plugin.EspeakVoice.synthesize_pcm16
    espeak_plugin.EspeakVoice.synthesize_pcm16 = lambda self, t: calls.append(t) or real(self, t)
    try:
        full = spoken(speak(recs, tmp_path, engine="espeak-ng", progress=False))
    finally:
        espeak_plugin.EspeakVoice.synthesize_pcm16 = real
    assert calls == [] and len(full) == 20


def test_bad_shard_is_an_error(tmp_path):
    for bad in ("0/3", "4/3", "1/0", "x", "1/2/3"):
        with pytest.raises(E2AError, match="--shard"):
            list(speak(book(ENGLISH[:1]), tmp_path, engine="espeak-ng", shard=bad))


def test_one_sample_rate_per_book_by_resampling(tmp_path):
    recs = book(ENGLISH[:2])
    native = spoken(speak(recs, tmp_path / "a", engine="espeak-ng", progress=False))
    out = list(speak(recs, tmp_path / "b", engine="espeak-ng", sample_rate=16000,
                     progress=False))
    assert [r["sample_rate"] for r in out if r["kind"] == "audio"] == [16000]
    for n, r in zip(native, spoken(out)):
        info = sf.info(tmp_path / "b" / r["audio"])
        assert info.samplerate == 16000 == r["sample_rate"]
        assert r["duration"] == pytest.approx(n["duration"], abs=0.001)
        assert r["audio"] != n["audio"]          # the rate is part of the cache key


def test_progress_lines_on_request(tmp_path, monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    list(speak(book(ENGLISH[:6]), tmp_path, engine="espeak-ng", progress=True))
    text = err.getvalue()
    assert "speak 6/6" in text and "h audio" in text
    err.truncate(0)
    list(speak(book(ENGLISH[:6]), tmp_path / "q", engine="espeak-ng", progress=None))
    assert "speak 6/6" not in err.getvalue()    # stderr is not a terminal: quiet


def test_gpu_without_a_gpu_is_a_clear_error(tmp_path):
    if Path("/dev/nvidia0").exists():
        pytest.skip("an NVIDIA GPU is present")
    # the CPU build of onnxruntime has no CUDA provider; the GPU build has one
    # that fails to load (see the test after the next)
    no_gpu = ("--gpu: onnxruntime could not use CUDA" if _ort_has_cuda_provider()
              else "--gpu: no CUDA GPU available")
    with pytest.raises(EngineError, match=no_gpu):
        list(speak(book(ENGLISH[:1]), tmp_path, gpu=True))
    # no Piper voice for French: espeak-ng would be used, and it cannot use a GPU; say so
    with pytest.raises(EngineError, match=r"--gpu: there is no piper voice for language "
                       r"'fr.*', and espeak-ng, used instead, runs on the CPU only; pass --voice"):
        list(speak(book(["Bonjour."], language="fr"), tmp_path, gpu=True))
    with pytest.raises(EngineError, match="--gpu: engine 'espeak-ng' cannot use a GPU"):
        list(speak(book(ENGLISH[:1]), tmp_path, engine="espeak-ng", gpu=True))
    assert not list(tmp_path.rglob("*.flac"))
    res = subprocess.run([sys.executable, "-m", "e2a_speak", "-w", str(tmp_path), "--gpu"],
                         input=json.dumps(book(ENGLISH[:1])[-1]) + "\n", capture_output=True,
                         text=True, env=ENV, cwd=ROOT)
    assert res.returncode == 1
    assert res.stderr.startswith(f"e2a-speak: error: {no_gpu}")
    assert "Traceback" not in res.stderr


def test_unknown_engine_lists_the_installed_ones(tmp_path):
    with pytest.raises(E2AError, match=r"unknown engine 'nope' \(available: espeak-ng, piper\)"):
        list(speak(book(ENGLISH[:1]), tmp_path, engine="nope"))


# ------------------------------------------------------------ Piper voices
def french_piper_voice(folder: Path, name="fr_FR-renard-medium") -> Path:
    """A French Piper voice: the bundled model driven by French phonemes (a real
    French voice is the same pair of files, downloaded)."""
    model, cfg = piper_plugin.bundled_voice()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.onnx").symlink_to(model)
    config = json.loads(Path(cfg).read_text())
    config["espeak"]["voice"] = "fr"
    config["language"] = {"code": "fr_FR", "family": "fr", "region": "FR"}
    (folder / f"{name}.onnx.json").write_text(json.dumps(config))
    return folder / f"{name}.onnx"


def test_french_piper_voice_by_path(tmp_path):
    path = french_piper_voice(tmp_path / "voices")
    out = list(speak(book(FRENCH[:2], "fr"), tmp_path / "w", voice=str(path), progress=False))
    assert [r["voice"] for r in out if r["kind"] == "audio"] == ["fr_FR-renard-medium"]
    assert [r["engine"] for r in out if r["kind"] == "audio"] == ["piper"]
    for r in spoken(out):
        assert r["duration"] > 1.5
    # same model, different phonemes: a different identity, so no audio is shared
    en = spoken(speak(book(FRENCH[:1], "fr"), tmp_path / "w", engine="piper",
                      voice="en_US-joe-medium", progress=False))
    assert en[0]["audio"] != spoken(out)[0]["audio"]


def test_piper_voice_by_name_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("E2A_PIPER_VOICES_URL", "http://127.0.0.1:9")    # nothing listens: offline
    monkeypatch.delenv("E2A_VOICES", raising=False)
    french_piper_voice(tmp_path / "cache" / "e2a" / "voices" / "piper")
    out = list(speak(book(FRENCH[:1], "fr"), tmp_path / "w", progress=False))
    assert [(r["engine"], r["voice"]) for r in out if r["kind"] == "audio"] == \
        [("piper", "fr_FR-renard-medium")]
    with pytest.raises(EngineError, match="voice 'de_DE-nobody-low' is not installed and cannot be fetched"):
        list(speak(book(FRENCH[:1], "fr"), tmp_path / "w", voice="de_DE-nobody-low"))


def test_broken_piper_voice_files(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not onnx")
    with pytest.raises(E2AError, match="bad.onnx: voice config bad.onnx.json is missing"):
        list(speak(book(ENGLISH[:1]), tmp_path / "w", voice=str(bad)))
    (tmp_path / "bad.onnx.json").write_text("{broken")
    with pytest.raises(E2AError, match="bad.onnx.json: not a Piper voice config"):
        list(speak(book(ENGLISH[:1]), tmp_path / "w", voice=str(bad)))
    model, cfg = piper_plugin.bundled_voice()
    shutil.copy(cfg, tmp_path / "bad.onnx.json")
    with pytest.raises(E2AError, match="bad.onnx: cannot load Piper voice"):
        list(speak(book(ENGLISH[:1]), tmp_path / "w", voice=str(bad)))
    assert not [p for p in (tmp_path / "w").rglob("*.flac")]


# ------------------------------------------------------------ resume
def run_cli(wd: Path, stdin: str, *extra):
    return subprocess.run([sys.executable, "-m", "e2a_speak", "-w", str(wd), "-e", "espeak-ng",
                           *extra], input=stdin, capture_output=True, text=True, env=ENV,
                          cwd=ROOT)


def test_sigkill_at_random_points_then_rerun_equals_uninterrupted(tmp_path):
    texts = [f"Sentence {n}: the fox looked up at the grapes, and thought about it."
             for n in range(120)]
    stdin = "".join(json.dumps(r) + "\n" for r in book(texts))
    clean = run_cli(tmp_path / "clean", stdin, "-j", "2")
    assert clean.returncode == 0, clean.stderr

    wd = tmp_path / "killed"
    rng = random.Random(20261203)
    kills = 0
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-m", "e2a_speak", "-w", str(wd), "-e",
                                 "espeak-ng", "-j", "2"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                text=True, env=ENV, cwd=ROOT)
        proc.stdin.write(stdin)
        proc.stdin.close()
        start = time.monotonic()
        before = len(list(wd.rglob("*.flac"))) if wd.exists() else 0
        # wait until this run has written something, then kill at a random moment
        while time.monotonic() - start < 60 and proc.poll() is None:
            now = len([p for p in wd.rglob("*.flac") if not is_partial(p)]) if wd.exists() else 0
            if now > before:
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.4))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        for p in wd.rglob("*.flac"):     # never a partial file under a final name
            if not is_partial(p):
                assert verify_flac(p) is not None, p
    assert kills >= 2, "the runs finished before they could be killed"
    final = run_cli(wd, stdin, "-j", "2")
    assert final.returncode == 0, final.stderr

    a = [json.loads(line) for line in clean.stdout.splitlines()]
    b = [json.loads(line) for line in final.stdout.splitlines()]
    for r in a + b:
        r.pop("workdir", None)
    assert a == b                         # the same records, sentence for sentence
    for r in spoken(a):
        x, ra = sf.read(tmp_path / "clean" / r["audio"])
        y, rb = sf.read(wd / r["audio"])
        assert ra == rb and np.array_equal(x, y), r["id"]


def test_worker_processes_give_the_same_audio(tmp_path, monkeypatch):
    """The process pool (spawned workers that load the voice themselves) writes
    the same files as inline synthesis, in the same order."""
    monkeypatch.setattr(espeak_plugin.EspeakEngine, "parallel", "process")
    monkeypatch.setenv("E2A_PLUGINS", "espeak-ng")
    recs = book(ENGLISH[:8])
    procs = spoken(speak(recs, tmp_path / "p", engine="espeak-ng", workers=2, progress=False))
    inline = spoken(speak(recs, tmp_path / "i", engine="espeak-ng", workers=1, progress=False))
    assert [r["audio"] for r in procs] == [r["audio"] for r in inline]
    assert [r["id"] for r in procs] == [r["id"] for r in recs if r["kind"] == "sentence"]
    for a, b in zip(procs, inline):
        assert np.array_equal(sf.read(tmp_path / "p" / a["audio"])[0],
                              sf.read(tmp_path / "i" / b["audio"])[0])


def test_engine_failure_names_the_sentence(tmp_path, monkeypatch):
    def broken(self, text):
        if "17" in text:
            raise RuntimeError("engine exploded")
        return real(self, text)
    real = espeak_plugin.EspeakVoice.synthesize_pcm16
    monkeypatch.setattr(espeak_plugin.EspeakVoice, "synthesize_pcm16", broken)
    recs = book(ENGLISH[:20])
    got = []
    with pytest.raises(EngineError, match=r"sentence c0003-s00016: synthesis failed: RuntimeError: engine exploded"):
        for r in speak(recs, tmp_path, engine="espeak-ng", workers=2, progress=False):
            got.append(r)
    assert [r["id"] for r in spoken(got)] == [f"c{i // 5:04d}-s{i:05d}" for i in range(16)]
    for r in spoken(got):                        # what was emitted is on disk, complete
        assert verify_flac(tmp_path / r["audio"]) is not None


def test_repeated_sentences_are_spoken_once(tmp_path, monkeypatch):
    calls = []
    real = espeak_plugin.EspeakVoice.synthesize_pcm16
    monkeypatch.setattr(espeak_plugin.EspeakVoice, "synthesize_pcm16",
                        lambda self, t: calls.append(t) or real(self, t))
    texts = ["Yes.", "No.", "Yes.", "Yes.", "No.", "Perhaps."]
    out = spoken(speak(book(texts), tmp_path, engine="espeak-ng", workers=3, progress=False))
    assert sorted(calls) == ["No.", "Perhaps.", "Yes."]
    assert [r["text"] for r in out] == texts
    assert len({r["audio"] for r in out}) == 3


# A real log from onnxruntime-gpu 1.31.1 on a machine without CUDA libraries.
ORT_GPU_LOG = (
    "\x1b[1;31m2026-12-03 17:11:09.418944127 [E:onnxruntime:Default, provider_bridge_ort.cc:2458 "
    "operator()] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:2043 "
    "onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : "
    "Failed to load library /x/site-packages/onnxruntime/capi/libonnxruntime_providers_cuda.so "
    "with error: libcublasLt.so.13: cannot open shared object file: No such file or directory\n"
    "\x1b[m\n\x1b[0;93m2026-12-03 17:11:09.419042743 [W:onnxruntime:Default, "
    "onnxruntime_pybind_state.cc:1295 CreateExecutionProviderFactoryInstance] Failed to create "
    "CUDAExecutionProvider. Require cuDNN 9.* and CUDA 13.*. Please install all dependencies as "
    "mentioned in the GPU requirements page\x1b[m\n")


def test_cuda_failure_reason_is_read_from_onnxruntimes_log():
    assert piper_plugin.cuda_failure_reason(ORT_GPU_LOG) == (
        "libcublasLt.so.13: cannot open shared object file: No such file or directory; "
        "onnxruntime needs cuDNN 9.* and CUDA 13.*")
    assert piper_plugin.cuda_failure_reason("") == ""


def _ort_has_cuda_provider() -> bool:
    import onnxruntime
    return "CUDAExecutionProvider" in onnxruntime.get_available_providers()


@pytest.mark.skipif(not _ort_has_cuda_provider(), reason="onnxruntime-gpu is not installed")
def test_gpu_build_of_onnxruntime_without_a_usable_gpu_is_one_clear_line(tmp_path):
    """onnxruntime-gpu installed but no GPU or CUDA libraries: one line naming the
    reason, exit 1, nothing written (checked by hand with onnxruntime-gpu 1.31.1)."""
    if Path("/dev/nvidia0").exists():
        pytest.skip("an NVIDIA GPU is present")
    res = subprocess.run([sys.executable, "-m", "e2a_speak", "-w", str(tmp_path / "w"), "--gpu"],
                         input=json.dumps({"kind": "sentence", "id": "a", "chapter": 0,
                                           "text": "Hi.", "language": "en"}) + "\n",
                         capture_output=True, text=True, env=ENV, cwd=ROOT)
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and "could not use CUDA for the Piper voice (" in res.stderr
    assert not list((tmp_path / "w").rglob("*.flac"))

def _session_processes(sid: int) -> list[str]:
    """'pid state name' of every process still in session ``sid`` (zombies too)."""
    left = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if int(rest[3]) == sid:
            left.append(f"{d.name} {rest[0]} {name}")
    return left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_ctrl_c_to_the_process_group_ends_cleanly(tmp_path):
    """A terminal's Ctrl-C (SIGINT to the whole group, helpers and their children
    too) mid-book: exit 130 with no warning, every final FLAC whole, and no
    process of the run left behind (helpers and their children all reaped)."""
    texts = [f"Sentence {n}: the fox looked up at the grapes, and thought about them for a "
             f"long while before he went away." for n in range(300)]
    stdin = "".join(json.dumps(r) + "\n" for r in book(texts))
    wd = tmp_path / "w"
    proc = subprocess.Popen([sys.executable, "-m", "e2a_speak", "-w", str(wd), "-e", "espeak-ng",
                             "-j", "3"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT,
                            start_new_session=True,
                            # a shell's background job ignores SIGINT, and so would
                            # e2a-speak: give it the terminal's default
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    proc.stdin.write(stdin)
    proc.stdin.close()
    start = time.monotonic()
    while time.monotonic() - start < 60 and proc.poll() is None:
        if wd.exists() and len([p for p in wd.rglob("*.flac") if not is_partial(p)]) >= 20:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 130, err
    assert "warning" not in err and "interrupted" in err, err
    for p in wd.rglob("*.flac"):
        if not is_partial(p):
            assert verify_flac(p) is not None, p
    deadline = time.monotonic() + 10
    while _session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session_processes(proc.pid) == []


@pytest.mark.parametrize("workers", ["1", "3"])
def test_a_sentence_that_crashes_espeak_is_named_in_one_line(tmp_path, workers):
    """espeak-ng 1.51 segfaults on a long [[phoneme]] string: the error says which
    sentence, and that espeak-ng crashed (not 'exit -11')."""
    bad = "[[" + "a" * 1000 + "]]"
    try:
        espeak_plugin.EspeakEngine().load_voice(language="en")._run_program(bad)
        pytest.skip("this espeak-ng does not crash on the sentence")
    except EngineError:
        pass
    stdin = "".join(json.dumps(r) + "\n" for r in book(["Fine.", bad, "Fine too."]))
    res = run_cli(tmp_path / "w", stdin, "-j", workers)
    assert res.returncode == 1
    err = res.stderr.strip().splitlines()[-1]
    assert "Traceback" not in res.stderr
    assert "sentence c0000-s00001:" in err and "espeak-ng crashed (SIGSEGV)" in err, err
