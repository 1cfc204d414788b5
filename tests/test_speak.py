"""e2a-speak with the real Piper voice: files, records, resume, SIGKILL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import soundfile as sf

import plugins.piper as piper_plugin
from e2a_common.audio import verify_flac
from e2a_common.errors import E2AError
from e2a_common.plugins import new_plugin_manager, set_plugin_manager
from e2a_common.workdir import is_partial
from e2a_speak import speak

ROOT = Path(__file__).resolve().parents[1]

SENTENCES = ["The fox saw the grapes.", "They hung high on the vine.",
             "He could not reach them."]


def sentence(i: int, text: str, chapter: int = 0) -> dict:
    return {"kind": "sentence", "id": f"c{chapter:04d}-s{i:05d}", "chapter": chapter,
            "position": i, "text": text, "original": text, "pause": "sentence",
            "language": "en", "extra_field": {"kept": i}}


def book(texts=SENTENCES) -> list[dict]:
    return ([{"kind": "book", "title": "Fables", "authors": ["Aesop"], "language": "en"},
             {"kind": "chapter", "index": 0, "title": "The Fox", "role": "body"}]
            + [sentence(i, t) for i, t in enumerate(texts)])


@pytest.fixture
def piper_only():
    pm = new_plugin_manager(load_entrypoints=False)
    pm.register(piper_plugin, name="piper")
    set_plugin_manager(pm)
    try:
        yield pm
    finally:
        set_plugin_manager(None)


@pytest.fixture
def count_synth(monkeypatch):
    calls: list[str] = []
    real = piper_plugin.PiperVoiceWrapper.synthesize

    def counting(self, text):
        calls.append(text)
        return real(self, text)

    monkeypatch.setattr(piper_plugin.PiperVoiceWrapper, "synthesize", counting)
    return calls


def test_real_piper_writes_one_flac_per_sentence(tmp_path, piper_only, count_synth):
    out = list(speak(book(), tmp_path / "w", progress=False, workers=1))
    kinds = [r["kind"] for r in out]
    assert kinds == ["book", "chapter", "audio", "spoken", "spoken", "spoken"]
    audio = out[2]
    assert audio == {"kind": "audio", "workdir": str(tmp_path / "w"), "engine": "piper",
                     "voice": "en_US-joe-medium", "sample_rate": 22050}
    spoken = out[3:]
    assert [s["text"] for s in spoken] == SENTENCES
    assert count_synth == SENTENCES
    for i, s in enumerate(spoken):
        assert s["extra_field"] == {"kept": i}          # unknown fields pass through
        assert s["id"] == f"c0000-s{i:05d}"
        path = tmp_path / "w" / s["audio"]
        assert not Path(s["audio"]).is_absolute()
        data, rate = sf.read(path)
        assert rate == 22050 == s["sample_rate"]
        assert s["duration"] > 0.3
        assert abs(len(data) / rate - s["duration"]) < 1e-5
        assert abs(data).max() > 0.05                   # speech, not silence
    # no temporary file left behind
    assert [p for p in (tmp_path / "w").rglob("*") if is_partial(p)] == []


def test_second_run_synthesises_nothing(tmp_path, piper_only, count_synth):
    first = list(speak(book(), tmp_path, progress=False, workers=1))
    files = sorted((tmp_path / "audio").rglob("*.flac"))
    mtimes = {p: p.stat().st_mtime_ns for p in files}
    assert len(files) == 3 and len(count_synth) == 3
    count_synth.clear()
    second = list(speak(book(), tmp_path, progress=False, workers=1))
    assert count_synth == []
    assert second == first
    assert {p: p.stat().st_mtime_ns for p in files} == mtimes


def test_cache_key_covers_text_and_settings(tmp_path, piper_only, count_synth):
    a = [r for r in speak(book(SENTENCES[:1]), tmp_path, progress=False, workers=1) if r["kind"] == "spoken"]
    b = [r for r in speak(book(["The fox saw the grapes!"]), tmp_path, progress=False, workers=1)
         if r["kind"] == "spoken"]
    c = [r for r in speak(book(SENTENCES[:1]), tmp_path, progress=False, workers=1,
                          settings={"length_scale": 1.3}) if r["kind"] == "spoken"]
    paths = {a[0]["audio"], b[0]["audio"], c[0]["audio"]}
    assert len(paths) == 3
    assert len(count_synth) == 3
    assert c[0]["duration"] > a[0]["duration"]          # slower speech, longer audio


def test_damaged_flac_is_redone(tmp_path, piper_only, count_synth):
    rec = [r for r in speak(book(SENTENCES[:2]), tmp_path, progress=False, workers=1)
           if r["kind"] == "spoken"]
    victim = tmp_path / rec[0]["audio"]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])          # truncated, as after a full disk
    assert verify_flac(victim) is None
    count_synth.clear()
    again = [r for r in speak(book(SENTENCES[:2]), tmp_path, progress=False, workers=1)
             if r["kind"] == "spoken"]
    assert count_synth == [SENTENCES[0]]
    assert verify_flac(victim) is not None
    assert again[0]["audio"] == rec[0]["audio"]


def test_blank_text_is_silence_not_a_crash(tmp_path, piper_only, count_synth):
    out = [r for r in speak(book(["   ", "..."]), tmp_path, progress=False, workers=1)
           if r["kind"] == "spoken"]
    assert len(out) == 2
    assert count_synth == ["..."]                       # blank text never reaches the engine
    for r in out:
        assert verify_flac(tmp_path / r["audio"]) is not None


def test_sentence_without_text_is_a_record_error(tmp_path, piper_only):
    bad = book()[:2] + [{"kind": "sentence", "id": "x", "_line": 3}]
    with pytest.raises(E2AError, match="<stdin>:3: sentence record lacks a text"):
        list(speak(bad, tmp_path, progress=False, workers=1))


# ------------------------------------------------------------------ the CLI
def run_cli(args, stdin: str, env=None, **kw):
    env = {**os.environ, "E2A_PLUGINS": "piper", **(env or {})}
    return subprocess.run([sys.executable, "-m", "e2a_speak", *args], input=stdin,
                          capture_output=True, text=True, env=env, cwd=ROOT, **kw)


def jsonl(records) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def test_cli_streams_records_and_errors_cleanly(tmp_path):
    res = run_cli(["--workdir", str(tmp_path)], jsonl(book(SENTENCES[:1])))
    assert res.returncode == 0, res.stderr
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["kind"] for r in out] == ["book", "chapter", "audio", "spoken"]
    assert "Traceback" not in res.stderr
    bad = run_cli(["--workdir", str(tmp_path)], jsonl(book(SENTENCES[:1])) + "{oops\n")
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1].startswith("e2a-speak: error: <stdin>:4: not valid JSON")
    usage = run_cli(["--workdir", str(tmp_path), "--shard", "5/4"], "")
    assert usage.returncode == 2
    missing = run_cli(["--workdir", str(tmp_path), "--voice", str(tmp_path / "nope.onnx")],
                      jsonl(book(SENTENCES[:1])))
    assert missing.returncode == 1
    assert "nope.onnx: Piper voice model not found" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_sigkill_mid_run_then_resume(tmp_path):
    """Kill e2a-speak with SIGKILL once some FLACs exist; no final-named file is
    partial; the rerun speaks only what is missing and every sentence is there."""
    texts = [f"This is sentence number {n}, spoken by the fox." for n in range(1, 13)]
    stdin = jsonl(book(texts))
    wd = tmp_path / "w"
    proc = subprocess.Popen([sys.executable, "-m", "e2a_speak", "--workdir", str(wd)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "E2A_PLUGINS": "piper"})
    proc.stdin.write(stdin)
    proc.stdin.close()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = list(wd.rglob("*.flac")) if wd.exists() else []
        if len([p for p in done if not is_partial(p)]) >= 3:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)                 # worker processes die with their parent
    proc.stdout.close()
    proc.stderr.close()
    finals = [p for p in wd.rglob("*.flac") if not is_partial(p)]
    assert 3 <= len(finals) < len(texts), "kill came too late to test resume"
    for p in finals:                                     # nothing partial has a final name
        assert verify_flac(p) is not None, p
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in finals}

    res = run_cli(["--workdir", str(wd)], stdin)
    assert res.returncode == 0, res.stderr
    spoken = [json.loads(line) for line in res.stdout.splitlines()]
    spoken = [r for r in spoken if r["kind"] == "spoken"]
    assert [r["text"] for r in spoken] == texts
    assert f"{len(texts) - len(finals)} sentence(s) spoken, {len(finals)} already done" in res.stderr
    for p, stamp in before.items():                      # finished audio untouched
        assert (p.stat().st_ino, p.stat().st_mtime_ns) == stamp
    for r in spoken:
        assert verify_flac(wd / r["audio"]) is not None
    leftovers = [p for p in wd.rglob("*") if p.is_file() and is_partial(p)]
    # a temporary file from the killed run may remain; it never has a final name
    assert all(p.name.startswith(".") for p in leftovers)
